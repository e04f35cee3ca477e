//! The exact filter measured: size, build and lookup time at 1M and 10M entries, against a classic Bloom
//! filter (the `bloomfilter` crate the format used before) at the same rate; then the false-positive rate
//! per lookup measured with random non-member keys at loose settings, where it can be counted, against
//! `fp_rate()`. The shipped 5e-11 cannot be counted directly (1e11 lookups); the model is exact
//! (collisions among uniform fingerprints in a known range), so a match at loose settings carries over.
//! Prints Markdown for BENCHMARKS.md.
//!
//!     cargo run --release --example exact_filter_bench
use imageguard::entry_key::mix64;
use imageguard::exact::HashKind;
use imageguard::filter::exact::{ExactFilter, DEFAULT_FP_RATE};
use std::time::Instant;

/// A deterministic 16-byte "MD5" for index `i` of stream `stream`.
fn hash(stream: u64, i: u64) -> [u8; 16] {
    let a = mix64(stream << 40 ^ i);
    let b = mix64(a ^ 0x5555);
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&a.to_le_bytes());
    out[8..].copy_from_slice(&b.to_le_bytes());
    out
}

fn main() {
    let salt = [9u8; 32];
    println!("| entries | structure | fp/lookup | bits/entry | x log2(1/fp) | build s | lookup ns (non-member, incl. keyed BLAKE3) |");
    println!("|---:|---|---:|---:|---:|---:|---:|");
    for n in [1_000_000u64, 10_000_000] {
        let members: Vec<[u8; 16]> = (0..n).map(|i| hash(1, i)).collect();
        let queries: Vec<[u8; 16]> = (0..1_000_000u64).map(|i| hash(2, i)).collect();
        for fp in [DEFAULT_FP_RATE, 1e-10] {
            let started = Instant::now();
            let filter = ExactFilter::build(salt, fp, members.iter().map(|h| (HashKind::Md5, &h[..]))).unwrap();
            let build = started.elapsed().as_secs_f64();
            let started = Instant::now();
            let hits = queries.iter().filter(|q| filter.contains(HashKind::Md5, &q[..])).count();
            let lookup = started.elapsed().as_secs_f64() * 1e9 / queries.len() as f64;
            assert!(members.iter().step_by(997).all(|h| filter.contains(HashKind::Md5, h)));
            let bits = filter.bits_per_entry();
            println!(
                "| {n} | Rice-coded fingerprints | {fp:.0e} | {bits:.2} | {:.3} | {build:.2} | {lookup:.0} ({hits} hits) |",
                bits / (1.0 / fp).log2()
            );
        }
        // The Bloom filter it replaces, at the same rate: keys as the old format made them.
        let fp = DEFAULT_FP_RATE;
        let started = Instant::now();
        let mut bloom = bloomfilter::Bloom::<u64>::new_for_fp_rate_with_seed(n as usize, fp, &[7; 32]).unwrap();
        for h in &members {
            bloom.set(&imageguard::entry_key::entry_key(&salt, HashKind::Md5, h));
        }
        let build = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let hits = queries.iter().filter(|q| bloom.check(&imageguard::entry_key::entry_key(&salt, HashKind::Md5, &q[..]))).count();
        let lookup = started.elapsed().as_secs_f64() * 1e9 / queries.len() as f64;
        let bits = bloom.len() as f64 / n as f64;
        println!(
            "| {n} | Bloom (`bloomfilter` 3.0.2, k = {}) | {fp:.0e} | {bits:.2} | {:.3} | {build:.2} | {lookup:.0} ({hits} hits) |",
            bloom.number_of_hash_functions(),
            bits / (1.0 / fp).log2()
        );
    }

    println!("\n| entries | fp setting | fp_rate() | non-member lookups | false positives | measured rate | measured / predicted |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for (n, fp, lookups) in [(12u64, 1e-3, 2_000_000u64), (1_000_000, 1e-4, 20_000_000), (1_000_000, 1e-6, 100_000_000)] {
        let members: Vec<[u8; 16]> = (0..n).map(|i| hash(3, i)).collect();
        let filter = ExactFilter::build(salt, fp, members.iter().map(|h| (HashKind::Md5, &h[..]))).unwrap();
        let filter = &filter;
        let false_positives: usize = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..2u64)
                .map(|t| {
                    scope.spawn(move || {
                        (t..lookups).step_by(2).filter(|&i| filter.contains(HashKind::Md5, &hash(4, i))).count()
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).sum()
        });
        let measured = false_positives as f64 / lookups as f64;
        println!(
            "| {n} | {fp:.0e} | {:.3e} | {lookups} | {false_positives} | {measured:.3e} | {:.2} |",
            filter.fp_rate(),
            measured / filter.fp_rate()
        );
    }
}
