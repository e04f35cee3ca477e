//! The scanner end to end: known images and their edits match as the policy says, unrelated images do
//! not, and nothing about them escapes.
//!
//! These tests use a policy that acts on hits without confirmation (`list build --no-confirmation`), to
//! test matching and the policy alone; `tests/scanner_confirm.rs` tests the default, confirmed flow.

use imageguard::bundle::{sign_bundle, BundleError, BundleHeader, TrustConfig};
use imageguard::decode::{PixelBuffer, PixelFormat};
use imageguard::exact::{self, ExactHashRequest, HashKind};
use imageguard::filter::PerceptualFilter;
use imageguard::lists::BundleSpec;
use imageguard::pdq::PdqHash;
use imageguard::policy::{Action, NegativeList, Policy};
use imageguard::report::{verify_report, DeviceKey, MatchedEntry};
use imageguard::scanner::{MatchInfo, MatchKind, ScanError, ScanInput, ScanOutcome, Scanner, ScannerConfig};
use imageguard::signing::SigningKey;
use imageguard_test_support::synthetic::{self, RgbImage};
use imageguard_test_support::with;
use std::sync::{Arc, Mutex};

use imageguard_test_support::fixtures::{self, NOW};

fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    image.to_jpeg(quality)
}

struct Fixture {
    known: Vec<RgbImage>,
    known_files: Vec<Vec<u8>>,
    unrelated: Vec<RgbImage>,
    provider: SigningKey,
    spec: BundleSpec,
}

fn header(sequence: u64) -> BundleHeader {
    with(fixtures::header("test", "synthetic-known", sequence), |h| h.expires = NOW + 30 * fixtures::DAY)
}

fn fixture() -> Fixture {
    let known: Vec<RgbImage> = (100..110u64).map(|seed| synthetic::photo(seed, 800, 600)).collect();
    let unrelated = (200..220u64).map(|seed| synthetic::photo(seed, 800, 600)).collect();
    let known_files: Vec<Vec<u8>> = known.iter().map(|image| jpeg(image, 92)).collect();
    let mut spec = BundleSpec::new(header(1));
    spec.exact.push((
        HashKind::Blake3,
        known_files.iter().map(|file| exact::exact_hashes(file, ExactHashRequest::BLAKE3_ONLY).blake3.to_vec()).collect(),
    ));
    spec.exact.push((
        HashKind::Md5,
        known_files.iter().map(|file| exact::exact_hashes(file, ExactHashRequest::ALL).get(HashKind::Md5).unwrap().to_vec()).collect(),
    ));
    spec.pdq = known_files
        .iter()
        .map(|file| imageguard::hashing::hash_bytes(file, &Default::default()).unwrap().pdq.hash())
        .collect();
    spec.policy = unconfirmed();
    Fixture { known, known_files, unrelated, provider: SigningKey::generate().unwrap(), spec }
}

/// The default policy, acting on hits without asking the platform to confirm them.
fn unconfirmed() -> Policy {
    Policy { confirm_exact: false, confirm_perceptual_strong: false, confirm_perceptual_weak: false, ..Policy::default() }
}

fn config(f: &Fixture) -> ScannerConfig {
    let trust = TrustConfig::new(vec![f.provider.verifying_key()], 1).unwrap();
    with(ScannerConfig::new(trust, vec!["test".into()], "fr-CA"), |c| c.report_context = b"surface=upload".to_vec())
}

fn signed_bundle(f: &Fixture, spec: &BundleSpec) -> Vec<u8> {
    sign_bundle(&spec.build().unwrap(), &f.provider).unwrap()
}

fn key() -> Option<DeviceKey> {
    Some(DeviceKey::generate().unwrap())
}

fn scanner(f: &Fixture, device_key: Option<DeviceKey>) -> Scanner {
    Scanner::new_at(signed_bundle(f, &f.spec), config(f), &[], &[], device_key, NOW).unwrap()
}

fn matched(outcome: ScanOutcome) -> MatchInfo {
    match outcome {
        ScanOutcome::Match(info) => *info,
        ScanOutcome::NoMatch => panic!("expected a match"),
        ScanOutcome::NeedsConfirmation(_) => panic!("expected a match without confirmation"),
    }
}

