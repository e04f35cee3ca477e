//! Video sessions on the device, with frames fed from memory (the ffmpeg end-to-end runs are in
//! `cli/tests/video.rs`): a known video's edited frames match as one video after confirmation, an
//! unrelated video does not, fewer than K distinct frame hits do not, and the confirmation request
//! carries one bucket per hit frame and nothing else.

use imageguard::bundle::{sign_bundle, TrustConfig};
use imageguard::confirm::PlatformLists;
use imageguard::decode::{PixelBuffer, PixelFormat};
use imageguard::lists::BundleSpec;
use imageguard::pdq::PdqHash;
use imageguard::policy::{Policy, VideoRule};
use imageguard::scanner::{MatchKind, ScanOutcome, Scanner, ScannerConfig};
use imageguard::report::{verify_report, DeviceKey, MatchedEntry, MAX_VIDEO_FRAMES};
use imageguard::signing::{SigningKey, VerifyingKey};
use imageguard::video::{distinct_frames, hash_frame, VideoOutcome, VpdqFrame};
use imageguard_test_support::fixtures::{self, NOW};
use imageguard_test_support::synthetic::RgbImage;
use imageguard_test_support::video::frames;

const FPS: usize = 4;
const SIZE: (usize, usize) = (320, 240);

/// The vPDQ frames of a video given as frames at `FPS`: one per second, as the platform lists them.
fn vpdq_of(video: &[RgbImage]) -> Vec<VpdqFrame> {
    video
        .iter()
        .step_by(FPS)
        .enumerate()
        .map(|(second, frame)| {
            let buffer = PixelBuffer::new(&frame.pixels, frame.width, frame.height, frame.width * 3, PixelFormat::Rgb8);
            let features = hash_frame(&buffer, &Default::default()).unwrap();
            VpdqFrame { frame_number: Some((second * FPS) as u64), quality: features.quality(), hash: features.hash(), timestamp: second as f64 }
        })
        .collect()
}

fn known_video() -> Vec<RgbImage> {
    frames(41, 12, FPS, SIZE.0, SIZE.1).collect()
}

fn setup(policy: Policy, listed: &[PdqHash]) -> (Scanner, PlatformLists) {
    setup_with_key(policy, listed, None)
}

fn setup_with_key(policy: Policy, listed: &[PdqHash], device_key: Option<DeviceKey>) -> (Scanner, PlatformLists) {
    let provider = SigningKey::generate().unwrap();
    let mut spec = BundleSpec::new(fixtures::header("video", "known-videos", 1));
    spec.pdq = listed.to_vec();
    spec.policy = policy;
    let (unsigned, lists) = spec.build_with_lists().unwrap();
    let config = ScannerConfig::new(TrustConfig::new(vec![provider.verifying_key()], 1).unwrap(), vec!["video".into()], "en");
    let scanner = Scanner::new_at(sign_bundle(&unsigned, &provider).unwrap(), config, &[], &[], device_key, NOW).unwrap();
    (scanner, lists)
}

fn no_reports() -> Policy {
    use imageguard::policy::Action;
    Policy { exact: Action::Prompt, perceptual_strong: Action::Prompt, ..Policy::default() }
}

/// Feeds every frame (the session samples one per second) and finishes.
fn scan(scanner: &Scanner, video: &[RgbImage], fps: usize) -> VideoOutcome {
    let mut session = scanner.start_video_at(NOW);
    for (index, frame) in video.iter().enumerate() {
        let buffer = PixelBuffer::new(&frame.pixels, frame.width, frame.height, frame.width * 3, PixelFormat::Rgb8);
        session.add_frame(&buffer, (index * 1000 / fps) as u64).unwrap();
    }
    scanner.finish_video_at(session, NOW).unwrap()
}

fn confirmed(scanner: &Scanner, lists: &PlatformLists, outcome: VideoOutcome) -> ScanOutcome {
    match outcome.outcome {
        ScanOutcome::NeedsConfirmation(pending) => {
            let response = lists.answer_bytes(pending.request_bytes()).unwrap();
            scanner.confirm_at(&pending, &response, NOW).unwrap()
        }
        other => other,
    }
}

fn listed() -> Vec<PdqHash> {
    distinct_frames(&vpdq_of(&known_video()), 50)
}

