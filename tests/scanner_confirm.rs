//! The scanner's default flow: a filter hit is a candidate, confirmed against the platform's lists
//! (answered in-process here) before anything is shown or reported.

use imageguard::bundle::{sign_bundle, TrustConfig};
use imageguard::confirm::{ConfirmError, PlatformLists};
use imageguard::exact::{self, ExactHashRequest, HashKind};
use imageguard::filter::PerceptualFilter;
use imageguard::lists::BundleSpec;
use imageguard::policy::{Action, Policy};
use imageguard::report::{verify_report, DeviceKey, MatchedEntry};
use imageguard::scanner::{MatchKind, PendingConfirmation, ScanError, ScanOutcome, Scanner, ScannerConfig};
use imageguard::signing::{SigningKey, VerifyingKey};
use imageguard_test_support::synthetic::{self, RgbImage};

use imageguard_test_support::fixtures::{self, NOW};
use imageguard_test_support::with;

fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    image.to_jpeg(quality)
}

fn pdq_of(file: &[u8]) -> imageguard::pdq::PdqFeatures {
    imageguard::hashing::hash_bytes(file, &Default::default()).unwrap().pdq
}

struct Setup {
    known: Vec<RgbImage>,
    known_files: Vec<Vec<u8>>,
    provider: SigningKey,
    spec: BundleSpec,
}

fn setup() -> Setup {
    let known: Vec<RgbImage> = (300..304u64).map(|seed| synthetic::photo(seed, 640, 480)).collect();
    let known_files: Vec<Vec<u8>> = known.iter().map(|image| jpeg(image, 92)).collect();
    // This salt's filter lets the collision test below find a hit in its 5000 tries.
    let mut spec = BundleSpec::new(with(fixtures::header("confirm", "known", 3), |h| h.salt = [8; 32]));
    let blake3 = known_files.iter().map(|f| exact::exact_hashes(f, ExactHashRequest::BLAKE3_ONLY).blake3.to_vec()).collect();
    spec.exact.push((HashKind::Blake3, blake3));
    spec.pdq = known_files.iter().map(|f| pdq_of(f).hash()).collect();
    Setup { known, known_files, provider: SigningKey::generate().unwrap(), spec }
}

fn scanner(setup: &Setup, spec: &BundleSpec, device: Option<DeviceKey>) -> (Scanner, PlatformLists) {
    let (unsigned, lists) = spec.build_with_lists().unwrap();
    let config = ScannerConfig::new(TrustConfig::new(vec![setup.provider.verifying_key()], 1).unwrap(), vec!["confirm".into()], "en");
    (Scanner::new_at(sign_bundle(&unsigned, &setup.provider).unwrap(), config, &[], &[], device, NOW).unwrap(), lists)
}

fn pending(outcome: ScanOutcome) -> Box<PendingConfirmation> {
    match outcome {
        ScanOutcome::NeedsConfirmation(pending) => pending,
        other => panic!("expected a confirmation request, got {other:?}"),
    }
}

/// Scans, asks the platform, confirms.
fn scan_and_confirm(s: &Scanner, lists: &PlatformLists, file: &[u8]) -> ScanOutcome {
    let pending = pending(s.scan_bytes_at(file, NOW).unwrap());
    let response = lists.answer_bytes(pending.request_bytes()).unwrap();
    s.confirm_at(&pending, &response, NOW).unwrap()
}