#[test]
fn known_file_matches_exactly_with_prompt_and_verifiable_report() {
    let f = fixture();
    let device = DeviceKey::generate().unwrap();
    let device_public = imageguard::signing::VerifyingKey::from_bytes(&device.public_key()).unwrap();
    let s = scanner(&f, Some(device));
    let info = matched(s.scan_bytes_at(&f.known_files[3], NOW).unwrap());
    assert_eq!(info.kind, MatchKind::Exact { algorithm: HashKind::Blake3 });
    assert_eq!(info.action, Action::PromptAndReport);
    assert_eq!((info.bundle_id.as_str(), info.list_id.as_str(), info.bundle_sequence), ("test", "synthetic-known", 1));
    let prompt = info.prompt.expect("prompt");
    assert_eq!(prompt.texts.tag, "fr", "fr-CA falls back to fr");
    let report = verify_report(&info.report.expect("report"), &[device_public]).unwrap();
    assert_eq!(report.context, b"surface=upload");
    let blake3 = exact::exact_hashes(&f.known_files[3], ExactHashRequest::BLAKE3_ONLY).blake3;
    assert_eq!(report.entry, MatchedEntry::Exact { kind: HashKind::Blake3, hash: blake3.to_vec() });
    assert_eq!(u64::from(report.created_minutes), NOW / 60);
}

#[test]
fn edited_copies_match_perceptually_and_unrelated_images_do_not() {
    let f = fixture();
    let s = scanner(&f, key());
    let mut hits = 0;
    let mut total = 0;
    for image in &f.known {
        for edited in [jpeg(image, 55), jpeg(&image.shrink(2), 85), jpeg(&image.flip_horizontal(), 90), jpeg(&image.rotate_90(), 90), jpeg(&image.watermark(), 90), jpeg(&image.brighten(-20), 90)] {
            total += 1;
            if let ScanOutcome::Match(info) = s.scan_bytes_at(&edited, NOW).unwrap() {
                assert!(matches!(info.kind, MatchKind::Perceptual { .. } | MatchKind::Exact { algorithm: HashKind::PdqExact }));
                hits += 1;
            }
        }
    }
    assert!(hits * 100 >= total * 90, "{hits} of {total} edited copies matched");
    let flipped = matched(s.scan_bytes_at(&jpeg(&f.known[0].flip_horizontal(), 90), NOW).unwrap());
    // The image's mirror image is the listed one: matched through the variant the reference calls flipy
    // (a left-right mirror), or through its exact PDQ hash.
    assert!(
        matches!(
            flipped.kind,
            MatchKind::Perceptual { variant: imageguard::pdq::Dihedral::FlipY, .. } | MatchKind::Exact { algorithm: HashKind::PdqExact }
        ),
        "{:?}",
        flipped.kind
    );
    for image in &f.unrelated {
        assert_eq!(s.scan_bytes_at(&jpeg(image, 90), NOW).unwrap(), ScanOutcome::NoMatch);
    }
}

#[test]
fn raw_pixels_and_batches_scan_too() {
    let f = fixture();
    let s = scanner(&f, key());
    let image = &f.known[1];
    let pixels = PixelBuffer::new(&image.pixels, image.width, image.height, image.width * 3, PixelFormat::Rgb8);
    assert!(matches!(s.scan_pixels_at(&pixels, NOW).unwrap(), ScanOutcome::Match(_)));
    let unrelated = jpeg(&f.unrelated[0], 90);
    let inputs = [ScanInput::Bytes(&f.known_files[0]), ScanInput::Bytes(&unrelated), ScanInput::Bytes(b"junk"), ScanInput::Bytes(&f.known_files[1])];
    let mut calls = Vec::new();
    let results = s.scan_batch(&inputs, |done, total| {
        calls.push((done, total));
        done < 3 // cancel after the third
    });
    assert_eq!(calls, [(1, 4), (2, 4), (3, 4)]);
    assert!(matches!(results[0], Ok(ScanOutcome::Match(_))));
    assert_eq!(results[1], Ok(ScanOutcome::NoMatch));
    assert!(matches!(results[2], Err(ScanError::Image(_))));
    assert_eq!(results[3], Err(ScanError::Cancelled));
}

