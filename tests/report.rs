//! Reports: sign, verify, and reject every alteration.

use imageguard::exact::HashKind;
use imageguard::pdq::{Dihedral, PdqHash};
use imageguard::report::{self, DeviceKey, MatchStrength, MatchedEntry, ReportError, VideoEvidence, MAX_CONTEXT_LEN, MAX_VIDEO_FRAMES};
use imageguard::signing::VerifyingKey;
use proptest::prelude::*;

fn perceptual_entry() -> MatchedEntry {
    MatchedEntry::Perceptual {
        hash: PdqHash::from_hex("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22").unwrap(),
        variant: Dihedral::Rotate90,
        strength: MatchStrength::Strong,
    }
}

fn signed(key: &DeviceKey, entry: MatchedEntry) -> Vec<u8> {
    key.sign_report(1_790_000_123, "demo-bundle", "demo-list", 42, entry, b"app context").unwrap()
}

#[test]
fn a_signed_report_verifies_and_carries_only_its_fields() {
    let key = DeviceKey::generate().unwrap();
    let trusted = [VerifyingKey::from_bytes(&key.public_key()).unwrap()];
    let bytes = signed(&key, perceptual_entry());
    let report = report::verify_report(&bytes, &trusted).unwrap();
    assert_eq!(report.created_minutes, 1_790_000_123 / 60, "time is kept to the minute only");
    assert_eq!((report.bundle_id.as_str(), report.list_id.as_str(), report.bundle_sequence), ("demo-bundle", "demo-list", 42));
    assert_eq!(report.entry, perceptual_entry());
    assert_eq!(report.context, b"app context");
    assert_eq!(report.device_key_id, key.key_id());
    // Two reports of the same match are not linkable by their ids.
    let again = report::verify_report(&signed(&key, perceptual_entry()), &trusted).unwrap();
    assert_ne!(again.report_id, report.report_id);
}

#[test]
fn changing_any_byte_makes_verification_fail() {
    let key = DeviceKey::generate().unwrap();
    let trusted = [VerifyingKey::from_bytes(&key.public_key()).unwrap()];
    let entry = MatchedEntry::Exact { kind: HashKind::Sha256, hash: vec![7; 32] };
    let bytes = signed(&key, entry);
    for index in 0..bytes.len() {
        for flip in [0x01, 0x80] {
            let mut tampered = bytes.clone();
            tampered[index] ^= flip;
            assert!(report::verify_report(&tampered, &trusted).is_err(), "byte {index} ^ {flip:#x} was accepted");
        }
    }
}

fn signed_video(key: &DeviceKey, video: VideoEvidence) -> Result<Vec<u8>, ReportError> {
    key.sign_match_report(1_790_000_123, "demo-bundle", "demo-list", 42, perceptual_entry(), Some(video), b"")
}

#[test]
fn a_video_report_carries_its_counts_and_frames_and_every_byte_is_signed() {
    let key = DeviceKey::generate().unwrap();
    let trusted = [VerifyingKey::from_bytes(&key.public_key()).unwrap()];
    let frames: Vec<MatchedEntry> = (0..MAX_VIDEO_FRAMES as u8).map(|i| MatchedEntry::Exact { kind: HashKind::Blake3, hash: vec![i; 32] }).collect();
    let video = VideoEvidence { frame_hits: 40, more_frames: frames };
    let bytes = signed_video(&key, video.clone()).unwrap();
    assert_eq!(bytes[4], 2, "a video's report is version 2");
    assert_eq!(report::verify_report(&bytes, &trusted).unwrap().video, Some(video.clone()));
    for index in 0..bytes.len() {
        let mut tampered = bytes.clone();
        tampered[index] ^= 0x01;
        assert!(report::verify_report(&tampered, &trusted).is_err(), "byte {index} was accepted");
    }
    // A hostile encoder's counts are refused before the signature is looked at: more frames than the
    // maximum, or no more hits than frames named.
    let count_at = 4 + 1 + 16 + 4 + (1 + "demo-bundle".len()) + (1 + "demo-list".len()) + 8 + 35 + 2;
    assert_eq!(usize::from(bytes[count_at]), MAX_VIDEO_FRAMES);
    let mut over = bytes.clone();
    over[count_at] = MAX_VIDEO_FRAMES as u8 + 1;
    assert_eq!(report::verify_report(&over, &trusted), Err(ReportError::InvalidField("video frame counts")));
    let mut few_hits = bytes.clone();
    few_hits[count_at - 2..count_at].copy_from_slice(&(MAX_VIDEO_FRAMES as u16).to_le_bytes());
    assert_eq!(report::verify_report(&few_hits, &trusted), Err(ReportError::InvalidField("video frame counts")));
    // Inconsistent counts cannot be signed: more frames than fit, or fewer hits than frames named.
    let too_many = VideoEvidence { frame_hits: 40, more_frames: vec![perceptual_entry(); MAX_VIDEO_FRAMES + 1] };
    assert!(signed_video(&key, too_many).is_err());
    let fewer_hits = VideoEvidence { frame_hits: MAX_VIDEO_FRAMES as u16, ..video };
    assert!(signed_video(&key, fewer_hits).is_err());
}