#[test]
fn a_listed_image_and_an_edited_copy_prompt_and_report_only_after_confirmation_naming_the_listed_entry() {
    let setup = setup();
    let device = DeviceKey::generate().unwrap();
    let device_public = VerifyingKey::from_bytes(&device.public_key()).unwrap();
    let (s, lists) = scanner(&setup, &setup.spec, Some(device));

    let file = &setup.known_files[1];
    let first = pending(s.scan_bytes_at(file, NOW).unwrap());
    assert!(first.provisional_prompt().is_none(), "nothing is shown while pending by default");
    // The request carries no hash of the image (nor any 4-byte piece of one).
    let hashes = imageguard::hashing::hash_bytes(file, &Default::default()).unwrap();
    let secrets: Vec<Vec<u8>> =
        std::iter::once(hashes.exact.blake3.to_vec()).chain(hashes.pdq.dihedral_hashes().iter().map(|h| h.0.to_vec())).collect();
    for secret in &secrets {
        assert!(secret.windows(4).all(|piece| !first.request_bytes().windows(4).any(|w| w == piece)));
    }
    let response = lists.answer_bytes(first.request_bytes()).unwrap();
    let ScanOutcome::Match(info) = s.confirm_at(&first, &response, NOW).unwrap() else { panic!("not confirmed") };
    assert_eq!(info.kind, MatchKind::Exact { algorithm: HashKind::Blake3 });
    assert_eq!(info.action, Action::PromptAndReport);
    assert!(info.prompt.is_some());
    let report = verify_report(&info.report.unwrap(), &[device_public]).unwrap();
    assert_eq!(report.entry, MatchedEntry::Exact { kind: HashKind::Blake3, hash: hashes.exact.blake3.to_vec() });

    // A re-encoded copy: a perceptual candidate, confirmed by distance; the report names the listed PDQ
    // hash, not the copy's own.
    let edited = jpeg(&setup.known[2], 60);
    let own = pdq_of(&edited).hash();
    let ScanOutcome::Match(info) = scan_and_confirm(&s, &lists, &edited) else { panic!("edited copy not confirmed") };
    assert!(matches!(info.kind, MatchKind::Perceptual { .. }), "{:?}", info.kind);
    let report = verify_report(&info.report.unwrap(), &[device_public]).unwrap();
    let MatchedEntry::Perceptual { hash, .. } = report.entry else { panic!("{:?}", report.entry) };
    assert_eq!(hash, setup.spec.pdq[2]);
    assert_ne!(hash, own, "the copy's own hash differs from the listed one and is not reported");
}

#[test]
fn a_crafted_exact_collision_hits_the_filter_but_is_not_confirmed_and_leaves_no_trace() {
    let setup = setup();
    let mut spec = setup.spec.clone();
    // A weak filter (just under the 1e-3 per lookup devices accept), so that grinding takes ~100 tries
    // instead of ~2e10.
    spec.exact_fp_rate = 9e-4;
    let (s, lists) = scanner(&setup, &spec, Some(DeviceKey::generate().unwrap()));
    let state_before = s.decision_state();
    // Append 8 bytes after a harmless JPEG's end marker until its BLAKE3 passes the exact filter.
    let harmless = jpeg(&synthetic::photo(999, 200, 150), 90);
    let (crafted, candidate) = (0u64..5000)
        .find_map(|i| {
            let mut file = harmless.clone();
            file.extend_from_slice(&i.to_le_bytes());
            match s.scan_bytes_at(&file, NOW).unwrap() {
                ScanOutcome::NeedsConfirmation(pending) => Some((file, pending)),
                ScanOutcome::NoMatch => None,
                ScanOutcome::Match(_) => panic!("a filter hit acted without confirmation"),
            }
        })
        .expect("grinding found a filter hit");
    assert_ne!(crafted, harmless);
    let response = lists.answer_bytes(candidate.request_bytes()).unwrap();
    assert_eq!(s.confirm_at(&candidate, &response, NOW).unwrap(), ScanOutcome::NoMatch);
    assert_eq!(s.decision_state(), state_before, "an unconfirmed hit is not recorded");
}