#[test]
fn the_listed_frames_are_the_distinct_seconds_of_the_video() {
    let frames = vpdq_of(&known_video());
    assert_eq!(frames.len(), 12);
    let listed = distinct_frames(&frames, 50);
    assert!(listed.len() >= 10, "a new shot every second: {} distinct of 12", listed.len());
}

#[test]
fn an_edited_copy_of_a_known_video_matches_once_confirmed_and_an_unrelated_one_does_not() {
    let (scanner, lists) = setup(no_reports(), &listed());
    // Edited as it travels: smaller and brightened, watermarked, and played at another frame rate
    // (every other frame dropped: 2 fps).
    let edited: Vec<RgbImage> = known_video().iter().map(|f| f.shrink(2).brighten(12).watermark()).collect();
    let outcome = scan(&scanner, &edited, FPS);
    assert_eq!(outcome.frames_sampled, 12);
    let ScanOutcome::NeedsConfirmation(pending) = &outcome.outcome else { panic!("{:?}", outcome.outcome) };
    // One bucket per hit frame, at most 16: 4 bytes each, after the bundle id, sequence and nonce.
    let request = pending.request_bytes();
    let buckets = usize::from(request[4 + 1 + 1 + 5 + 8 + 16]);
    assert!((3..=12).contains(&buckets), "{buckets} buckets");
    match confirmed(&scanner, &lists, outcome) {
        ScanOutcome::Match(info) => assert!(matches!(info.kind, MatchKind::Perceptual { .. })),
        other => panic!("expected a match, got {other:?}"),
    }
    let half_rate: Vec<RgbImage> = known_video().into_iter().step_by(2).collect();
    assert!(matches!(confirmed(&scanner, &lists, scan(&scanner, &half_rate, FPS / 2)), ScanOutcome::Match(_)));

    let unrelated: Vec<RgbImage> = frames(4242, 20, FPS, SIZE.0, SIZE.1).collect();
    let outcome = scan(&scanner, &unrelated, FPS);
    assert_eq!(outcome.outcome, ScanOutcome::NoMatch);
    assert_eq!(outcome.distinct_frames, 20);
}

#[test]
fn fewer_distinct_frame_hits_than_the_policy_asks_is_no_match() {
    let known = known_video();
    let (scanner, lists) = setup(no_reports(), &listed());
    // Two seconds of the known video, then unrelated footage: 2 hits < K = 3.
    let short: Vec<RgbImage> = known[..2 * FPS].iter().cloned().chain(frames(77, 6, FPS, SIZE.0, SIZE.1)).collect();
    assert_eq!(scan(&scanner, &short, FPS).outcome, ScanOutcome::NoMatch);
    // Three seconds are enough, even inside a longer unrelated video (no fraction by default).
    let embedded: Vec<RgbImage> =
        frames(78, 10, FPS, SIZE.0, SIZE.1).chain(known[4 * FPS..7 * FPS].iter().cloned()).chain(frames(79, 10, FPS, SIZE.0, SIZE.1)).collect();
    assert!(matches!(confirmed(&scanner, &lists, scan(&scanner, &embedded, FPS)), ScanOutcome::Match(_)));
    // With pytx's 80% of the query's frames, the same embedded clip is not a match.
    let strict = Policy { video: VideoRule { min_frames: 3, min_fraction_percent: 80 }, ..no_reports() };
    let (scanner, _) = setup(strict, &listed());
    assert_eq!(scan(&scanner, &embedded, FPS).outcome, ScanOutcome::NoMatch);
}

#[test]
fn crafted_frame_hits_first_do_not_crowd_the_known_frames_out_of_the_request() {
    // A sender puts 20 seconds of harmless footage first, each second crafted to collide with the
    // filter on two bands (listed here as entries the platform's list holds far from the frames), then
    // the known video. The request holds 16 frames: the known frames hit every band and go first.
    let decoy: Vec<RgbImage> = frames(555, 20, FPS, SIZE.0, SIZE.1).collect();
    let spec = BundleSpec::new(fixtures::header("video", "known-videos", 1)); // setup's filter layout
    let mut listed = listed();
    listed.extend(vpdq_of(&decoy).iter().map(|frame| fixtures::band_collision(&spec, frame.hash)));
    let (scanner, lists) = setup(no_reports(), &listed);
    let sent: Vec<RgbImage> = decoy.iter().chain(known_video().iter()).cloned().collect();
    let outcome = scan(&scanner, &sent, FPS);
    assert_eq!(outcome.distinct_frames, 32);
    match confirmed(&scanner, &lists, outcome) {
        ScanOutcome::Match(info) => assert!(matches!(info.kind, MatchKind::Perceptual { .. } | MatchKind::Exact { .. })),
        other => panic!("the crafted frames hid the known video: {other:?}"),
    }
}

