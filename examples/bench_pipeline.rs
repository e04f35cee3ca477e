//! Times imageguard's hashing pipeline on one image file, stage by stage, and reports peak memory.
//! Used by `scripts/bench-hash`, which runs it once per file so that peak RSS is per image size.
//!
//! Usage: bench_pipeline FILE RUNS [--full-decode | --scaled]
//! (`--scaled`: the DCT-scaled JPEG path whatever the size; the fast path uses it above 32 MiB of luma.)
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
    let path_for = |flag: &str| args.iter().any(|a| a == flag);
    let decode: fn(&[u8], &DecodeLimits) -> Result<decode::Decoded, decode::DecodeError> = if path_for("--full-decode") {
        decode::decode_full_for_hashing
    } else if path_for("--scaled") {
        decode::decode_scaled_for_hashing
    } else {
        decode::decode_for_hashing
    };
    let limits = DecodeLimits::default();
    let (mut decode_ms, mut hash_ms, mut total_ms) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let start = Instant::now();
        let bytes = std::fs::read(path).expect("read");
        let decoded = decode(&bytes, &limits).expect("decode");
        let decoded_at = Instant::now();
        let features = pdq::compute(decoded.luma);
        // The scanner hashes the averaged picture of a large image too (steering defence).
        let averaged = decoded.averaged.map(pdq::compute);
        let done = Instant::now();
        std::hint::black_box((features.hash(), averaged.map(|a| a.hash())));
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
