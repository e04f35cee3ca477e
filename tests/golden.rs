//! A small bundle committed under tests/golden/ must load and answer identically forever, on every
//! platform: 64-bit and 32-bit (CI runs this suite as i686 too), whatever changes inside the code.
//! Beside it, two signed reports (one exact, one perceptual) made with a fixed device key and fixed ids
//! and times: stored bytes must verify, decode to the same fields, and be reproduced byte for byte by
//! today's encoder (Ed25519 signatures are deterministic).
//! Regenerate only with a format version bump: `IMAGEGUARD_WRITE_GOLDEN=1 cargo test --test golden
//! write_golden_bundle -- --ignored` (a new provider key each time), and likewise `write_golden_reports`.

use imageguard::bundle::{verify_bundle, BundleHeader, SectionKind, TrustConfig, TrustState};
use imageguard::entry_key::mix64;
use imageguard::exact::HashKind;
use imageguard::filter::{ExactFilter, PerceptualFilter};
use imageguard::lists::BundleSpec;
use imageguard::pdq::{self, Dihedral, LumaImage, PdqFeatures, PdqHash};
use imageguard::report::{verify_report, DeviceKey, MatchStrength, MatchedEntry, Report, VideoEvidence};
use imageguard::signing::VerifyingKey;
use std::path::PathBuf;
use std::sync::Arc;

/// Inside the golden bundle's validity window.
const NOW: u64 = 1_900_000_000;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Deterministic test images: blocky patterns from a seed.
fn features(seed: u64) -> PdqFeatures {
    pdq::compute(LumaImage::from_fn(96, 80, |x, y| (mix64(seed * 1_000_003 + (x / 12 * 16 + y / 10) as u64) & 255) as f32))
}

fn exact_hash(i: u64) -> Vec<u8> {
    (0..32).map(|j| (mix64(i * 64 + j) & 255) as u8).collect()
}

/// Queries and their answers, one per line: `exact <i> <bool>` or `pdq <seed> <variant or none>`.
fn answers(exact: &ExactFilter, perceptual: &PerceptualFilter) -> String {
    let mut out = String::new();
    for i in 0..40 {
        out += &format!("exact {i} {}\n", exact.contains(HashKind::Sha256, &exact_hash(i)));
    }
    for seed in 0..30 {
        let hit = perceptual.query(&features(seed)).map(|h| format!("{}-{:?}", h.variant.name(), h.strength));
        out += &format!("pdq {seed} {}\n", hit.unwrap_or_else(|| "none".into()));
        out += &format!("pdq-hash {seed} {}\n", features(seed).hash().to_hex());
    }
    out
}

#[test]
fn golden_bundle_loads_and_answers_as_recorded() {
    let bytes = std::fs::read(dir().join("bundle.igbn")).expect("golden bundle");
    let public = std::fs::read_to_string(dir().join("provider.pub")).expect("public key");
    let public: Vec<u8> = (0..32).map(|i| u8::from_str_radix(&public.trim()[2 * i..2 * i + 2], 16).unwrap()).collect();
    let trust = TrustConfig::new(vec![VerifyingKey::from_bytes(&public).unwrap()], 1).unwrap();
    let bundle = verify_bundle(bytes, &trust, &TrustState::new(), NOW).expect("the golden bundle verifies");
    let expected = std::fs::read_to_string(dir().join("answers.txt")).expect("answers");
    assert_eq!(bundle.root_hex(), expected.lines().next().unwrap().trim_start_matches("root "));
    let salt = bundle.header().salt;
    let exact = ExactFilter::from_bundle(Arc::clone(bundle.bytes()), bundle.section_range(SectionKind::ExactFilter).unwrap(), &salt).unwrap();
    let range = bundle.section_range(SectionKind::PerceptualFilter).unwrap();
    let perceptual = PerceptualFilter::from_bundle(Arc::clone(bundle.bytes()), range, &salt).unwrap();
    let got = format!("root {}\n{}", bundle.root_hex(), answers(&exact, &perceptual));
    assert_eq!(got, expected, "the golden bundle answers differently on this platform or version");
    // And the answers are not trivial: some hits, some misses, of each kind.
    assert!(expected.contains("exact 3 true") && expected.contains("exact 39 false"));
    assert!(expected.contains("pdq 2 original-Strong") && expected.contains("pdq 29 none"));
}

/// The golden reports' device key: an Ed25519 PKCS#8 v1 document around a fixed seed (test-only key).
fn golden_device_key() -> DeviceKey {
    let mut pkcs8 = imageguard::hex::decode("302e020100300506032b657004220420").unwrap();
    pkcs8.extend_from_slice(&[0xD7; 32]);
    DeviceKey::from_pkcs8(&pkcs8).unwrap()
}

