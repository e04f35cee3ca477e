//! Strong false positives per scanned image, measured rather than extrapolated: a list of real photo
//! hashes (random crops of the KNOWN half, so of photos no query shows) against every unrelated photo and
//! all its edited copies, plus many in-memory crops of the unrelated photos. Every lookup of every class
//! counts: the file's exact hashes, the 8 exact PDQ hashes of each picture, the perceptual query of each
//! picture (all orientations, extra pictures).

use crate::corpus::Entry;
use crate::device;
use imageguard::calibration::FalseHits;
use imageguard::filter::exact::ExactFilter;
use imageguard::filter::PerceptualFilter;
use imageguard::pdq::{OrientedHashes, PdqHash, QueryFeatures, Uncropped};
use std::time::Instant;

#[derive(Debug, Default, Clone, Copy)]
pub struct FalsePositives {
    /// Strong-class hits over all lookups (exact lookups that hit, pictures whose query was strong).
    pub strong_lookups: u64,
    /// Strong images with a listed hash within PDQ's match distance (31 bits) of one of their pictures'
    /// oriented hashes: PDQ itself matches them (the reference would, and confirmation against the list
    /// confirms them); the rest are the filter's own false positives, which confirmation refuses.
    pub strong_pdq_matches: u64,
    /// Time spent in perceptual queries, and how many pictures were queried.
    pub query_seconds: f64,
    pub pictures: u64,
    /// The images counted by `imageguard::calibration` (what `bundle inspect --calibrate` prints), in two
    /// halves by order: even-numbered images, odd-numbered ones. One half predicts the other.
    pub halves: [FalseHits; 2],
}

impl FalsePositives {
    /// Both halves: images scanned (files, or in-memory pictures), and those with a hit of each class.
    pub fn counts(&self) -> FalseHits {
        self.halves[0] + self.halves[1]
    }

    pub fn images(&self) -> u64 {
        self.counts().images
    }

    /// Images with at least one strong-class hit (exact, or strong perceptual).
    pub fn strong_images(&self) -> u64 {
        self.counts().strong_images
    }

    /// Images whose best hit was weak (what a weak-acting policy would see besides the strong ones).
    pub fn weak_images(&self) -> u64 {
        let counts = self.counts();
        counts.any_images - counts.strong_images
    }

    pub fn per_image(&self) -> f64 {
        self.counts().strong_per_image().0
    }

    pub fn upper_95(&self) -> f64 {
        self.counts().strong_per_image().1
    }

    pub fn micros_per_picture(&self) -> f64 {
        self.query_seconds * 1e6 / self.pictures.max(1) as f64
    }
}

/// PDQ's match distance, as the reference and confirmation use it.
const MATCH_DISTANCE: u32 = 31;

/// Whether a listed hash lies within [`MATCH_DISTANCE`] of one of the pictures' oriented hashes.
fn pdq_matches(list: &[PdqHash], pictures: &[&dyn OrientedHashes]) -> bool {
    let hashes: Vec<PdqHash> = pictures.iter().flat_map(|picture| picture.oriented_hashes()).collect();
    list.iter().any(|listed| hashes.iter().any(|hash| hash.distance(listed) <= MATCH_DISTANCE))
}

/// One image's pictures through both filters; `list` is what the filters hold, to tell PDQ's own matches
/// from the filter's false positives.
fn scan(perceptual: &PerceptualFilter, exact: &ExactFilter, list: &[PdqHash], exact_hashes: Option<&imageguard::exact::ExactHashes>, pictures: &[&dyn OrientedHashes], fp: &mut FalsePositives) {
    let half = (fp.images() % 2) as usize;
    let started = Instant::now();
    let hits = fp.halves[half].add(&device::filters(Some(exact), Some(perceptual)), exact_hashes, pictures);
    fp.query_seconds += started.elapsed().as_secs_f64();
    fp.pictures += pictures.len() as u64;
    fp.strong_lookups += u64::from(hits.exact) + u64::from(hits.strong_pictures);
    if hits.strong() {
        fp.strong_pdq_matches += u64::from(pdq_matches(list, pictures));
    }
}

/// Every unrelated file (originals and edits) as the device scans it; refused files scan nothing.
pub fn on_files(perceptual: &PerceptualFilter, exact: &ExactFilter, list: &[PdqHash], unrelated: &[&Entry]) -> FalsePositives {
    let mut fp = FalsePositives::default();
    for entry in unrelated {
        let pictures = entry.scanned.pictures.as_ref().map(device::queries).unwrap_or_default();
        scan(perceptual, exact, list, entry.scanned.exact.as_ref(), &pictures, &mut fp);
    }
    fp
}

/// In-memory pictures (one image each, queried as a device queries raw pixels: really flipped and turned,
/// and widened by its edges; no file hashes).
pub fn on_pictures(perceptual: &PerceptualFilter, exact: &ExactFilter, list: &[PdqHash], pictures: &[(QueryFeatures, Uncropped)]) -> FalsePositives {
    let mut fp = FalsePositives::default();
    for (picture, uncropped) in pictures {
        scan(perceptual, exact, list, None, &[picture as &dyn OrientedHashes, uncropped], &mut fp);
    }
    fp
}
