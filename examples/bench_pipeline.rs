//! Times imageguard's hashing pipeline on one image file, stage by stage, and reports peak memory.
//! Used by `scripts/bench-hash`, which runs it once per file so that peak RSS is per image size.
//!
//! Usage: bench_pipeline FILE RUNS [--full-decode]
//! Prints one JSON object: median milliseconds per stage and the process's peak RSS in KiB.

use imageguard::decode::{self, DecodeLimits};
use imageguard::pdq;
use std::time::Instant;

mod common;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}


fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (path, runs) = (&args[1], args[2].parse::<usize>().expect("RUNS"));
    let full = args.iter().any(|a| a == "--full-decode");
    let limits = DecodeLimits::default();
    let (mut decode_ms, mut hash_ms, mut total_ms) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let start = Instant::now();
        let bytes = std::fs::read(path).expect("read");
        let decoded = if full {
            decode::decode_full_for_hashing(&bytes, &limits)
        } else {
            decode::decode_for_hashing(&bytes, &limits)
        }
        .expect("decode");
        let decoded_at = Instant::now();
        let features = pdq::compute(decoded.luma);
        let done = Instant::now();
        std::hint::black_box(features.hash());
        decode_ms.push((decoded_at - start).as_secs_f64() * 1e3);
        hash_ms.push((done - decoded_at).as_secs_f64() * 1e3);
        total_ms.push((done - start).as_secs_f64() * 1e3);
    }
    println!(
        "{{\"decode_resize_ms\": {:.2}, \"hash_ms\": {:.2}, \"total_ms\": {:.2}, \"peak_rss_kib\": {}}}",
        median(decode_ms),
        median(hash_ms),
        median(total_ms),
        common::peak_rss_kib()
    );
}
