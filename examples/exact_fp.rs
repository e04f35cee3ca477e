//! Measured false positives of the exact filter at 1e-6, from tiny to mid-sized lists: many filters
//! (each its own salt) and millions of lookups of non-members. Prints a Markdown table for BENCHMARKS.md.
//!
//!     cargo run --release --example exact_fp
use imageguard::exact::HashKind;
use imageguard::filter::ExactFilter;

fn main() {
    println!("| entries | filter bytes | bits/entry | lookups | false positives | rate |\n|---:|---:|---:|---:|---:|---:|");
    for &(n, filters, lookups) in &[(12u32, 2000u32, 2500u32), (100, 500, 10000), (1000, 100, 50000), (10000, 20, 250000), (50000, 5, 1000000)] {
        let (mut fps, mut bytes, mut bits_per_entry) = (0usize, 0, 0.0);
        for f in 0..filters {
            let salt = *blake3::hash(&f.to_le_bytes()).as_bytes();
            let members: Vec<[u8; 32]> = (0..n).map(|i| *blake3::hash(&[&salt[..], b"m", &i.to_le_bytes()].concat()).as_bytes()).collect();
            let filter = ExactFilter::build(salt, 1e-6, members.iter().map(|h| (HashKind::Blake3, &h[..]))).unwrap();
            bytes = filter.size_bytes();
            bits_per_entry = filter.bits_per_entry();
            fps += (0..lookups).filter(|i| filter.contains(HashKind::Blake3, blake3::hash(&[&salt[..], b"q", &i.to_le_bytes()].concat()).as_bytes())).count();
        }
        let total = filters as f64 * lookups as f64;
        println!("| {n} | {bytes} | {bits_per_entry:.1} | {total:.0} | {fps} | {:.1e} |", fps as f64 / total);
    }
}