#[test]
fn the_longest_report_fits_the_sealed_size() {
    let key = DeviceKey::generate().unwrap();
    let long_id = "x".repeat(64);
    let video = VideoEvidence { frame_hits: u16::MAX, more_frames: vec![perceptual_entry(); MAX_VIDEO_FRAMES] };
    let context = vec![0u8; MAX_CONTEXT_LEN];
    let bytes = key.sign_match_report(0, &long_id, &long_id, 1, perceptual_entry(), Some(video), &context).unwrap();
    assert_eq!(bytes.len(), report::MAX_REPORT_LEN);
    let platform = report::ReportKeyPair::generate().unwrap();
    assert_eq!(report::seal_report(&bytes, &platform.public_key()).unwrap().len(), report::SEALED_LEN);
}

#[test]
fn truncation_and_trailing_bytes_are_refused() {
    let key = DeviceKey::generate().unwrap();
    let trusted = [VerifyingKey::from_bytes(&key.public_key()).unwrap()];
    let bytes = signed(&key, perceptual_entry());
    for len in 0..bytes.len() {
        let error = report::verify_report(&bytes[..len], &trusted).unwrap_err();
        assert!(matches!(error, ReportError::Truncated | ReportError::BadMagic), "len {len}: {error}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(report::verify_report(&longer, &trusted), Err(ReportError::TrailingBytes(1)));
}

#[test]
fn only_trusted_keys_verify() {
    let key = DeviceKey::generate().unwrap();
    let stranger = DeviceKey::generate().unwrap();
    let bytes = signed(&key, perceptual_entry());
    let trusted = [VerifyingKey::from_bytes(&stranger.public_key()).unwrap()];
    assert_eq!(report::verify_report(&bytes, &trusted), Err(ReportError::UntrustedKey(key.key_id())));
    assert_eq!(report::verify_report(&bytes, &[]), Err(ReportError::UntrustedKey(key.key_id())));
}

#[test]
fn bounded_fields_are_enforced_when_signing() {
    let key = DeviceKey::generate().unwrap();
    let too_long = vec![0u8; MAX_CONTEXT_LEN + 1];
    let result = key.sign_report(0, "b", "l", 1, perceptual_entry(), &too_long);
    assert_eq!(result, Err(ReportError::ContextTooLong(MAX_CONTEXT_LEN + 1)));
    let long_id = "x".repeat(65);
    assert!(key.sign_report(0, &long_id, "l", 1, perceptual_entry(), b"").is_err());
    let wrong_len = MatchedEntry::Exact { kind: HashKind::Md5, hash: vec![0; 20] };
    assert!(key.sign_report(0, "b", "l", 1, wrong_len, b"").is_err());
}

#[test]
fn device_keys_survive_pkcs8_export_and_import() {
    let key = DeviceKey::generate().unwrap();
    let imported = DeviceKey::from_pkcs8(&key.to_pkcs8()).unwrap();
    let trusted = [VerifyingKey::from_bytes(&key.public_key()).unwrap()];
    assert!(report::verify_report(&signed(&imported, perceptual_entry()), &trusted).is_ok());
}

fn any_entry() -> impl Strategy<Value = MatchedEntry> {
    prop_oneof![
        (0usize..5, any::<[u8; 32]>()).prop_map(|(k, bytes)| {
            let kind = HashKind::ALL[k];
            MatchedEntry::Exact { kind, hash: bytes[..kind.len()].to_vec() }
        }),
        (any::<[u8; 32]>(), 0u8..8, any::<bool>()).prop_map(|(hash, v, strong)| MatchedEntry::Perceptual {
            hash: PdqHash(hash),
            variant: Dihedral::from_index(v).unwrap(),
            strength: if strong { MatchStrength::Strong } else { MatchStrength::Weak },
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn encode_decode_round_trip(
        entry in any_entry(),
        bundle in "[a-z0-9-]{0,64}",
        list in "\\PC{0,16}",
        sequence in any::<u64>(),
        seconds in 0u64..(u32::MAX as u64 * 60),
        context in proptest::collection::vec(any::<u8>(), 0..=MAX_CONTEXT_LEN),
    ) {
        prop_assume!(list.len() <= 64);
        let key = DeviceKey::generate().unwrap();
        let trusted = [VerifyingKey::from_bytes(&key.public_key()).unwrap()];
        let bytes = key.sign_report(seconds, &bundle, &list, sequence, entry.clone(), &context).unwrap();
        let report = report::verify_report(&bytes, &trusted).unwrap();
        prop_assert_eq!(report.entry, entry);
        prop_assert_eq!(report.bundle_id, bundle);
        prop_assert_eq!(report.list_id, list);
        prop_assert_eq!(report.bundle_sequence, sequence);
        prop_assert_eq!(report.context, context);
        prop_assert_eq!(report.created_minutes as u64, seconds / 60);
    }
}

#[test]
fn a_prepared_report_is_signed_only_by_the_key_it_names() {
    let key = DeviceKey::generate().unwrap();
    let other = DeviceKey::generate().unwrap();
    let trusted = [VerifyingKey::from_bytes(&key.public_key()).unwrap()];
    let report = report::verify_report(&signed(&key, perceptual_entry()), &trusted).unwrap();
    let again = key.sign_prepared_report(&report).unwrap();
    assert_eq!(report::verify_report(&again, &trusted).unwrap(), report);
    assert_eq!(other.sign_prepared_report(&report), Err(ReportError::InvalidField("device key id is not this key's")));
}
