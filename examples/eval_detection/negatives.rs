//! Strong false positives per scanned image, measured rather than extrapolated: a list of real photo
//! hashes (random crops of the KNOWN half, so of photos no query shows) against every unrelated photo and
//! all its edited copies, plus many in-memory crops of the unrelated photos. Every lookup of every class
//! counts: the file's exact hashes, the 8 exact PDQ hashes of each picture, the perceptual query of each
//! picture (all orientations, extra pictures).

use crate::corpus::Entry;
use crate::device;
use imageguard::filter::exact::ExactFilter;
use imageguard::filter::{MatchStrength, PerceptualFilter};
use imageguard::pdq::{OrientedHashes, PdqHash, QueryFeatures, Uncropped};
use std::time::Instant;

#[derive(Debug, Default, Clone, Copy)]
pub struct FalsePositives {
    /// Images scanned (files, or in-memory pictures).
    pub images: u64,
    /// Images with at least one strong-class hit (exact, or strong perceptual).
    pub strong_images: u64,
    /// Strong-class hits over all lookups (exact lookups that hit, pictures whose query was strong).
    pub strong_lookups: u64,
    /// Strong images with a listed hash within PDQ's match distance (31 bits) of one of their pictures'
    /// oriented hashes: PDQ itself matches them (the reference would, and confirmation against the list
    /// confirms them); the rest are the filter's own false positives, which confirmation refuses.
    pub strong_pdq_matches: u64,
    /// Images whose best perceptual hit was weak (what a weak-acting policy would see).
    pub weak_images: u64,
    /// Time spent in perceptual queries, and how many pictures were queried.
    pub query_seconds: f64,
    pub pictures: u64,
}

impl FalsePositives {
    pub fn per_image(&self) -> f64 {
        self.strong_images as f64 / self.images.max(1) as f64
    }

    pub fn upper_95(&self) -> f64 {
        upper_bound_95(self.strong_images, self.images)
    }

    pub fn micros_per_picture(&self) -> f64 {
        self.query_seconds * 1e6 / self.pictures.max(1) as f64
    }

    fn record(&mut self, exact_hits: u32, perceptual: Option<MatchStrength>, strong_pictures: u32) {
        self.images += 1;
        let strong = u64::from(exact_hits) + u64::from(strong_pictures);
        self.strong_lookups += strong;
        self.strong_images += u64::from(strong > 0);
        self.weak_images += u64::from(strong == 0 && perceptual == Some(MatchStrength::Weak));
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
    let exact_hits = device::exact_hits(exact, exact_hashes, pictures);
    let started = Instant::now();
    let hits: Vec<_> = pictures.iter().filter_map(|picture| device::query(perceptual, *picture)).collect();
    fp.query_seconds += started.elapsed().as_secs_f64();
    fp.pictures += pictures.len() as u64;
    let strong_pictures = hits.iter().filter(|hit| hit.strength == MatchStrength::Strong).count();
    let best = if strong_pictures > 0 { Some(MatchStrength::Strong) } else { hits.first().map(|hit| hit.strength) };
    fp.record(exact_hits, best, u32::try_from(strong_pictures).unwrap_or(u32::MAX));
    if exact_hits > 0 || strong_pictures > 0 {
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

/// One-sided 95% upper bound on a rate seen `hits` times in `n` trials (Clopper-Pearson; 1 - 0.05^(1/n)
/// when nothing was seen, about 3/n).
pub fn upper_bound_95(hits: u64, n: u64) -> f64 {
    if n == 0 {
        return 1.0;
    }
    if hits == 0 {
        return 1.0 - 0.05f64.powf(1.0 / n as f64);
    }
    if hits >= n {
        return 1.0;
    }
    // The p at which seeing <= hits has probability 5%, by bisection on the binomial CDF.
    let (mut low, mut high) = (hits as f64 / n as f64, 1.0);
    for _ in 0..100 {
        let mid = (low + high) / 2.0;
        if binomial_cdf(hits, n, mid) > 0.05 {
            low = mid;
        } else {
            high = mid;
        }
    }
    high
}

fn binomial_cdf(k: u64, n: u64, p: f64) -> f64 {
    // P(X <= k) term by term from P(X = 0), in logs to survive large n.
    let (ln_p, ln_q) = (p.ln(), (-p).ln_1p());
    let mut ln_term = n as f64 * ln_q;
    let mut total = ln_term.exp();
    for i in 0..k {
        ln_term += ((n - i) as f64).ln() - ((i + 1) as f64).ln() + ln_p - ln_q;
        total += ln_term.exp();
    }
    total.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_bound_matches_known_values() {
        assert!((upper_bound_95(0, 1000) - 0.002_991).abs() < 1e-5);
        // Clopper-Pearson one-sided 95% for 1 in 100 is 0.0466.
        assert!((upper_bound_95(1, 100) - 0.0466).abs() < 5e-4, "{}", upper_bound_95(1, 100));
    }
}