#[test]
fn a_still_video_counts_as_one_frame() {
    let known = known_video();
    let (scanner, _) = setup(no_reports(), &listed());
    // One known frame held for 20 seconds: near-identical consecutive frames count once, so 1 hit < 3.
    let still: Vec<RgbImage> = std::iter::repeat_n(known[0].clone(), 20 * FPS).collect();
    let outcome = scan(&scanner, &still, FPS);
    assert_eq!((outcome.frames_sampled, outcome.distinct_frames), (20, 1));
    assert_eq!(outcome.outcome, ScanOutcome::NoMatch);
    // The same frame still matches as an image.
    let buffer = PixelBuffer::new(&known[0].pixels, SIZE.0, SIZE.1, SIZE.0 * 3, PixelFormat::Rgb8);
    assert!(matches!(scanner.scan_pixels_at(&buffer, NOW).unwrap(), ScanOutcome::NeedsConfirmation(_)));
}

#[test]
fn without_confirmation_k_hits_act_at_once() {
    let unconfirmed = Policy { confirm_exact: false, confirm_perceptual_strong: false, confirm_perceptual_weak: false, ..no_reports() };
    let (scanner, _) = setup(unconfirmed, &listed());
    let outcome = scan(&scanner, &known_video(), FPS);
    match outcome.outcome {
        ScanOutcome::Match(info) => assert!(info.prompt.is_some()),
        other => panic!("{other:?}"),
    }
}

/// The report of a video match: the first matched listed frame as its entry, how many distinct frames hit,
/// and up to six more listed frames, whether the match was confirmed or acted on at once.
#[test]
fn a_video_report_counts_the_frames_that_hit_and_names_the_listed_ones() {
    let listed = listed();
    assert!(listed.len() >= 8, "the known video has {} distinct frames", listed.len());
    let unconfirmed = Policy { confirm_exact: false, confirm_perceptual_strong: false, confirm_perceptual_weak: false, ..Policy::default() };
    for policy in [Policy::default(), unconfirmed] {
        let key = DeviceKey::generate().unwrap();
        let public = VerifyingKey::from_bytes(&key.public_key()).unwrap();
        let (scanner, lists) = setup_with_key(policy, &listed, Some(key));
        let outcome = confirmed(&scanner, &lists, scan(&scanner, &known_video(), FPS));
        let ScanOutcome::Match(info) = outcome else { panic!("{outcome:?}") };
        let report = verify_report(info.report.as_deref().expect("the policy reports"), &[public]).unwrap();
        let video = report.video.expect("a video's report carries its evidence");
        assert!(usize::from(video.frame_hits) >= 3, "{} frame hits", video.frame_hits);
        assert_eq!(video.more_frames.len(), MAX_VIDEO_FRAMES, "12 distinct frames hit: the entry and 6 more are named");
        let named: Vec<&MatchedEntry> = std::iter::once(&report.entry).chain(&video.more_frames).collect();
        for (i, entry) in named.iter().enumerate() {
            assert!(!named[..i].contains(entry), "each frame is named once");
        }
    }
    // A still image's report carries no video evidence (and stays report version 1).
    let key = DeviceKey::generate().unwrap();
    let public = VerifyingKey::from_bytes(&key.public_key()).unwrap();
    let (scanner, lists) = setup_with_key(Policy::default(), &listed, Some(key));
    let frame = &known_video()[0];
    let buffer = PixelBuffer::new(&frame.pixels, frame.width, frame.height, frame.width * 3, PixelFormat::Rgb8);
    let outcome = match scanner.scan_pixels_at(&buffer, NOW).unwrap() {
        ScanOutcome::NeedsConfirmation(pending) => scanner.confirm_at(&pending, &lists.answer_bytes(pending.request_bytes()).unwrap(), NOW).unwrap(),
        other => other,
    };
    let ScanOutcome::Match(info) = outcome else { panic!("{outcome:?}") };
    let bytes = info.report.expect("the policy reports");
    assert_eq!(bytes[4], 1, "report version");
    assert_eq!(verify_report(&bytes, &[public]).unwrap().video, None);
}
