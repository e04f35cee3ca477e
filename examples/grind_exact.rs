//! Grinding a crafted exact match, as an attacker holding the bundle would: append 8 bytes after a
//! benign JPEG's end (the picture displays the same), BLAKE3 the file, look it up in the exact filter,
//! repeat, on 2 threads. The hasher state after the JPEG itself is computed once and cloned per try (the
//! attacker's cheapest way), so tries/s is an upper bound for plain hashing.
//!
//! First a 5-second control against a filter of the same entries at 1e-6 per lookup (the old rate):
//! it must find hits, or the harness could not find any. Then 60 seconds against the shipped rate.
//!
//!     cargo run --release --example grind_exact [JPEG] [entries]
//!
//! Default JPEG: the benign `aaa-orig.jpg` of /work/shared/pdq-vectors (Meta's PDQ test photo).
use imageguard::entry_key::mix64;
use imageguard::exact::HashKind;
use imageguard::filter::exact::{ExactFilter, DEFAULT_FP_RATE};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const THREADS: u64 = 2;

/// Tries and hits of grinding `filter` for `duration`.
fn grind(jpeg: &[u8], filter: &ExactFilter, duration: Duration) -> (u64, u64, f64) {
    let mut prefix = blake3::Hasher::new();
    prefix.update(jpeg);
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    let (tries, hits) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|thread| {
                let (prefix, stop) = (&prefix, &stop);
                scope.spawn(move || {
                    let (mut tries, mut hits) = (0u64, 0u64);
                    let mut suffix = thread << 56;
                    while !stop.load(Ordering::Relaxed) {
                        for _ in 0..4096 {
                            let mut hasher = prefix.clone();
                            hasher.update(&suffix.to_le_bytes());
                            if filter.contains(HashKind::Blake3, hasher.finalize().as_bytes()) {
                                hits += 1;
                            }
                            suffix += 1;
                        }
                        tries += 4096;
                    }
                    (tries, hits)
                })
            })
            .collect();
        std::thread::sleep(duration);
        stop.store(true, Ordering::Relaxed);
        workers.into_iter().map(|w| w.join().unwrap()).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    (tries, hits, started.elapsed().as_secs_f64())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "/work/shared/pdq-vectors/bridge-mods/aaa-orig.jpg".into());
    let entries: u64 = args.next().map_or(1_000_000, |n| n.parse().expect("entries"));
    let jpeg = std::fs::read(&path).expect("a JPEG to append to");
    assert!(jpeg.ends_with(&[0xFF, 0xD9]), "{path} does not end with a JPEG end marker");
    // A listed BLAKE3 hash per entry (random: the attacker wants any listed entry, not a particular one).
    let listed: Vec<[u8; 32]> = (0..entries).map(|i| *blake3::hash(&mix64(i).to_le_bytes()).as_bytes()).collect();
    let salt = *blake3::hash(b"grind salt").as_bytes();
    println!("{path}: {} bytes; {entries} listed BLAKE3 hashes; {THREADS} threads", jpeg.len());
    println!("| filter | fp/lookup | seconds | tries | tries/s | hits | expected hits |\n|---|---:|---:|---:|---:|---:|---:|");
    for (label, fp, seconds) in [("control (old rate)", 1e-6, 5), ("shipped default", DEFAULT_FP_RATE, 60)] {
        let filter = ExactFilter::build(salt, fp, listed.iter().map(|h| (HashKind::Blake3, &h[..]))).unwrap();
        let (tries, hits, elapsed) = grind(&jpeg, &filter, Duration::from_secs(seconds));
        println!(
            "| {label} | {:.1e} | {elapsed:.1} | {tries} | {:.0} | {hits} | {:.2e} |",
            filter.fp_rate(),
            tries as f64 / elapsed,
            tries as f64 * filter.fp_rate()
        );
    }
}
