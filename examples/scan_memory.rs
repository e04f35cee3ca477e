//! Peak memory of one scan of a 12 MP JPEG under the default and the low-memory decode limits
//! (issue 16, item 5): the figure behind `DecodeLimits::low_memory` in BENCHMARKS.md.
//!
//! Usage: scan_memory make FILE [--progressive]   (a synthetic 4000x3000 photo, JPEG q90, 4:2:0)
//!        scan_memory scan FILE default|low-memory
//! `scan` prints one JSON object: the process's peak RSS before the scan (library, bundle, the file read
//! into memory) and after it, in KiB. `scripts/bench-memory` runs each measurement in its own process.

use imageguard::bundle::{sign_bundle, TrustConfig};
use imageguard_test_support::fixtures::{self, NOW};
use imageguard::decode::DecodeLimits;
use imageguard::lists::BundleSpec;
use imageguard::scanner::{Scanner, ScannerConfig};
use imageguard::signing::SigningKey;

mod common;

fn make(path: &str, progressive: bool) {
    let photo = imageguard_test_support::synthetic::photo(12, 4000, 3000);
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder.set_progressive(progressive);
    encoder.encode(&photo.pixels, 4000, 3000, jpeg_encoder::ColorType::Rgb).expect("encode");
    std::fs::write(path, out).expect("write");
}

fn scan(path: &str, preset: &str) {
    let provider = SigningKey::generate().expect("key");
    let header = fixtures::header("memory", "l", 1);
    let bundle = sign_bundle(&BundleSpec::new(header).build().expect("bundle"), &provider).expect("sign");
    let mut config = ScannerConfig::new(TrustConfig::new(vec![provider.verifying_key()], 1).expect("trust"), vec!["memory".into()], "en");
    config.limits = match preset {
        "low-memory" => DecodeLimits::low_memory(),
        _ => DecodeLimits::default(),
    };
    config.max_concurrent_scans = Some(1);
    let key = imageguard::report::DeviceKey::generate().expect("device key"); // the default policy reports
    let scanner = Scanner::new_at(bundle, config, &[], &[], Some(key), NOW).expect("scanner");
    let bytes = std::fs::read(path).expect("read");
    let before = common::peak_rss_kib();
    let outcome = scanner.scan_bytes_at(&bytes, NOW);
    let after = common::peak_rss_kib();
    println!(
        "{{\"preset\":\"{preset}\",\"file_kib\":{},\"ok\":{},\"peak_rss_before_kib\":{before},\"peak_rss_after_kib\":{after}}}",
        bytes.len() / 1024,
        outcome.is_ok()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2), args.get(3).map(String::as_str)) {
        (Some("make"), Some(path), flag) => make(path, flag == Some("--progressive")),
        (Some("scan"), Some(path), Some(preset)) => scan(path, preset),
        _ => eprintln!("usage: scan_memory make FILE [--progressive] | scan_memory scan FILE default|low-memory"),
    }
}
