//! What confirmation costs the platform at list scale: building the bucketed lists and their Merkle tree,
//! the lists file, loading it, the memory it holds, and the time to answer a request.
//!
//! The list is as `bench_bundle` makes it: ENTRIES BLAKE3 file hashes and ENTRIES PDQ hashes (each PDQ hash
//! is bucketed under its exact key and its band keys, so it is 1 + bands keys). Costs do not depend on
//! what the hashes look like, so pseudo-random hashes are used. Figures go to BENCHMARKS.md.
//!
//! Usage: cargo run --release --example confirm_cost -- ENTRIES [REQUESTS]
//!
//! The build runs in this process; the lists file is then served by a fresh copy of this program
//! (`--serve FILE REQUESTS`), so that its peak memory is what a serving process holds, not the build's.

use imageguard::confirm::{ConfirmationRequest, PlatformLists};
use imageguard::entry_key::mix64;
use imageguard::exact::HashKind;
use imageguard::filter::{PerceptualFilter, PerceptualParams};
use imageguard::pdq::PdqHash;
use imageguard::signing::SigningKey;
use std::time::Instant;

fn hash_of(i: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (j, chunk) in out.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&mix64(i * 4 + j as u64 + 1).to_le_bytes());
    }
    out
}

/// Peak resident memory of this process so far, from /proc (Linux), in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok());
    kib.map_or(f64::NAN, |k| k / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--serve") {
        return serve(&args[2], args[3].parse().expect("REQUESTS"));
    }
    let entries: u64 = args.get(1).and_then(|a| a.parse().ok()).expect("usage: confirm_cost ENTRIES [REQUESTS]");
    let requests: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let salt = [7u8; 32];
    let exact: Vec<[u8; 32]> = (0..entries).map(hash_of).collect();
    let pdq: Vec<PdqHash> = (0..entries).map(|i| PdqHash(hash_of(i + entries))).collect();
    let params = PerceptualParams::default();
    let filter = PerceptualFilter::build(&salt, params, &pdq).expect("perceptual filter");

    let start = Instant::now();
    let lists = PlatformLists::build("bench", 1, &salt, exact.iter().map(|h| (HashKind::Blake3, &h[..])), &pdq, Some(&filter))
        .expect("lists");
    let build_s = start.elapsed().as_secs_f64();
    let commitment = lists.commitment();
    let path = std::env::temp_dir().join(format!("confirm_cost_{entries}.lists"));
    std::fs::write(&path, lists.to_bytes()).expect("write lists");
    let file_mb = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let build_peak = peak_rss_mib();
    drop(lists);
    let served = std::process::Command::new(&args[0])
        .args(["--serve", path.to_str().expect("path"), &requests.to_string()])
        .output()
        .expect("serve");
    let _ = std::fs::remove_file(&path);
    println!("| entries (exact + PDQ) | keys | bucket bits | build s | build peak RSS MiB | lists file MB | load s | serving peak RSS MiB | answer µs p50 / p99 (4 buckets, incl. parse + stamp check) | answer bytes |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {entries} + {entries} | {} | {} | {build_s:.1} | {build_peak:.0} | {file_mb:.0} | {} |",
        commitment.keys,
        commitment.bucket_bits,
        String::from_utf8_lossy(&served.stdout).trim()
    );
}

/// Loads a lists file and answers `requests` stamped requests; prints the serving columns of the table.
fn serve(path: &str, requests: usize) {
    let bytes = std::fs::read(path).expect("read lists");
    let start = Instant::now();
    let lists = PlatformLists::from_bytes(&bytes).expect("load");
    let load_s = start.elapsed().as_secs_f64();
    drop(bytes);
    let bucket_count = 1u64 << lists.commitment().bucket_bits;
    let device = SigningKey::generate().expect("key");
    let mut answer_bytes = 0usize;
    let mut times = Vec::with_capacity(requests);
    for r in 0..requests as u64 {
        // A strong candidate asks for about 4 buckets (one per band that hit, across rotations).
        let buckets = (0..4).map(|j| (mix64(r * 8 + j) % bucket_count) as u32).collect();
        let request = ConfirmationRequest::new("bench", 1, buckets).expect("request").to_bytes(Some((&device, 29_000_000)));
        let start = Instant::now();
        let answer = lists.answer_bytes(&request).expect("answer");
        times.push(start.elapsed().as_secs_f64() * 1e6);
        answer_bytes += answer.len();
    }
    times.sort_by(f64::total_cmp);
    print!(
        "{load_s:.1} | {:.0} | {:.0} / {:.0} | {}",
        peak_rss_mib(),
        times[times.len() / 2],
        times[times.len() * 99 / 100],
        answer_bytes / requests.max(1)
    );
}
