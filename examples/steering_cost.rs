//! What the steering defence costs on ordinary large PNG/WebP/GIF files: hashing time per file, and how
//! often the averaged picture disagrees with the sampled one and is queried too (one more query).
//! Figures in BENCHMARKS.md (Sampling that cannot be steered).
//!
//! Usage: steering_cost FILE...   (PNG, WebP or GIF files over 512 px on both sides)

use imageguard::hashing::{self, HashOptions};
use std::time::Instant;

fn main() {
    let options = HashOptions::default();
    let (mut files, mut extra, mut total_ms) = (0, 0, 0.0);
    println!("| file | size | ms | pictures queried |");
    println!("|---|---|---:|---:|");
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let mut times = Vec::new();
        let mut pictures = 0;
        for _ in 0..3 {
            let start = Instant::now();
            let Ok(hashes) = hashing::hash_bytes(&bytes, &options) else { break };
            times.push(start.elapsed().as_secs_f64() * 1e3);
            pictures = 1 + hashes.alternates.len();
            if (hashes.width as usize) <= 512 || (hashes.height as usize) <= 512 {
                times.clear();
                break;
            }
        }
        if times.is_empty() {
            continue;
        }
        times.sort_by(f64::total_cmp);
        let name = path.rsplit('/').next().unwrap_or(&path);
        let size = imageguard::hashing::hash_bytes(&bytes, &options).map(|h| format!("{}x{}", h.width, h.height)).unwrap_or_default();
        println!("| {name} | {size} | {:.1} | {pictures} |", times[1]);
        files += 1;
        total_ms += times[1];
        extra += pictures - 1;
    }
    println!("\n{files} files: {:.1} ms per file (median of 3 runs each, averaged), {extra} extra pictures queried ({:.2} per file)", total_ms / files.max(1) as f64, extra as f64 / files.max(1) as f64);
}