#[test]
fn negative_list_threshold_and_cap_follow_the_bundle_policy() {
    let f = fixture();
    let mut spec = f.spec.clone();
    let benign = exact::exact_hashes(&f.known_files[0], ExactHashRequest::ALL);
    let benign_pdq = imageguard::hashing::hash_bytes(&f.known_files[0], &Default::default()).unwrap().pdq.dihedral_hashes().to_vec();
    spec.negative = NegativeList::new(
        &spec.header.salt,
        [(HashKind::Blake3, &benign.blake3[..]), (HashKind::Md5, benign.get(HashKind::Md5).unwrap())],
        benign_pdq,
    );
    spec.policy = Policy { report_threshold: 2, per_entry_cap: 2, ..unconfirmed() };
    let s = Scanner::new_at(signed_bundle(&f, &spec), config(&f), &[], &[], Some(DeviceKey::generate().unwrap()), NOW).unwrap();
    assert_eq!(s.scan_bytes_at(&f.known_files[0], NOW).unwrap(), ScanOutcome::NoMatch, "negative list");

    let first = matched(s.scan_bytes_at(&f.known_files[1], NOW).unwrap());
    assert_eq!((first.action, first.report.is_some()), (Action::Prompt, false), "threshold 2: no report yet");
    let second = matched(s.scan_bytes_at(&f.known_files[1], NOW + 60).unwrap());
    assert_eq!((second.action, second.report.is_some()), (Action::PromptAndReport, true));
    let third = matched(s.scan_bytes_at(&f.known_files[1], NOW + 120).unwrap());
    assert_eq!((third.action, third.prompt, third.report), (Action::None, None, None), "cap of 2 per entry");

    // The decision state survives a restart through the app's storage.
    let saved = s.decision_state();
    let restarted = Scanner::new_at(signed_bundle(&f, &spec), config(&f), &s.trust_state(), &saved, key(), NOW + 180).unwrap();
    assert_eq!(matched(restarted.scan_bytes_at(&f.known_files[1], NOW + 180).unwrap()).action, Action::None);
}

#[test]
fn rolled_back_and_wrongly_signed_bundles_are_refused_and_an_expired_one_loads_stale() {
    let f = fixture();
    let good = signed_bundle(&f, &f.spec);
    let later = NOW + 86400 * 31;
    let expired = Scanner::new_at(good.clone(), config(&f), &[], &[], key(), later).unwrap();
    assert_eq!(expired.bundle_info_at(later).stale, Some(imageguard::bundle::StaleReason::Expired));
    let stranger = SigningKey::generate().unwrap();
    let wrong = sign_bundle(&f.spec.build().unwrap(), &stranger).unwrap();
    assert!(matches!(
        Scanner::new_at(wrong, config(&f), &[], &[], key(), NOW),
        Err(ScanError::Bundle(BundleError::NotEnoughSignatures { valid: 0, required: 1 }))
    ));

    let s = Scanner::new_at(good, config(&f), &[], &[], key(), NOW).unwrap();
    let mut v2 = f.spec.clone();
    v2.header.sequence = 2;
    v2.pdq.truncate(5);
    let info = s.update_bundle_at(signed_bundle(&f, &v2), NOW).unwrap();
    assert_eq!(info.sequence, 2);
    let mut v1 = f.spec.clone();
    v1.header.sequence = 1;
    assert!(matches!(s.update_bundle_at(signed_bundle(&f, &v1), NOW), Err(ScanError::Bundle(BundleError::Rollback { got: 1, accepted: 2 }))));
    assert_eq!(s.bundle_info().sequence, 2, "a refused update changes nothing");
    // A fresh scanner fed the app's saved trust state also refuses the old bundle.
    assert!(matches!(
        Scanner::new_at(signed_bundle(&f, &f.spec), config(&f), &s.trust_state(), &[], key(), NOW),
        Err(ScanError::Bundle(BundleError::Rollback { .. }))
    ));
}

