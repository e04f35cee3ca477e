//! Detection evaluated like the field: recall per transform against the server-side reference (Meta's PDQ,
//! distance <= 31 over 8 orientations, quality >= 50) on full-resolution photos and the edits users make,
//! strong-only (what the default policy acts on) and with weak hits, over a frontier of filter sizes; and
//! strong false positives per scanned image, measured on unrelated photos against a list of real photo
//! hashes. Run by `scripts/eval-detection`, which builds the corpus and plots the JSON printed last.
//!
//! Usage: eval_detection MANIFEST.csv [LIST_ENTRIES (1000000)] [IN_MEMORY_QUERIES (100000)] [THREADS (2)]

mod corpus;
mod device;
mod negatives;
mod tally;
mod variants;

use corpus::Entry;
use imageguard::exact::HashKind;
use imageguard::filter::exact::{ExactFilter, DEFAULT_FP_RATE};
use imageguard::filter::{PerceptualFilter, PerceptualParams};
use imageguard::pdq::{PdqHash, QueryFeatures, Uncropped};
use negatives::FalsePositives;
use std::sync::Arc;
use std::time::Instant;
use tally::{fmt_ratio, Outcome, Tally};

const SALT: [u8; 32] = [7; 32];

/// The frontier: (bands, bits per band, probes per band, bytes per entry). The default parameters are
/// measured as `PerceptualParams::default()` on top of these.
const FRONTIER: [(u8, u8, u16, f64); 14] = [
    (2, 48, 256, 8.0),
    (3, 40, 256, 8.0),
    (2, 48, 256, 12.0),
    (3, 40, 256, 12.0),
    (3, 48, 256, 12.0),
    (3, 48, 256, 16.0),
    (4, 44, 256, 16.0),
    (4, 48, 256, 20.0),
    (4, 44, 256, 24.0),
    (5, 48, 256, 24.0),
    (4, 48, 512, 24.0),
    (5, 48, 256, 32.0),
    (6, 44, 256, 32.0),
    (6, 48, 256, 40.0),
];

/// Copies the reference cannot catch by design, reported apart ("beyond the reference").
const FRAMED: [&str; 3] = ["border-5pc", "letterbox", "screenshot"];

struct Measured {
    params: PerceptualParams,
    bytes_per_entry: f64,
    tally: Tally,
    files: FalsePositives,
    predicted_strong: f64,
    predicted_weak: f64,
}

fn arg<T: std::str::FromStr>(index: usize, default: T) -> T {
    std::env::args().nth(index).and_then(|a| a.parse().ok()).unwrap_or(default)
}

fn params(bands: u8, bits: u8, probes: u16, bytes: f64) -> PerceptualParams {
    PerceptualParams { bands, bits_per_band: bits, probes_per_band: probes, bytes_per_entry: bytes, ..PerceptualParams::default() }
}

/// A filter as a device holds it: built, serialised into a section, read back.
fn filter(params: PerceptualParams, hashes: &[PdqHash]) -> Result<PerceptualFilter, String> {
    let built = PerceptualFilter::build(&SALT, params, hashes).map_err(|e| e.to_string())?;
    let section = Arc::new(built.to_section_bytes());
    PerceptualFilter::from_bundle(section.clone(), 0..section.len(), &SALT).map_err(|e| e.to_string())
}

/// Recall of every known copy against a filter holding the known originals' reference hashes.
fn recall(filter: &PerceptualFilter, known_copies: &[&Entry]) -> Tally {
    let mut tally = Tally::default();
    for entry in known_copies {
        let (refused, strength) = match &entry.scanned.pictures {
            Ok(pictures) => (false, device::best_hit(filter, pictures).map(|hit| hit.strength)),
            Err(_) => (true, None),
        };
        tally.add(&entry.transform, entry.reference_catches(), Outcome::of(refused, strength));
    }
    tally
}

fn random_hashes(count: usize, seed: u64) -> Vec<PdqHash> {
    let mut rng = variants::Rng::new(seed);
    (0..count)
        .map(|_| {
            let mut bytes = [0u8; 32];
            for chunk in bytes.chunks_mut(8) {
                chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
            }
            PdqHash(bytes)
        })
        .collect()
}

