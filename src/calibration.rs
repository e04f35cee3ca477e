//! False matches of a bundle's filters, *measured* on images the platform knows are unrelated to its list.
//!
//! The filters' own false-positive rate follows from their fill (see [`crate::filter`]), but real photos
//! agree with listed photo hashes on whole bands, and fall within PDQ's match distance of them, far more
//! often than random hashes do: on the photo corpora of BENCHMARKS.md the strong rate per image is
//! thousands of times the random-hash model. No statistic of the list alone predicts that, so a platform
//! calibrates: it scans benign photos like the ones its users send through the bundle exactly as a device
//! queries them, and counts, per image, every lookup of every class. `imageguard bundle inspect --calibrate
//! DIR` prints these counts and their 95% upper bounds next to the model.
//!
//! Only counts are kept: nothing about an image outlives its [`FalseHits::add`] call.

use crate::exact::{ExactHashes, HashKind};
use crate::filter::{ExactFilter, MatchStrength, PerceptualFilter, PerceptualHit};
use crate::pdq::smooth::is_smooth_picture;
use crate::pdq::OrientedHashes;

/// A bundle's filters and the quality gate a device applies before looking a picture up.
#[derive(Clone, Copy)]
pub struct Filters<'a> {
    pub exact: Option<&'a ExactFilter>,
    pub perceptual: Option<&'a PerceptualFilter>,
    /// The policy's `min_quality`: pictures below it are not looked up by PDQ, and the PDQ hits of smooth
    /// pictures ([`crate::pdq::smooth`]) are dropped, as the scanner does.
    pub min_quality: u8,
}

impl Filters<'_> {
    /// How many of one image's exact lookups the exact filter holds: its file hashes, then the 8 derived
    /// PDQ hashes of each picture looked up exactly (quality-gated; none for a smooth picture), as the
    /// scanner looks them up.
    pub fn exact_hits(&self, exact: Option<&ExactHashes>, pictures: &[&dyn OrientedHashes]) -> u32 {
        let Some(filter) = self.exact else { return 0 };
        let file_hits = exact.into_iter().flat_map(ExactHashes::iter).filter(|(kind, hash)| filter.contains(*kind, hash)).count();
        let pdq_hits: usize = pictures
            .iter()
            .filter(|picture| picture.looked_up_exactly() && picture.quality() >= self.min_quality)
            .map(|picture| {
                let hits = picture.derived_hashes().iter().filter(|hash| filter.contains(HashKind::PdqExact, &hash.0)).count();
                if hits > 0 && is_smooth_picture(*picture) { 0 } else { hits }
            })
            .sum();
        u32::try_from(file_hits + pdq_hits).unwrap_or(u32::MAX)
    }

    /// The perceptual filter's answer for one picture behind the quality gate, as the scanner queries it.
    pub fn perceptual_hit(&self, picture: &dyn OrientedHashes) -> Option<PerceptualHit> {
        let hit = self.perceptual.filter(|_| picture.quality() >= self.min_quality).and_then(|filter| filter.query(picture))?;
        (!is_smooth_picture(picture)).then_some(hit)
    }
}

/// What the filters said about one image, over all its pictures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImageHits {
    /// Exact lookups that hit.
    pub exact: u32,
    /// Pictures whose perceptual hit was strong.
    pub strong_pictures: u32,
    /// Pictures with any perceptual hit (weak or strong).
    pub perceptual_pictures: u32,
}

impl ImageHits {
    /// A strong-class hit: exact, or a strong perceptual hit on any picture.
    pub fn strong(&self) -> bool {
        self.exact > 0 || self.strong_pictures > 0
    }

    /// Any hit at all (what a policy acting on weak hits would see).
    pub fn any(&self) -> bool {
        self.strong() || self.perceptual_pictures > 0
    }
}

/// Per-image counts over a calibration set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FalseHits {
    pub images: u64,
    /// Images with an exact hit.
    pub exact_images: u64,
    /// Images with a strong-class hit (exact or strong perceptual).
    pub strong_images: u64,
    /// Images with any hit, weak included.
    pub any_images: u64,
}

impl FalseHits {
    /// Looks one image up (its file hashes, if any, and every picture the device queries) and counts it.
    pub fn add(&mut self, filters: &Filters<'_>, exact: Option<&ExactHashes>, pictures: &[&dyn OrientedHashes]) -> ImageHits {
        let mut hits = ImageHits { exact: filters.exact_hits(exact, pictures), ..ImageHits::default() };
        for hit in pictures.iter().filter_map(|picture| filters.perceptual_hit(*picture)) {
            hits.perceptual_pictures += 1;
            hits.strong_pictures += u32::from(hit.strength == MatchStrength::Strong);
        }
        self.count(hits);
        hits
    }

    /// Counts an image whose hits were found elsewhere.
    pub fn count(&mut self, hits: ImageHits) {
        self.images += 1;
        self.exact_images += u64::from(hits.exact > 0);
        self.strong_images += u64::from(hits.strong());
        self.any_images += u64::from(hits.any());
    }

    /// `(rate per image, one-sided 95% upper bound)` of images with a strong-class hit.
    pub fn strong_per_image(&self) -> (f64, f64) {
        rate(self.strong_images, self.images)
    }

    /// `(rate per image, one-sided 95% upper bound)` of images with any hit, weak included.
    pub fn any_per_image(&self) -> (f64, f64) {
        rate(self.any_images, self.images)
    }

    /// `(rate per image, one-sided 95% upper bound)` of images with an exact hit.
    pub fn exact_per_image(&self) -> (f64, f64) {
        rate(self.exact_images, self.images)
    }
}

/// Counts of two calibration sets (e.g. scanned in parallel), as one.
impl std::ops::Add for FalseHits {
    type Output = FalseHits;

    fn add(self, other: FalseHits) -> FalseHits {
        FalseHits {
            images: self.images + other.images,
            exact_images: self.exact_images + other.exact_images,
            strong_images: self.strong_images + other.strong_images,
            any_images: self.any_images + other.any_images,
        }
    }
}

fn rate(hits: u64, n: u64) -> (f64, f64) {
    (hits as f64 / n.max(1) as f64, upper_bound_95(hits, n))
}

/// One-sided 95% upper bound on a rate seen `hits` times in `n` trials (Clopper-Pearson; 1 - 0.05^(1/n)
/// when nothing was seen, about 3/n).
pub fn upper_bound_95(hits: u64, n: u64) -> f64 {
    if n == 0 || hits >= n {
        return 1.0;
    }
    if hits == 0 {
        return 1.0 - 0.05f64.powf(1.0 / n as f64);
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
        assert_eq!(upper_bound_95(5, 5), 1.0);
    }

    #[test]
    fn an_image_counts_once_per_class_however_many_lookups_hit() {
        let mut counts = FalseHits::default();
        counts.count(ImageHits { exact: 3, strong_pictures: 2, perceptual_pictures: 2 });
        counts.count(ImageHits { exact: 0, strong_pictures: 0, perceptual_pictures: 1 });
        counts.count(ImageHits::default());
        assert_eq!(counts, FalseHits { images: 3, exact_images: 1, strong_images: 1, any_images: 2 });
        assert_eq!(counts.strong_per_image().0, 1.0 / 3.0);
        let twice = counts + counts;
        assert_eq!(twice, FalseHits { images: 6, exact_images: 2, strong_images: 2, any_images: 4 });
    }
}