#[test]
fn deltas_update_a_scanner_atomically() {
    let f = fixture();
    let mut small = f.spec.clone();
    small.pdq.truncate(5);
    small.exact.clear();
    let old = signed_bundle(&f, &small);
    let s = Scanner::new_at(old.clone(), config(&f), &[], &[], key(), NOW).unwrap();
    assert_eq!(s.scan_bytes_at(&jpeg(&f.known[8], 60), NOW).unwrap(), ScanOutcome::NoMatch);
    let mut bigger = f.spec.clone();
    bigger.exact.clear();
    bigger.header.sequence = 2;
    let new = signed_bundle(&f, &bigger);
    let delta = imageguard::bundle::make_delta(&old, &new).unwrap();
    let mut tampered = delta.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(s.apply_delta_at(&tampered, NOW).is_err());
    assert_eq!(s.bundle_info().sequence, 1);
    assert_eq!(s.apply_delta_at(&delta, NOW).unwrap().sequence, 2);
    assert_eq!(&s.bundle_bytes()[..], &new[..]);
    assert!(matches!(s.scan_bytes_at(&jpeg(&f.known[8], 60), NOW).unwrap(), ScanOutcome::Match(_)));
}

#[test]
fn many_threads_scan_one_scanner_while_the_bundle_is_swapped() {
    let f = fixture();
    let s = Arc::new(scanner(&f, key()));
    let files: Arc<Vec<(Vec<u8>, bool)>> = Arc::new(
        f.known_files.iter().map(|file| (file.clone(), true)).chain(f.unrelated.iter().take(6).map(|i| (jpeg(i, 90), false))).collect(),
    );
    let mut v2 = f.spec.clone();
    v2.header.sequence = 2;
    let update = signed_bundle(&f, &v2);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (s, files) = (s.clone(), files.clone());
            std::thread::spawn(move || {
                for i in 0..40 {
                    let (file, known) = &files[(t + i) % files.len()];
                    let outcome = s.scan_bytes_at(file, NOW).unwrap();
                    assert_eq!(matches!(outcome, ScanOutcome::Match(_)), *known);
                }
            })
        })
        .collect();
    s.update_bundle_at(update, NOW).unwrap();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(s.bundle_info().sequence, 2);
}

/// Captures every log record from every thread, with the thread that wrote it: other tests in
/// this binary run in parallel and log their own matches.
struct Capture(Mutex<Vec<(std::thread::ThreadId, String)>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}", record.target(), record.args());
        self.0.lock().unwrap().push((std::thread::current().id(), line));
    }
    fn flush(&self) {}
}

#[test]
fn non_matching_scans_leave_no_trace() {
    static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));
    log::set_logger(&CAPTURE).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let f = fixture();
    let s = scanner(&f, Some(DeviceKey::generate().unwrap()));
    let before_state = s.decision_state();
    let this_thread = std::thread::current().id();
    let own_lines = || -> Vec<String> {
        let lines = CAPTURE.0.lock().unwrap();
        lines.iter().filter(|(thread, _)| *thread == this_thread).map(|(_, line)| line.clone()).collect()
    };
    let lines_before = own_lines().len();
    let mut secrets = Vec::new();
    for image in &f.unrelated {
        let file = jpeg(image, 90);
        let hashes = imageguard::hashing::hash_bytes(&file, &Default::default()).unwrap();
        secrets.push(imageguard::hex::encode(&hashes.exact.blake3));
        secrets.extend(hashes.pdq.dihedral_hashes().iter().map(PdqHash::to_hex));
        assert_eq!(s.scan_bytes_at(&file, NOW).unwrap(), ScanOutcome::NoMatch);
    }
    assert_eq!(s.decision_state(), before_state, "non-matches never reach the decision state");
    let lines = own_lines();
    assert_eq!(lines.len(), lines_before, "non-matching scans log nothing: {:?}", &lines[lines_before..]);
    // And even a match logs no hash material, on any thread.
    matched(s.scan_bytes_at(&f.known_files[0], NOW).unwrap());
    assert!(own_lines().len() > lines_before, "a match is logged");
    let lines: Vec<String> = CAPTURE.0.lock().unwrap().iter().map(|(_, line)| line.clone()).collect();
    let known_hex = imageguard::hex::encode(&exact::exact_hashes(&f.known_files[0], ExactHashRequest::BLAKE3_ONLY).blake3);
    for line in &lines {
        assert!(!line.contains(&known_hex) && secrets.iter().all(|s| !line.contains(s.as_str())), "hash in log: {line}");
    }
}