#[test]
fn a_crafted_two_band_collision_is_a_strong_filter_hit_but_is_not_confirmed() {
    let setup = setup();
    let image = jpeg(&synthetic::photo(777, 640, 480), 90);
    let hash = pdq_of(&image).hash();
    let mut spec = setup.spec.clone();
    spec.pdq.push(fixtures::band_collision(&spec, hash));
    let filter = PerceptualFilter::build(&spec.header.salt, spec.perceptual, &spec.pdq).unwrap();
    let hit = filter.query(&pdq_of(&image)).expect("a filter hit");
    assert_eq!(hit.strength, imageguard::report::MatchStrength::Strong);
    let (s, lists) = scanner(&setup, &spec, Some(DeviceKey::generate().unwrap()));
    let candidate = pending(s.scan_bytes_at(&image, NOW).unwrap());
    let response = lists.answer_bytes(candidate.request_bytes()).unwrap();
    assert_eq!(s.confirm_at(&candidate, &response, NOW).unwrap(), ScanOutcome::NoMatch);
}

#[test]
fn a_crafted_collision_on_one_picture_does_not_hide_a_real_match_on_another() {
    let setup = setup();
    // A listed photo inside a wide border: only the photo found inside the border matches.
    let bordered = jpeg(&setup.known[0].with_border(0.15, [250, 250, 250]), 92);
    let (s, lists) = scanner(&setup, &setup.spec, Some(DeviceKey::generate().unwrap()));
    let ScanOutcome::Match(plain) = scan_and_confirm(&s, &lists, &bordered) else { panic!("the bordered copy is not confirmed") };
    let reference = pdq_of(&bordered).hash();
    assert!(setup.spec.pdq.iter().all(|listed| listed.distance(&reference) > 31), "only the inner picture is near the list");

    // The sender crafts a strong filter hit for the reference picture (the whole bordered image). Its
    // candidate is asked about together with the inner picture's, so the real match is still confirmed.
    let mut spec = setup.spec.clone();
    spec.pdq.push(fixtures::band_collision(&spec, reference));
    let device = DeviceKey::generate().unwrap();
    let device_public = VerifyingKey::from_bytes(&device.public_key()).unwrap();
    let (s, lists) = scanner(&setup, &spec, Some(device));
    let ScanOutcome::Match(info) = scan_and_confirm(&s, &lists, &bordered) else { panic!("a crafted hit hid the real match") };
    assert_eq!(info.kind, plain.kind);
    let report = verify_report(&info.report.unwrap(), &[device_public]).unwrap();
    // The inner picture hashes exactly to the listed PDQ hash: an exact PDQ match, named by that entry.
    let listed = match report.entry {
        MatchedEntry::Exact { kind: HashKind::PdqExact, hash } => hash,
        MatchedEntry::Perceptual { hash, .. } => hash.0.to_vec(),
        other => panic!("{other:?}"),
    };
    assert_eq!(listed, setup.spec.pdq[0].0.to_vec(), "the report names the listed photo, not the crafted entry");
}

#[test]
fn replayed_and_tampered_answers_are_refused_and_a_handle_confirms_once() {
    let setup = setup();
    let (s, lists) = scanner(&setup, &setup.spec, Some(DeviceKey::generate().unwrap()));
    let file = &setup.known_files[0];
    let earlier = pending(s.scan_bytes_at(file, NOW).unwrap());
    let replayed = lists.answer_bytes(earlier.request_bytes()).unwrap();
    let current = pending(s.scan_bytes_at(file, NOW).unwrap());
    assert!(matches!(s.confirm_at(&current, &replayed, NOW), Err(ScanError::Confirmation(ConfirmError::NonceMismatch { .. }))));
    let mut tampered = lists.answer_bytes(current.request_bytes()).unwrap();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(matches!(s.confirm_at(&current, &tampered, NOW), Err(ScanError::Confirmation(ConfirmError::BadProof { .. }))));
    // A refused answer leaves the handle usable for the real one; the real one works once.
    let honest = lists.answer_bytes(current.request_bytes()).unwrap();
    assert!(matches!(s.confirm_at(&current, &honest, NOW).unwrap(), ScanOutcome::Match(_)));
    assert!(matches!(s.confirm_at(&current, &honest, NOW), Err(ScanError::Confirmation(ConfirmError::AlreadyUsed))));
    // Pending handles print nothing of the image.
    assert_eq!(format!("{current:?}"), "PendingConfirmation { .. }");
}

