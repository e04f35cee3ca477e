//! How far each JPEG path lands from the reference's hash on photos at their own resolution, and what it
//! costs: the fast path (luma at full resolution up to 32 MiB, else DCT-scaled), the DCT-scaled path on
//! its own (the fast path of sessions before), and a full colour decode. Figures in BENCHMARKS.md.
//!
//! Usage: jpeg_drift MANIFEST [TRANSFORM|all]
//! MANIFEST is the detection evaluation's (scripts/eval-detection: `name,set,transform,path,...,ref_hash`,
//! the reference hash being Meta's PDQ on the C++ reference's resize of PIL's full decode); TRANSFORM
//! picks the rows (default `original`).

use imageguard::decode::{self, DecodeLimits};
use imageguard::pdq::{self, PdqHash};
use std::time::Instant;

type Path = fn(&[u8], &DecodeLimits) -> Result<decode::Decoded, decode::DecodeError>;

const PATHS: [(&str, Path); 3] = [
    ("fast path", decode::decode_for_hashing),
    ("DCT-scaled", decode::decode_scaled_for_hashing),
    ("full colour decode", decode::decode_full_for_hashing),
];

fn main() {
    let mut args = std::env::args().skip(1);
    let manifest = args.next().expect("usage: jpeg_drift MANIFEST [TRANSFORM|all]");
    let transform = args.next().unwrap_or_else(|| "original".into());
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    let limits = DecodeLimits::default();
    let mut distances: [Vec<u32>; 3] = Default::default();
    let mut millis: [Vec<f64>; 3] = Default::default();
    let mut megapixels = Vec::new();
    let mut far = Vec::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let [_, _, kind, path, _, _, reference] = fields[..] else { continue };
        if !(transform == "all" || kind == transform) || !path.ends_with(".jpg") {
            continue;
        }
        let (Ok(bytes), Ok(reference)) = (std::fs::read(path), PdqHash::from_hex(reference)) else { continue };
        let mut row = [None; 3];
        for (i, (_, decode)) in PATHS.iter().enumerate() {
            let start = Instant::now();
            let Ok(decoded) = decode(&bytes, &limits) else { continue };
            if i == 0 {
                megapixels.push(f64::from(decoded.source_width) * f64::from(decoded.source_height) / 1e6);
            }
            let hash = pdq::compute(decoded.luma).hash();
            millis[i].push(start.elapsed().as_secs_f64() * 1e3);
            distances[i].push(hash.distance(&reference));
            row[i] = Some(hash.distance(&reference));
        }
        if row[0].is_some_and(|d| d > 8) {
            far.push(format!("{} ({:.1} MP): {:?}", path.rsplit('/').next().unwrap_or(path), megapixels.last().unwrap_or(&0.0), row.map(|d| d.unwrap_or(999))));
        }
    }
    megapixels.sort_by(f64::total_cmp);
    println!(
        "{} JPEG files ({transform}), {:.1}-{:.1} MP (median {:.1}); bits from the reference's hash, and decode + hash time:\n",
        megapixels.len(),
        megapixels.first().unwrap_or(&0.0),
        megapixels.last().unwrap_or(&0.0),
        megapixels.get(megapixels.len() / 2).unwrap_or(&0.0)
    );
    println!("| path | median bits | p90 | max | files over 8 | mean ms | median ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (i, (name, _)) in PATHS.iter().enumerate() {
        let (d, t) = (&mut distances[i], &mut millis[i]);
        d.sort_unstable();
        t.sort_by(f64::total_cmp);
        let at = |q: f64| d.get(((d.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0);
        let mean = t.iter().sum::<f64>() / t.len().max(1) as f64;
        let over = d.iter().filter(|&&v| v > 8).count();
        println!("| {name} | {} | {} | {} | {over} | {mean:.1} | {:.1} |", at(0.5), at(0.9), at(1.0), t.get(t.len() / 2).unwrap_or(&0.0));
    }
    println!("\nFiles over 8 bits on the fast path (fast, DCT-scaled, full colour):");
    for line in far {
        println!("- {line}");
    }
}
