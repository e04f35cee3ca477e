//! Measures what a platform and a device pay for a large list: build time, bundle size, bits per entry,
//! load (verify) time, the per-image cost of the filter checks, and scan throughput on real-size JPEGs.
//! Used by `scripts/bench-bundle`, which prints the table into BENCHMARKS.md.
//!
//! Usage: bench_bundle ENTRIES [JPEG...]

use imageguard::bundle::{sign_bundle, verify_bundle, BundleHeader, TrustConfig, TrustState};
use imageguard::entry_key::mix64;
use imageguard::exact::HashKind;
use imageguard::hashing::{self, HashOptions};
use imageguard::lists::BundleSpec;
use imageguard::pdq::PdqHash;
use imageguard::scanner::{Scanner, ScannerConfig};
use imageguard::signing::SigningKey;
use std::time::Instant;

fn hash_of(i: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (j, chunk) in out.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&mix64(i * 4 + j as u64 + 1).to_le_bytes());
    }
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let entries: u64 = args[1].parse().expect("ENTRIES");
    let now = 1_800_000_000;
    let mut spec = BundleSpec::new(BundleHeader {
        bundle_id: "bench".into(),
        list_ids: vec!["random".into()],
        sequence: 1,
        created: now,
        expires: now + 86400,
        salt: [1; 32],
    });
    // Half BLAKE3 file hashes, and as many PDQ hashes (random: what a list of unrelated photos looks like).
    spec.exact.push((HashKind::Blake3, (0..entries).map(|i| hash_of(i).to_vec()).collect()));
    spec.pdq = (0..entries).map(|i| PdqHash(hash_of(i + entries))).collect();
    let start = Instant::now();
    let unsigned = spec.build().expect("build");
    let build_s = start.elapsed().as_secs_f64();
    let key = SigningKey::generate().expect("key");
    let bundle = sign_bundle(&unsigned, &key).expect("sign");
    let trust = TrustConfig::new(vec![key.verifying_key()], 1).expect("trust");

    let loads: Vec<f64> = (0..5)
        .map(|_| {
            let bytes = bundle.clone();
            let start = Instant::now();
            let verified = verify_bundle(bytes, &trust, &TrustState::new(), now).expect("verify");
            std::hint::black_box(verified.root());
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let bundle_id = imageguard::bundle::ParsedBundle::parse(&bundle).expect("parse").header.bundle_id;
    let config = ScannerConfig::new(trust, vec![bundle_id], "en");
    let device_key = imageguard::report::DeviceKey::generate().expect("key");
    let start = Instant::now();
    let scanner = Scanner::new_at(bundle.clone(), config, &[], &[], Some(device_key), now).expect("scanner");
    let scanner_load_ms = start.elapsed().as_secs_f64() * 1e3;
    let info = scanner.bundle_info();
    println!("entries: {entries} exact (BLAKE3) + {entries} PDQ (in both filters)");
    println!("build (unsigned, both filters): {build_s:.2} s");
    println!("bundle size: {:.1} MB", bundle.len() as f64 / 1e6);
    println!("verify (parse + BLAKE3 root + signature): median {:.1} ms; scanner ready (+ sections): {scanner_load_ms:.1} ms", median(loads));
    println!("bundle root {}", info.root_hex);

    // The filter checks alone, on non-matching images' features (the common case).
    let parsed = imageguard::bundle::ParsedBundle::parse(&bundle).expect("parse");
    let range = parsed.sections.iter().find(|(k, _)| *k == imageguard::bundle::SectionKind::PerceptualFilter).expect("section").1.clone();
    let all = std::sync::Arc::new(bundle.clone());
    let perceptual = imageguard::filter::PerceptualFilter::from_bundle(all, range, &[1; 32]).expect("filter");
    let features: Vec<_> = (0..50u64)
        .map(|seed| {
            let luma = imageguard::pdq::LumaImage::from_fn(256, 256, |x, y| (mix64(seed * 7919 + (x as u64 / 16) * 31 + y as u64 / 16) & 255) as f32);
            imageguard::pdq::compute(luma)
        })
        .collect();
    let start = Instant::now();
    let mut hits = 0;
    for f in &features {
        hits += usize::from(perceptual.query(f).is_some());
    }
    let query_us = start.elapsed().as_secs_f64() * 1e6 / features.len() as f64;
    println!(
        "perceptual filter: {:.1} bytes/entry, {} probes/image, query {query_us:.0} us/image (non-matching; {hits} hits in {})",
        perceptual.bytes_per_entry(),
        perceptual.probes_per_image(),
        features.len()
    );

    // Per-image cost in the scanner: everything after hashing, on images that do not match.
    let images: Vec<Vec<u8>> = args[2..].iter().map(|p| std::fs::read(p).expect("read")).collect();
    for (path, bytes) in args[2..].iter().zip(&images) {
        let hashes = hashing::hash_bytes(bytes, &HashOptions::default()).expect("hash");
        let runs = 20;
        let start = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(scanner.scan_bytes_at(bytes, now).expect("scan"));
        }
        let scan_ms = start.elapsed().as_secs_f64() * 1e3 / runs as f64;
        let start = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(hashing::hash_bytes(bytes, &HashOptions::default()).expect("hash"));
        }
        let hash_ms = start.elapsed().as_secs_f64() * 1e3 / runs as f64;
        let filter_us = ((scan_ms - hash_ms) * 1e3).max(0.0);
        // Throughput with both cores.
        let threads = 2;
        let per_thread = 10;
        let start = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    for _ in 0..per_thread {
                        std::hint::black_box(scanner.scan_bytes_at(bytes, now).expect("scan"));
                    }
                });
            }
        });
        let rate = (threads * per_thread) as f64 / start.elapsed().as_secs_f64();
        println!(
            "{} ({}x{}): scan {scan_ms:.1} ms/image, of which filter checks ~{filter_us:.0} us ({:.1}%); {rate:.1} images/s on {threads} threads",
            std::path::Path::new(path).file_name().and_then(|n| n.to_str()).unwrap_or("?"),
            hashes.width,
            hashes.height,
            100.0 * filter_us / 1e3 / scan_ms
        );
    }
}