#[test]
fn the_library_has_no_networking_dependency() {
    let output = std::process::Command::new(env!("CARGO"))
        .args(["tree", "--manifest-path", concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"), "-p", "imageguard"])
        .args(["--no-default-features", "-e", "normal", "--prefix", "none", "--offline"])
        .output()
        .expect("cargo tree");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let tree = String::from_utf8_lossy(&output.stdout);
    let crates: Vec<&str> = tree.lines().filter_map(|line| line.split_whitespace().next()).collect();
    assert!(crates.contains(&"blake3"), "the tree was read");
    for networking in ["reqwest", "hyper", "ureq", "curl", "tokio", "mio", "socket2", "h2", "rustls", "native-tls", "openssl", "async-std", "surf", "isahc", "attohttpc"] {
        assert!(!crates.contains(&networking), "networking crate {networking} in the library's dependencies");
    }
}

/// A hash that agrees with `hash` on the first band only: every other bit a band reads is flipped.
fn one_band_neighbour(hash: &PdqHash, spec: &BundleSpec) -> PdqHash {
    let layout_source = PerceptualFilter::build(&spec.header.salt, spec.perceptual, &[]).unwrap();
    let bands = layout_source.band_layout();
    let mut neighbour = *hash;
    for bit in 0..=255u8 {
        if !bands[0].contains(&bit) && bands[1..].iter().any(|band| band.contains(&bit)) {
            neighbour.flip_bit(usize::from(bit));
        }
    }
    neighbour
}

#[test]
fn weak_hits_never_act_alone_and_lead_only_to_a_confirmation_request_when_asked() {
    let f = fixture();
    let image = jpeg(&f.unrelated[0], 90);
    let hash = imageguard::hashing::hash_bytes(&image, &Default::default()).unwrap().pdq.hash();
    let mut spec = BundleSpec::new(header(1));
    spec.pdq = vec![one_band_neighbour(&hash, &spec)];
    spec.policy = unconfirmed();
    let bundle = signed_bundle(&f, &spec);

    let default = Scanner::new_at(bundle.clone(), config(&f), &[], &[], key(), NOW).unwrap();
    assert_eq!(default.scan_bytes_at(&image, NOW).unwrap(), ScanOutcome::NoMatch, "a weak hit alone is no match by default");

    // Even when the app asks for weak prompts, a weak hit without confirmation acts on nothing.
    let opted_in = with(config(&f), |c| c.overrides.perceptual_weak = Some(Action::Prompt));
    let s = Scanner::new_at(bundle, opted_in.clone(), &[], &[], key(), NOW).unwrap();
    assert_eq!(s.scan_bytes_at(&image, NOW).unwrap(), ScanOutcome::NoMatch, "a weak hit never prompts alone");

    // With confirmation (the default policy) it becomes a confirmation request, and the platform's list
    // shows no entry within distance 31 (the neighbour shares one band only): nothing at all.
    spec.policy = Policy::default();
    let (unsigned, lists) = spec.build_with_lists().unwrap();
    let s = Scanner::new_at(sign_bundle(&unsigned, &f.provider).unwrap(), opted_in, &[], &[], key(), NOW).unwrap();
    let ScanOutcome::NeedsConfirmation(pending) = s.scan_bytes_at(&image, NOW).unwrap() else { panic!("expected a request") };
    assert!(pending.provisional_prompt().is_none());
    let response = lists.answer_bytes(pending.request_bytes()).unwrap();
    assert_eq!(s.confirm_at(&pending, &response, NOW).unwrap(), ScanOutcome::NoMatch);
    assert_eq!(s.decision_state(), Scanner::new_at(signed_bundle(&f, &spec), config(&f), &[], &[], key(), NOW).unwrap().decision_state());
}

#[test]
fn a_class_the_policy_ignores_does_not_hide_another_that_it_acts_on() {
    let f = fixture();
    let mut spec = f.spec.clone();
    spec.policy = Policy { exact: Action::None, ..unconfirmed() };
    let s = Scanner::new_at(signed_bundle(&f, &spec), config(&f), &[], &[], key(), NOW).unwrap();
    // The listed file itself: its file hash and PDQ hash are exact hits, which this policy ignores; its
    // perceptual hit still counts.
    let info = matched(s.scan_bytes_at(&f.known_files[2], NOW).unwrap());
    assert!(matches!(info.kind, MatchKind::Perceptual { strength: imageguard::report::MatchStrength::Strong, .. }), "{:?}", info.kind);
    assert_eq!(info.action, Action::PromptAndReport);
}
