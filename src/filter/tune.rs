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
    /// Weak (one band) false positives per unrelated image.
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
    let per_band = f64::from(params.probes_per_band) * fp_per_probe;
    let bands = f64::from(params.bands);
    let weak = 8.0 * bands * per_band;
    let strong = 8.0 * bands * (bands - 1.0) / 2.0 * per_band * per_band;
    Prediction {
        params,
        hashes,
        total_bytes: entries as f64 * params.bytes_per_entry,
        probes_per_image: 8 * u64::from(params.bands) * u64::from(params.probes_per_band),
        fp_per_probe,
        weak_fp_per_image: weak.min(1.0),
        strong_fp_per_image: strong.min(1.0),
    }
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