/// The golden reports: file name and content.
fn golden_reports() -> Vec<(&'static str, Report)> {
    let device_key_id = golden_device_key().key_id();
    let report = |report_id: u8, entry: MatchedEntry, context: &[u8]| Report {
        report_id: [report_id; 16],
        created_minutes: 29_833_333,
        bundle_id: "golden".into(),
        list_id: "golden-list".into(),
        bundle_sequence: 1,
        entry,
        video: None,
        context: context.to_vec(),
        device_key_id,
    };
    // Fixed values (listed in the golden bundle), so that these vectors pin the report encoding only.
    let exact = MatchedEntry::Exact { kind: HashKind::Sha256, hash: exact_hash(3) };
    let listed_pdq = PdqHash::from_hex("7c60478e913b6b944a565ec2eb9434697b90cb9694eb213d352914eb6e44b871").unwrap();
    let perceptual = MatchedEntry::Perceptual { hash: listed_pdq, variant: Dihedral::Rotate90, strength: MatchStrength::Weak };
    // A video's report (version 2): 5 distinct frames hit; two more listed frames named besides the entry.
    let frame = |seed| MatchedEntry::Perceptual { hash: features(seed).hash(), variant: Dihedral::Original, strength: MatchStrength::Strong };
    let video = Report {
        video: Some(VideoEvidence { frame_hits: 5, more_frames: vec![frame(1), MatchedEntry::Exact { kind: HashKind::PdqExact, hash: features(2).hash().0.to_vec() }] }),
        ..report(0x33, frame(0), b"")
    };
    vec![
        ("report-exact.igrp", report(0x11, exact, b"")),
        ("report-perceptual.igrp", report(0x22, perceptual, b"golden context")),
        ("report-video.igrp", video),
    ]
}

fn read_hex_key(name: &str) -> VerifyingKey {
    let text = std::fs::read_to_string(dir().join(name)).expect("public key");
    VerifyingKey::from_bytes(&imageguard::hex::decode(text.trim()).unwrap()).unwrap()
}

#[test]
fn golden_reports_verify_and_are_reproduced_byte_for_byte() {
    let trusted = [read_hex_key("device.pub")];
    let key = golden_device_key();
    assert_eq!(key.key_id(), trusted[0].key_id(), "device.pub is the fixed golden device key");
    for (name, expected) in golden_reports() {
        let stored = std::fs::read(dir().join(name)).expect("golden report");
        let report = verify_report(&stored, &trusted).unwrap_or_else(|e| panic!("{name} does not verify: {e}"));
        assert_eq!(report, expected, "{name} decodes to different fields");
        assert_eq!(key.sign_prepared_report(&expected).unwrap(), stored, "today's encoder changed the bytes of {name}");
    }
}

#[test]
#[ignore]
fn write_golden_reports() {
    if std::env::var_os("IMAGEGUARD_WRITE_GOLDEN").is_none() {
        return;
    }
    let key = golden_device_key();
    std::fs::write(dir().join("device.pub"), imageguard::hex::encode(&key.public_key()) + "\n").unwrap();
    for (name, report) in golden_reports() {
        std::fs::write(dir().join(name), key.sign_prepared_report(&report).unwrap()).unwrap();
    }
}

#[test]
#[ignore]
fn write_golden_bundle() {
    if std::env::var_os("IMAGEGUARD_WRITE_GOLDEN").is_none() {
        return;
    }
    let key = imageguard::signing::SigningKey::generate().unwrap();
    let mut spec = BundleSpec::new(BundleHeader {
        bundle_id: "golden".into(),
        list_ids: vec!["golden-list".into()],
        sequence: 1,
        created: 1_790_000_000,
        expires: 4_000_000_000,
        salt: [0x5A; 32],
    });
    spec.exact.push((HashKind::Sha256, (0..20).map(exact_hash).collect()));
    spec.pdq = (0..15).map(|seed| features(seed).hash()).collect::<Vec<PdqHash>>();
    let bytes = imageguard::bundle::sign_bundle(&spec.build().unwrap(), &key).unwrap();
    std::fs::write(dir().join("bundle.igbn"), &bytes).unwrap();
    std::fs::write(dir().join("provider.pub"), imageguard::hex::encode(&key.public_key()) + "\n").unwrap();
    let bundle = verify_bundle(
        bytes,
        &TrustConfig::new(vec![key.verifying_key()], 1).unwrap(),
        &TrustState::new(),
        NOW,
    )
    .unwrap();
    let salt = bundle.header().salt;
    let exact = ExactFilter::from_section_bytes(bundle.section(SectionKind::ExactFilter).unwrap(), salt).unwrap();
    let range = bundle.section_range(SectionKind::PerceptualFilter).unwrap();
    let perceptual = PerceptualFilter::from_bundle(Arc::clone(bundle.bytes()), range, &salt).unwrap();
    std::fs::write(dir().join("answers.txt"), format!("root {}\n{}", bundle.root_hex(), answers(&exact, &perceptual))).unwrap();
}
