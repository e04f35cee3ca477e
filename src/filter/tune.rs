//! Predicting what perceptual parameters give: size, false positives per image, recall per distance.

use super::blocked;
use super::perceptual::PerceptualParams;

/// What a parameter set is predicted to give for a list of `entries`.
#[derive(Debug, Clone, Copy)]
pub struct Prediction {
    pub params: PerceptualParams,
    pub hashes: u8,
    pub total_bytes: f64,
    pub probes_per_image: u64,
    /// False-positive rate of one probe: the filter's own rate plus accidental band collisions.
    pub fp_per_probe: f64,
    /// Weak-or-stronger (at least one band) false positives per unrelated image.
    pub weak_fp_per_image: f64,
    /// Strong (two bands, same rotation) false positives per unrelated image.
    pub strong_fp_per_image: f64,
}

/// Predicts `params` on `entries` entries. Band collisions assume unrelated hashes agree on a band with
/// probability 2^-k (real photos collide more often: measure with `scripts/eval-detection`).
pub fn predict(params: PerceptualParams, entries: u64) -> Prediction {
    let hashes = params.best_hashes();
    let filter_fp = blocked::predicted_fp_rate(params.bits_per_key(), hashes);
    let collision = entries as f64 * (-f64::from(params.bits_per_band)).exp2();
    let fp_per_probe = (filter_fp + collision).min(1.0);
    let PerImage { weak, strong } = per_image(fp_per_probe, params.bands, params.probes_per_band);
    Prediction {
        params,
        hashes,
        total_bytes: entries as f64 * params.bytes_per_entry,
        probes_per_image: 8 * u64::from(params.bands) * u64::from(params.probes_per_band),
        fp_per_probe,
        weak_fp_per_image: weak,
        strong_fp_per_image: strong,
    }
}

/// False matches per unrelated image, by class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerImage {
    /// At least one band hit in some orientation (a weak match, or a strong one).
    pub weak: f64,
    /// Two or more bands hit in the same orientation.
    pub strong: f64,
}

/// False matches per unrelated image when each probe hits with probability `fp_per_probe`: an image makes
/// `probes_per_band` probes in each of `bands` bands, in each of its 8 rotations/flips; a band hits if
/// any of its probes does.
pub fn per_image(fp_per_probe: f64, bands: u8, probes_per_band: u16) -> PerImage {
    let band_hit = any_of(fp_per_probe.clamp(0.0, 1.0), f64::from(probes_per_band));
    let bands = i32::from(bands);
    // Per orientation: at least one band hits, at least two do; summed term by term (no cancellation).
    let (mut one_or_more, mut two_or_more, mut choose) = (0.0, 0.0, 1.0);
    for hits in 1..=bands {
        choose = choose * f64::from(bands - hits + 1) / f64::from(hits);
        let term = choose * band_hit.powi(hits) * (1.0 - band_hit).powi(bands - hits);
        one_or_more += term;
        if hits >= 2 {
            two_or_more += term;
        }
    }
    PerImage { weak: any_of(one_or_more.min(1.0), 8.0), strong: any_of(two_or_more.min(1.0), 8.0) }
}

/// 1 - (1 - p)^n, precise for tiny p.
fn any_of(p: f64, n: f64) -> f64 {
    -(n * (-p).ln_1p()).exp_m1()
}

/// Candidate parameter sets within `max_bytes_per_entry` whose strong false positives per image stay under
/// `max_fp`, best first by a recall proxy (more bands and probes, fewer bits per band).
pub fn recommend(entries: u64, max_bytes_per_entry: f64, max_fp: f64) -> Vec<Prediction> {
    let mut out = Vec::new();
    for bands in 2..=8u8 {
        for bits in (32..=64u8).step_by(4) {
            for probes in [64u16, 128, 256, 512, 1024] {
                let params = PerceptualParams {
                    bands,
                    bits_per_band: bits,
                    probes_per_band: probes,
                    bytes_per_entry: max_bytes_per_entry,
                    ..PerceptualParams::default()
                };
                let prediction = predict(params, entries);
                if prediction.strong_fp_per_image <= max_fp && prediction.weak_fp_per_image <= max_fp * 1e3 {
                    out.push(prediction);
                }
            }
        }
    }
    // Recall grows with bands and probes and falls with bits per band; probing cost grows with probes.
    let score = |p: &Prediction| {
        f64::from(p.params.bands) * (f64::from(p.params.probes_per_band)).log2() / f64::from(p.params.bits_per_band)
    };
    out.sort_by(|a, b| score(b).total_cmp(&score(a)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_image_counts_every_probe_band_and_orientation() {
        // Tiny rates: the first-order terms, 8 orientations x bands x probes (and pairs of bands).
        let small = per_image(1e-12, 4, 256);
        let per_band = 256.0 * 1e-12;
        assert!((small.weak / (8.0 * 4.0 * per_band) - 1.0).abs() < 1e-6, "{small:?}");
        assert!((small.strong / (8.0 * 6.0 * per_band * per_band) - 1.0).abs() < 1e-6, "{small:?}");
        // Saturation stays a probability.
        let full = per_image(1.0, 4, 256);
        assert!((full.weak - 1.0).abs() < 1e-12 && (full.strong - 1.0).abs() < 1e-12);
        assert_eq!(per_image(0.0, 4, 256), PerImage { weak: 0.0, strong: 0.0 });
    }
}