#[test]
fn caps_count_the_confirmed_listed_entry_and_the_policy_may_allow_a_provisional_prompt() {
    let setup = setup();
    let mut spec = setup.spec.clone();
    spec.policy = Policy { per_entry_cap: 1, provisional_prompt: true, ..Policy::default() };
    let (s, lists) = scanner(&setup, &spec, Some(DeviceKey::generate().unwrap()));
    // Two different edits of one listed image are two matches of the same listed entry.
    let edits = [jpeg(&setup.known[3], 60), jpeg(&setup.known[3].shrink(2), 80)];
    let first = pending(s.scan_bytes_at(&edits[0], NOW).unwrap());
    assert!(first.provisional_prompt().is_some(), "this policy allows a prompt while pending");
    let response = lists.answer_bytes(first.request_bytes()).unwrap();
    let ScanOutcome::Match(first) = s.confirm_at(&first, &response, NOW).unwrap() else { panic!() };
    assert_eq!(first.action, Action::PromptAndReport);
    let ScanOutcome::Match(second) = scan_and_confirm(&s, &lists, &edits[1]) else { panic!() };
    assert_eq!(second.action, Action::None, "the cap of 1 holds for the listed entry, whichever band hit");
}

#[test]
fn reports_are_sealed_to_the_platform_and_reports_of_different_matches_have_one_size() {
    use imageguard::report::{open_report, ReportKeyPair, SEALED_LEN};
    let setup = setup();
    let platform = ReportKeyPair::generate().unwrap();
    let mut spec = setup.spec.clone();
    spec.report_key = Some(platform.public_key());
    let device = DeviceKey::generate().unwrap();
    let device_public = VerifyingKey::from_bytes(&device.public_key()).unwrap();
    let (s, lists) = scanner(&setup, &spec, Some(device));
    let mut sealed = Vec::new();
    for file in [setup.known_files[0].clone(), jpeg(&setup.known[1], 60), jpeg(&setup.known[2].flip_horizontal(), 85)] {
        let ScanOutcome::Match(info) = scan_and_confirm(&s, &lists, &file) else { panic!("not confirmed") };
        sealed.push(info.report.expect("a report"));
    }
    let entries: Vec<MatchedEntry> = sealed
        .iter()
        .map(|bytes| {
            assert_eq!(bytes.len(), SEALED_LEN, "one size for every report");
            verify_report(&open_report(bytes, &platform).unwrap(), &[device_public]).unwrap().entry
        })
        .collect();
    assert!(matches!(entries[0], MatchedEntry::Exact { .. }) && matches!(entries[1], MatchedEntry::Perceptual { .. }));
    assert_ne!(entries[1], entries[2]);
    // Only the platform's key opens it, and any changed byte is refused.
    assert!(open_report(&sealed[0], &ReportKeyPair::generate().unwrap()).is_err());
    for i in [0, 4, 5, 40, SEALED_LEN - 1] {
        let mut tampered = sealed[0].clone();
        tampered[i] ^= 1;
        assert!(open_report(&tampered, &platform).is_err(), "byte {i}");
    }
}