fn median(mut values: Vec<u32>) -> u32 {
    values.sort_unstable();
    values.get(values.len() / 2).copied().unwrap_or(0)
}

fn label(p: &PerceptualParams) -> String {
    format!("{} x {}, {}", p.bands, p.bits_per_band, p.probes_per_band)
}

fn main() -> Result<(), String> {
    let manifest: String = std::env::args().nth(1).ok_or("usage: eval_detection MANIFEST.csv [LIST] [QUERIES] [THREADS]")?;
    let list_entries: usize = arg(2, 1_000_000);
    let in_memory_queries: usize = arg(3, 100_000);
    let threads: usize = arg(4, 2);
    let started = Instant::now();

    let entries = corpus::load(&manifest, threads)?;
    let known_originals: Vec<&Entry> = entries.iter().filter(|e| e.known && e.is_original()).collect();
    let known_copies: Vec<&Entry> = entries.iter().filter(|e| e.known && !e.is_original()).collect();
    let unrelated: Vec<&Entry> = entries.iter().filter(|e| !e.known).collect();
    let photos = entries.iter().filter(|e| e.is_original()).count();
    let refused: Vec<&Entry> = entries.iter().filter(|e| e.scanned.pictures.is_err()).collect();
    println!(
        "Corpus: {photos} photos at their own resolution ({} known, {} unrelated), {} files with their edits; \
         scanned as the device does in {:.0} s.",
        known_originals.len(),
        photos - known_originals.len(),
        entries.len(),
        started.elapsed().as_secs_f64()
    );
    for entry in &refused {
        println!("  refused by the decoder: {} ({})", entry.path.display(), entry.scanned.pictures.as_ref().err().map_or("", String::as_str));
    }
    // The device's own hash of each original against the reference's (the list side): the decode path.
    let device_vs_reference: Vec<u32> = entries
        .iter()
        .filter(|e| e.is_original())
        .filter_map(|e| Some(e.scanned.reference_picture()?.hash().distance(&e.ref_hash)))
        .collect();
    println!(
        "Device hash of the originals vs the reference's: median {} bits, max {} (JPEG fast path at full size).",
        median(device_vs_reference.clone()),
        device_vs_reference.iter().max().copied().unwrap_or(0)
    );
    for entry in entries.iter().filter(|e| e.is_original()) {
        let Some(picture) = entry.scanned.reference_picture() else { continue };
        let distance = picture.hash().distance(&entry.ref_hash);
        if distance > 16 {
            println!("  {} bits: {} (device quality {})", distance, entry.path.display(), picture.quality());
        }
    }
    println!();

    // Recall: the known originals' reference hashes, in a filter filled as a list of `list_entries` is.
    let mut recall_list: Vec<PdqHash> = known_originals.iter().map(|e| e.ref_hash).collect();
    recall_list.extend(random_hashes(list_entries.saturating_sub(recall_list.len()), 0x5EED));

    // False positives: real photo hashes (random crops of the known half, in random orientations).
    let t = Instant::now();
    let known_planes: Vec<variants::Plane> = known_originals.iter().filter_map(|e| variants::load_plane(&e.path).ok()).collect();
    let fp_list: Vec<PdqHash> = variants::generate(&known_planes, list_entries, 0xF00D, threads, variants::listed_hash);
    drop(known_planes);
    let exact_entries: Vec<(HashKind, &[u8])> = fp_list.iter().map(|h| (HashKind::PdqExact, &h.0[..])).collect();
    let exact = ExactFilter::build(SALT, DEFAULT_FP_RATE, exact_entries).map_err(|e| e.to_string())?;
    println!(
        "False-positive list: {} hashes of random crops of the {} known photos ({:.0} s); exact filter at {:.0e} per lookup.\n",
        fp_list.len(),
        known_originals.len(),
        t.elapsed().as_secs_f64(),
        exact.fp_rate()
    );

    let mut all_params = vec![PerceptualParams::default()];
    all_params.extend(FRONTIER.iter().map(|&(b, k, p, bytes)| params(b, k, p, bytes)));
    let mut measured = Vec::new();
    for p in all_params {
        let recall_filter = filter(p, &recall_list)?;
        let tally = recall(&recall_filter, &known_copies);
        drop(recall_filter);
        let fp_filter = filter(p, &fp_list)?;
        let files = negatives::on_files(&fp_filter, &exact, &fp_list, &unrelated);
        let predicted = fp_filter.fp_per_image();
        measured.push(Measured {
            params: p,
            bytes_per_entry: fp_filter.bytes_per_entry(),
            tally,
            files,
            predicted_strong: predicted.strong,
            predicted_weak: predicted.weak,
        });
    }

    let default = measured.first().ok_or("nothing measured")?;
    // The compact preset: the best strong-only recall at <= 12 B/entry whose predicted strong false
    // positives stay within 1e-7 per image.
    let compact = measured
        .iter()
        .filter(|m| m.params.bytes_per_entry <= 12.0 && m.predicted_strong <= 1e-7)
        .max_by(|a, b| a.tally.total().strong_recall().total_cmp(&b.tally.total().strong_recall()))
        .ok_or("no compact candidate")?;

    println!("## Frontier ({} list entries; recall over the copies the reference catches)\n", list_entries);
    println!("| L x k, probes/band | B/entry | recall strong-only | with weak | strong on border/letterbox/screenshot | strong fp, files (95% bound) | weak fp, files | predicted strong / weak fp per image | query us/picture |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for m in &measured {
        let total = m.tally.total();
        let framed: u32 = FRAMED.iter().map(|t| m.tally.get(t).strong).sum();
        let framed_copies: u32 = FRAMED.iter().map(|t| m.tally.get(t).copies).sum();
        let tag = if std::ptr::eq(m, default) { " (default)" } else if std::ptr::eq(m, compact) { " (compact)" } else { "" };
        println!(
            "| {}{tag} | {:.1} | {} | {} | {framed}/{framed_copies} | {}/{} (<= {:.1e}) | {} | {:.1e} / {:.1e} | {:.0} |",
            label(&m.params),
            m.bytes_per_entry,
            fmt_ratio(total.strong_recall()),
            fmt_ratio(total.any_recall()),
            m.files.strong_images(),
            m.files.images(),
            m.files.upper_95(),
            m.files.weak_images(),
            m.predicted_strong,
            m.predicted_weak,
            m.files.micros_per_picture()
        );
    }

    // In-memory unrelated pictures: many more lookups than files, for the two presets.
    let unrelated_originals: Vec<&Entry> = unrelated.iter().copied().filter(|e| e.is_original()).collect();
    let unrelated_planes: Vec<variants::Plane> = unrelated_originals.iter().filter_map(|e| variants::load_plane(&e.path).ok()).collect();
    let queries: Vec<(QueryFeatures, Uncropped)> = variants::generate(&unrelated_planes, in_memory_queries, 0xBEEF, threads, variants::queried);
    drop(unrelated_planes);
    for (name, m) in [("default", default), ("compact", compact)] {
        println!("\n## {name} preset: {} B/entry, L={} bands x k={} bits, {} probes/band\n", m.params.bytes_per_entry, m.params.bands, m.params.bits_per_band, m.params.probes_per_band);
        m.tally.print_table();
        let fp_filter = filter(m.params, &fp_list)?;
        let pictures = negatives::on_pictures(&fp_filter, &exact, &fp_list, &queries);
        let total = m.tally.total();
        println!(
            "\nRecall vs the reference: **{} strong-only**, {} with weak hits ({} of {} copies the reference catches).",
            fmt_ratio(total.strong_recall()),
            fmt_ratio(total.any_recall()),
            total.strong_among_reference,
            total.reference
        );
        for (what, fp) in [("unrelated files (originals + edits)", &m.files), ("in-memory crops of unrelated photos", &pictures)] {
            println!(
                "Strong false positives on {} {what}: {} images ({} strong lookups) = {:.1e} per image, 95% upper bound {:.1e}; of those, {} are PDQ matches (a listed hash within 31 bits: the reference matches them too) and {} the filter's own; weak {}; {:.0} us of perceptual query per picture.",
                fp.images(),
                fp.strong_images(),
                fp.strong_lookups,
                fp.per_image(),
                fp.upper_95(),
                fp.strong_pdq_matches,
                fp.strong_images() - fp.strong_pdq_matches,
                fp.weak_images(),
                fp.micros_per_picture()
            );
        }
        let both = m.files.counts() + pictures.counts();
        println!(
            "All scanned images: {} strong in {} = 95% upper bound {:.1e} per image; predicted by the filter (real fill, 2^-k collisions): strong {:.1e}, weak {:.1e}; exact filter predicted {:.1e}.",
            both.strong_images,
            both.images,
            both.strong_per_image().1,
            m.predicted_strong,
            m.predicted_weak,
            exact.fp_per_image()
        );
        // What `bundle inspect --calibrate` would print for this filter, calibrated on half the crops,
        // against what the other half measures.
        let [calibration, held_out] = pictures.halves;
        let ratio = |a: f64, b: f64| if b > 0.0 { format!("{:.2}x", a / b) } else { "-".into() };
        let ((cal_strong, cal_strong_bound), (cal_any, _)) = (calibration.strong_per_image(), calibration.any_per_image());
        let ((out_strong, _), (out_any, _)) = (held_out.strong_per_image(), held_out.any_per_image());
        println!(
            "Calibrated prediction (imageguard::calibration on {} crops, as `bundle inspect --calibrate` counts) vs measured on the other {}: strong {:.1e} (95% bound {:.1e}) vs {:.1e} ({} vs {} images, {}); weak or strong {:.1e} vs {:.1e} ({} vs {}, {}). The random-hash model: strong {:.1e} ({}), weak or strong {:.1e} ({}).",
            calibration.images,
            held_out.images,
            cal_strong,
            cal_strong_bound,
            out_strong,
            calibration.strong_images,
            held_out.strong_images,
            ratio(cal_strong, out_strong),
            cal_any,
            out_any,
            calibration.any_images,
            held_out.any_images,
            ratio(cal_any, out_any),
            m.predicted_strong,
            ratio(m.predicted_strong, out_strong),
            m.predicted_weak,
            ratio(m.predicted_weak, out_any),
        );
    }

    println!("\nMethod: each file is hashed as the scanner does (hashing::exact_then_pictures: JPEG fast path, all pictures);");
    println!("each picture with quality >= 50 queries the perceptual filter through the core's own query (8 orientations; the widened picture as given),");
    println!("a file's best hit counts. Recall filter: the known originals' reference hashes (PyPI pdqhash on the C++ resize)");
    println!("plus random hashes up to the list size. False positives: a list of real photo hashes (random crops of the");
    println!("known photos), queried with the unrelated photos and their edits; an image counts when any exact lookup or any");
    println!("picture's perceptual query gives a strong hit. Took {:.0} s.", started.elapsed().as_secs_f64());
    let json: Vec<String> = measured
        .iter()
        .map(|m| {
            let t = m.tally.total();
            format!(
                "{{\"bands\":{},\"bits\":{},\"probes\":{},\"bytes\":{:.2},\"recall_strong\":{:.4},\"recall_any\":{:.4},\"default\":{},\"compact\":{},\"strong_fp_files\":{},\"files\":{},\"predicted_strong\":{:.3e}}}",
                m.params.bands,
                m.params.bits_per_band,
                m.params.probes_per_band,
                m.bytes_per_entry,
                t.strong_recall(),
                t.any_recall(),
                std::ptr::eq(m, default),
                std::ptr::eq(m, compact),
                m.files.strong_images(),
                m.files.images(),
                m.predicted_strong
            )
        })
        .collect();
    println!("JSON [{}]", json.join(","));
    Ok(())
}
