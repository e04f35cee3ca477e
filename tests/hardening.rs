//! Concurrency under load: one Scanner, 16 threads, 10,000 scans, while a full bundle update and then
//! a delta are swapped in.
//!
//! Swap semantics (documented in SECURITY.md): a scan takes the active bundle once, at its start, and
//! finishes on it; an update builds the new bundle completely, then replaces the pointer. So every
//! outcome comes from exactly one bundle version, and each thread sees versions in increasing order.

use imageguard::bundle::{make_delta, sign_bundle, TrustConfig};
use imageguard::decode::{PixelBuffer, PixelFormat};
use imageguard::lists::BundleSpec;
use imageguard::pdq::PdqHash;
use imageguard::scanner::{ScanOutcome, Scanner, ScannerConfig};
use imageguard::signing::SigningKey;
use imageguard_test_support::synthetic::{self, RgbImage};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use imageguard_test_support::fixtures::{self, NOW};
const THREADS: usize = 16;
const SCANS: usize = 10_000;

fn pixels(image: &RgbImage) -> PixelBuffer<'_> {
    PixelBuffer::new(&image.pixels, image.width, image.height, image.width * 3, PixelFormat::Rgb8)
}

fn spec(sequence: u64, known: &[PdqHash]) -> BundleSpec {
    let header = fixtures::header("stress", "synthetic", sequence);
    let mut spec = BundleSpec::new(header);
    spec.pdq = known.to_vec();
    spec
}

#[test]
fn sixteen_threads_scan_ten_thousand_images_while_bundles_swap() {
    let known: Vec<RgbImage> = (1..=8u64).map(|seed| synthetic::photo(seed, 160, 120)).collect();
    let unrelated: Vec<RgbImage> = (500..508u64).map(|seed| synthetic::photo(seed, 160, 120)).collect();
    let known_hashes: Vec<PdqHash> = known
        .iter()
        .map(|image| imageguard::hashing::hash_pixels(&pixels(image), &Default::default()).unwrap().hash())
        .collect();
    let provider = SigningKey::generate().unwrap();
    let sign = |spec: &BundleSpec| sign_bundle(&spec.build().unwrap(), &provider).unwrap();
    let (v1, v2, v3) = (sign(&spec(1, &known_hashes)), sign(&spec(2, &known_hashes)), sign(&spec(3, &known_hashes)));
    let delta_v3 = make_delta(&v2, &v3).unwrap();
    let bundle_id = imageguard::bundle::ParsedBundle::parse(&v1).unwrap().header.bundle_id;
    let config = ScannerConfig::new(TrustConfig::new(vec![provider.verifying_key()], 1).unwrap(), vec![bundle_id], "en");
    let device_key = imageguard::report::DeviceKey::generate().unwrap();
    let scanner = Arc::new(Scanner::new_at(v1, config, &[], &[], Some(device_key), NOW).unwrap());
    let images: Arc<Vec<(RgbImage, bool)>> =
        Arc::new(known.into_iter().map(|i| (i, true)).chain(unrelated.into_iter().map(|i| (i, false))).collect());
    let done = Arc::new(AtomicUsize::new(0));

    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (scanner, images, done) = (scanner.clone(), images.clone(), done.clone());
            std::thread::spawn(move || {
                let mut last_sequence = 0;
                for i in 0..SCANS / THREADS {
                    let (image, is_known) = &images[(t * 7 + i) % images.len()];
                    // The default policy asks for confirmation: a known image is a candidate.
                    let sequence = match scanner.scan_pixels_at(&pixels(image), NOW).unwrap() {
                        ScanOutcome::Match(info) => Some(info.bundle_sequence),
                        ScanOutcome::NeedsConfirmation(pending) => Some(pending.bundle_sequence()),
                        ScanOutcome::NoMatch => None,
                    };
                    match sequence {
                        Some(sequence) => {
                            assert!(*is_known, "an unrelated image matched");
                            assert!(sequence >= last_sequence, "thread {t} went back to an older bundle");
                            last_sequence = sequence;
                        }
                        None => assert!(!is_known, "a known image did not match"),
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
                last_sequence
            })
        })
        .collect();

    // Swap while the workers are mid-run: a full update at ~1/3, a delta at ~2/3.
    let wait_for = |count: usize| {
        while done.load(Ordering::Relaxed) < count {
            std::thread::yield_now();
        }
    };
    wait_for(SCANS / 3);
    assert_eq!(scanner.update_bundle_at(v2, NOW).unwrap().sequence, 2);
    wait_for(2 * SCANS / 3);
    assert_eq!(scanner.apply_delta_at(&delta_v3, NOW).unwrap().sequence, 3);
    let finals: Vec<u64> = workers.into_iter().map(|w| w.join().unwrap()).collect();

    assert_eq!(done.load(Ordering::Relaxed), SCANS);
    assert_eq!(scanner.bundle_info().sequence, 3);
    assert!(finals.iter().all(|&s| (1..=3).contains(&s)), "{finals:?}");
}