#[test]
fn confirm_judges_by_the_apps_trusted_time_like_scans() {
    let setup = setup();
    let device = DeviceKey::generate().unwrap();
    let device_public = VerifyingKey::from_bytes(&device.public_key()).unwrap();
    let (unsigned, lists) = setup.spec.build_with_lists().unwrap();
    let mut config = ScannerConfig::new(TrustConfig::new(vec![setup.provider.verifying_key()], 1).unwrap(), vec!["confirm".into()], "en");
    config.trusted_time = Some(NOW + 3600);
    let s = Scanner::new(sign_bundle(&unsigned, &setup.provider).unwrap(), config, &[], &[], Some(device)).unwrap();
    let pending = pending(s.scan_bytes(&setup.known_files[0]).unwrap());
    let response = lists.answer_bytes(pending.request_bytes()).unwrap();
    let ScanOutcome::Match(info) = s.confirm(&pending, &response).unwrap() else { panic!("not confirmed") };
    let report = verify_report(&info.report.unwrap(), &[device_public]).unwrap();
    // The report's minute is the trusted time's, not the device clock's (NOW is weeks away from today).
    assert!(u64::from(report.created_minutes).abs_diff((NOW + 3600) / 60) <= 1, "{}", report.created_minutes);
}

/// A curved ramp under a fine texture (grain on a smooth background), as RGB: PDQ's quality gate passes
/// it, and its hash is decided by the ramp and the texture's alias in PDQ's 64x64 sampling.
fn smooth_picture(side: usize, amplitude: f32, period: f32) -> Vec<u8> {
    let frequency = std::f32::consts::TAU / period;
    (0..side * side)
        .flat_map(|i| {
            let (x, y) = (i % side, i / side);
            let t = (x + 2 * y) as f32 / (3 * side) as f32;
            let texture = amplitude * (frequency * x as f32).sin() * (frequency * y as f32).sin();
            [(30.0 + 190.0 * t * t + texture).round().clamp(0.0, 255.0) as u8; 3]
        })
        .collect()
}

#[test]
fn smooth_pictures_are_not_looked_up_although_pdq_matches_them_with_each_other() {
    use imageguard::decode::{PixelBuffer, PixelFormat};
    use imageguard::pdq::OrientedHashes;
    let setup = setup();
    let (listed, sent) = ((224, smooth_picture(224, 30.0, 4.0)), (160, smooth_picture(160, 30.0, 8.0)));
    fn pixels((side, rgb): &(usize, Vec<u8>)) -> PixelBuffer<'_> {
        PixelBuffer::new(rgb, *side, *side, side * 3, PixelFormat::Rgb8)
    }
    let picture = |image: &(usize, Vec<u8>)| imageguard::hashing::query_pixels(&pixels(image), &Default::default()).unwrap().pictures.remove(0);
    let (listed_picture, sent_picture) = (picture(&listed), picture(&sent));
    let (listed_hash, sent_hash) = (listed_picture.oriented_hashes()[0], sent_picture.oriented_hashes()[0]);
    // Two different pictures over the quality gate that PDQ calls a match: a list holding one (a sky, a
    // wall) matches the other wherever the filter hits, and confirmation against the list confirms it.
    assert!(listed_picture.quality() >= 50 && sent_picture.quality() >= 50);
    assert!(listed_hash.distance(&sent_hash) <= 31, "{}", listed_hash.distance(&sent_hash));
    assert!(imageguard::pdq::smooth::is_smooth(&listed_hash) && imageguard::pdq::smooth::is_smooth(&sent_hash));
    let mut spec = setup.spec.clone();
    spec.pdq.push(listed_hash);
    let (s, _) = scanner(&setup, &spec, Some(DeviceKey::generate().unwrap()));
    assert_eq!(s.scan_pixels_at(&pixels(&sent), NOW).unwrap(), ScanOutcome::NoMatch);
    assert_eq!(s.scan_pixels_at(&pixels(&listed), NOW).unwrap(), ScanOutcome::NoMatch, "not even the listed smooth picture");
    // A listed photo still hits, as pixels too.
    let known = &setup.known[1];
    let photo = PixelBuffer::new(&known.pixels, known.width, known.height, known.width * 3, PixelFormat::Rgb8);
    assert!(matches!(s.scan_pixels_at(&photo, NOW).unwrap(), ScanOutcome::NeedsConfirmation(_)));
}
