//! Detection evaluation on natural photos: recall per transform against the reference, false positives on
//! unrelated photos, and their extrapolation to a 1M-entry list. Run by `scripts/eval-detection`, which
//! builds the corpus (`scripts/eval/corpus.py`) and plots the JSON this prints last.
//!
//! Usage: eval_detection MANIFEST.csv

use imageguard::filter::perceptual::probe::probe_masks;
use imageguard::filter::{tune, PerceptualFilter, PerceptualParams};
use imageguard::hashing::{self, HashOptions};
use imageguard::pdq::{Dihedral, PdqFeatures, PdqHash};
use imageguard::report::MatchStrength;
use std::collections::BTreeMap;
use std::sync::Arc;

struct Row {
    name: String,
    known: bool,
    transform: String,
    ref_distance: u32,
    ref_quality: u32,
    features: Option<PdqFeatures>,
}

const LIST_SIZE: f64 = 1e6;

fn ln_gamma(x: f64) -> f64 {
    // Lanczos approximation (g = 7, n = 9).
    const C: [f64; 9] = [0.999_999_999_999_809_9, 676.520_368_121_885_1, -1_259.139_216_722_402_8, 771.323_428_777_653_1,
        -176.615_029_162_140_6, 12.507_343_278_686_905, -0.138_571_095_265_720_12, 9.984_369_578_019_572e-6, 1.505_632_735_149_311_6e-7];
    if x < 0.5 {
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let sum = C[1..].iter().enumerate().fold(C[0], |acc, (i, c)| acc + c / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

fn ln_choose(n: f64, k: f64) -> f64 {
    ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0)
}

/// P(distance = d) for band distances following a beta-binomial fitted by moments (binomial if not
/// over-dispersed).
fn distance_pmf(n: u32, mean: f64, var: f64, d: u32) -> f64 {
    let (n_f, d_f) = (f64::from(n), f64::from(d));
    let p = (mean / n_f).clamp(1e-9, 1.0 - 1e-9);
    let binomial_var = n_f * p * (1.0 - p);
    let rho = ((var / binomial_var - 1.0) / (n_f - 1.0)).max(0.0);
    if rho < 1e-9 {
        return (ln_choose(n_f, d_f) + d_f * p.ln() + (n_f - d_f) * (1.0 - p).ln()).exp();
    }
    let (a, b) = (p * (1.0 / rho - 1.0), (1.0 - p) * (1.0 / rho - 1.0));
    let ln_beta = |x: f64, y: f64| ln_gamma(x) + ln_gamma(y) - ln_gamma(x + y);
    (ln_choose(n_f, d_f) + ln_beta(d_f + a, n_f - d_f + b) - ln_beta(a, b)).exp()
}

fn main() {
    let manifest = std::env::args().nth(1).expect("MANIFEST.csv");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    let mut rows: Vec<Row> = text
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            Some(Row {
                name: f.first()?.to_string(),
                known: *f.get(1)? == "known",
                transform: f.get(2)?.to_string(),
                ref_distance: f.get(4)?.parse().ok()?,
                ref_quality: f.get(5)?.parse().ok()?,
                features: hashing::hash_file(f.get(3)?.as_ref(), &HashOptions::default()).ok().map(|h| h.pdq),
            })
        })
        .collect();
    rows.retain(|r| r.features.is_some());
    let originals: BTreeMap<&str, PdqHash> = rows
        .iter()
        .filter(|r| r.known && r.transform == "original")
        .map(|r| (r.name.as_str(), r.features.as_ref().map(PdqFeatures::hash).unwrap_or(PdqHash::ZERO)))
        .collect();
    let known_hashes: Vec<PdqHash> = originals.values().copied().collect();
    let photos = rows.iter().filter(|r| r.transform == "original").count();
    let unrelated_images: Vec<&Row> = rows.iter().filter(|r| !r.known).collect();
    println!("Corpus: {photos} photos ({} known, {} unrelated), {} images with their edits.\n", known_hashes.len(), photos - known_hashes.len(), rows.len());

    let configs = [(2u8, 56u8, 256u16, 12.0), (3, 56, 256, 18.0), (4, 56, 256, 24.0), (4, 48, 256, 24.0), (4, 56, 512, 24.0), (5, 56, 256, 30.0), (6, 56, 256, 36.0)];
    let mut json = Vec::new();
    for (bands, bits, probes, bytes) in configs {
        let params = PerceptualParams { bands, bits_per_band: bits, probes_per_band: probes, bytes_per_entry: bytes, ..PerceptualParams::default() };
        let built = PerceptualFilter::build(&[7; 32], params, &known_hashes).expect("build");
        let section = Arc::new(built.to_section_bytes());
        let filter = PerceptualFilter::from_bundle(section.clone(), 0..section.len(), &[7; 32]).expect("load");
        // Recall per transform, on the known half.
        let mut per: BTreeMap<&str, [u32; 5]> = BTreeMap::new(); // ref caught, ours among ref, ours any, total, strong among ref
        for r in rows.iter().filter(|r| r.known && r.transform != "original") {
            let features = r.features.as_ref().expect("features");
            let found = if features.quality() >= 50 { filter.query(features) } else { None };
            let hit = found.is_some();
            let strong = found.is_some_and(|h| h.strength == MatchStrength::Strong);
            let ref_caught = r.ref_distance <= 31 && r.ref_quality >= 50;
            let e = per.entry(r.transform.as_str()).or_default();
            e[0] += u32::from(ref_caught);
            e[1] += u32::from(ref_caught && hit);
            e[2] += u32::from(hit);
            e[3] += 1;
            e[4] += u32::from(ref_caught && strong);
        }
        // Observed false positives on the unrelated half.
        let (mut weak, mut strong) = (0, 0);
        for r in &unrelated_images {
            match r.features.as_ref().and_then(|f| filter.query(f)) {
                Some(hit) if hit.strength == MatchStrength::Strong => strong += 1,
                Some(_) => weak += 1,
                None => {}
            }
        }
        // Band collision model: band distances between unrelated images (8 variants) and known entries.
        let layout = filter.band_layout();
        let (mut sum, mut sum_sq, mut count) = (0f64, 0f64, 0f64);
        for r in unrelated_images.iter().filter(|r| r.transform == "original") {
            let hashes = r.features.as_ref().expect("features").dihedral_hashes();
            for h in &hashes {
                for known in &known_hashes {
                    for band in &layout {
                        let d = band.iter().filter(|&&p| h.bit(p as usize) != known.bit(p as usize)).count() as f64;
                        sum += d;
                        sum_sq += d * d;
                        count += 1.0;
                    }
                }
            }
        }
        let mean = sum / count;
        let var = sum_sq / count - mean * mean;
        // How many probes flip exactly d bits (from a real image's margins).
        let sample = unrelated_images[0].features.as_ref().expect("features");
        let (_, margins) = sample.hash_with_margins(Dihedral::Original);
        let mut by_flips = vec![0f64; 65];
        let mut masks = Vec::new();
        for band in &layout {
            let band_margins: Vec<f32> = band.iter().map(|&p| margins[p as usize]).collect();
            probe_masks(&band_margins, usize::from(probes), &mut masks);
            for m in &masks {
                by_flips[m.count_ones() as usize] += 1.0 / layout.len() as f64;
            }
        }
        let per_band_pair: f64 = (0..=bits as u32)
            .map(|d| by_flips[d as usize] * distance_pmf(u32::from(bits), mean, var, d) / ln_choose(f64::from(bits), f64::from(d)).exp())
            .sum();
        let prediction = tune::predict(params, LIST_SIZE as u64);
        let filter_fp_per_probe = prediction.fp_per_probe - LIST_SIZE * (-f64::from(bits)).exp2();
        let per_band = per_band_pair * LIST_SIZE + f64::from(probes) * filter_fp_per_probe;
        let weak_1m = (8.0 * f64::from(bands) * per_band).min(1.0);
        let strong_1m = (8.0 * f64::from(bands) * (f64::from(bands) - 1.0) / 2.0 * per_band * per_band).min(1.0);

        println!("L={bands} bands x k={bits} bits, {probes} probes/band, {bytes} B/entry ({} probes/image):", filter.probes_per_image());
        println!("| transform | reference catches | ours among those | recall vs reference | ours absolute |");
        println!("|---|---:|---:|---:|---:|");
        let (mut all_ref, mut all_ours, mut core_ref, mut core_ours, mut core_strong) = (0, 0, 0, 0, 0);
        for (t, [caught, ours, any, total, strong]) in &per {
            println!("| {t} | {caught}/{total} | {ours} | {:.3} | {:.3} |", f64::from(*ours) / f64::from((*caught).max(1)), f64::from(*any) / f64::from(*total));
            all_ref += caught;
            all_ours += ours;
            if !t.starts_with("crop") {
                core_ref += caught;
                core_ours += ours;
                core_strong += strong;
            }
        }
        let recall = f64::from(all_ours) / f64::from(all_ref.max(1));
        let core = f64::from(core_ours) / f64::from(core_ref.max(1));
        let core_strong = f64::from(core_strong) / f64::from(core_ref.max(1));
        println!("recall vs reference: {recall:.3} overall, {core:.3} without the crop ({core_strong:.3} from strong hits alone)");
        println!(
            "false positives observed on {} unrelated images: {weak} weak, {strong} strong",
            unrelated_images.len()
        );
        println!(
            "extrapolated to 1M entries: band distance mean {mean:.2} var {var:.2} over {count:.0} band pairs -> \
             {per_band_pair:.2e} per probe per entry; weak {weak_1m:.1e}, strong {strong_1m:.1e} false positives per image\n"
        );
        json.push(format!(
            "{{\"bands\":{bands},\"bits\":{bits},\"probes\":{probes},\"bytes\":{bytes},\"recall\":{recall:.4},\"recall_no_crop\":{core:.4},\"recall_no_crop_strong\":{core_strong:.4},\"weak_1m\":{weak_1m:.3e},\"strong_1m\":{strong_1m:.3e}}}"
        ));
    }
    println!("Method: recall counts an edited copy of a known photo as found when the perceptual filter hits (weak or");
    println!("strong, any of the 8 rotations/flips, our quality >= 50); \"recall vs reference\" divides by the copies the");
    println!("reference catches (PDQ distance <= 31 over 8 variants, quality >= 50). Extrapolation: per band and");
    println!("rotation, the chance that a probe equals an unrelated entry's band value is sum_d probes(d flips) x");
    println!("P(band distance = d) / C(k, d), with P fitted (beta-binomial, by moments) to the band distances measured");
    println!("between unrelated photos; times 1M entries, plus the blocked Bloom filter's own rate at that size.");
    println!("JSON [{}]", json.join(","));
}
