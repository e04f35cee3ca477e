//! Everything the device does to a file, in one place, through the library's own entry points: how a file
//! becomes pictures ([`scan_file`]) and how a picture is looked up ([`query`]). When the core learns new
//! lookups (hashes of the truly rotated pixels, extra pictures for borders or screenshots) these two
//! functions are all that changes here, and every figure of the evaluation follows.

use imageguard::calibration::Filters;
use imageguard::exact::ExactHashes;
use imageguard::filter::exact::ExactFilter;
use imageguard::filter::perceptual::PerceptualHit;
use imageguard::filter::PerceptualFilter;
use imageguard::hashing::{self, HashOptions, PictureHashes};
use imageguard::pdq::{OrientedHashes, PdqFeatures, DEFAULT_MIN_QUALITY};
use std::path::Path;

/// What the scanner computes for one file: its exact hashes, and every picture it shows and queries (the
/// reference picture first), or why it could not be decoded.
pub struct Scanned {
    pub exact: Option<ExactHashes>,
    pub pictures: Result<PictureHashes, String>,
}

impl Scanned {
    /// The reference picture (what the list side hashes), when the file decoded.
    pub fn reference_picture(&self) -> Option<&PdqFeatures> {
        self.pictures.as_ref().ok().map(|p| &p.pdq)
    }
}

/// Hashes a file as the scanner does (`hashing::exact_then_pictures`, JPEG fast path, default limits).
pub fn scan_file(path: &Path) -> Scanned {
    let options = HashOptions::default();
    let bytes = match hashing::read_file(path, &options.limits) {
        Ok(bytes) => bytes,
        Err(error) => return Scanned { exact: None, pictures: Err(error.to_string()) },
    };
    let (exact, pictures) = hashing::exact_then_pictures(&bytes, &options);
    Scanned { exact: Some(exact), pictures: pictures.map_err(|error| error.to_string()) }
}

/// Every picture the device queries for a decoded file (`PictureHashes::queries`: the reference picture
/// really flipped and turned, alpha composites and frames, pictures found inside borders or screenshots,
/// the picture widened by its edges).
pub fn queries(pictures: &PictureHashes) -> Vec<&dyn OrientedHashes> {
    pictures.queries().collect()
}

/// The bundle's filters as the device looks them up (`imageguard::calibration::Filters`: the same code
/// `bundle inspect --calibrate` counts with), behind the device's quality gate.
pub fn filters<'a>(exact: Option<&'a ExactFilter>, perceptual: Option<&'a PerceptualFilter>) -> Filters<'a> {
    Filters { exact, perceptual, min_quality: min_quality() }
}

/// The device's perceptual lookup of one picture. The single place to change when the core's query changes.
pub fn query(filter: &PerceptualFilter, picture: &dyn OrientedHashes) -> Option<PerceptualHit> {
    filters(None, Some(filter)).perceptual_hit(picture)
}

/// The device's quality gate for perceptual queries: the policy's default (the reference's 50), or
/// `EVAL_MIN_QUALITY` to measure what a stricter policy would trade (the list side keeps 50).
fn min_quality() -> u8 {
    static GATE: std::sync::OnceLock<u8> = std::sync::OnceLock::new();
    *GATE.get_or_init(|| std::env::var("EVAL_MIN_QUALITY").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_MIN_QUALITY))
}

/// The best hit over all of a file's queried pictures: strong beats weak, else the first.
pub fn best_hit(filter: &PerceptualFilter, pictures: &PictureHashes) -> Option<PerceptualHit> {
    let mut best: Option<PerceptualHit> = None;
    for hit in pictures.queries().filter_map(|picture| query(filter, picture)) {
        if best.is_none_or(|b| hit.bands_hit > b.bands_hit) {
            best = Some(hit);
        }
    }
    best
}
