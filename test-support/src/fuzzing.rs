//! Entry points shared by the fuzz targets (`fuzz/`) and their regression tests
//! (`tests/fuzz_regressions.rs`), so that every input a fuzzer ever found is replayed by `cargo test`
//! through exactly the code the fuzzer ran. Each function must return normally for any input: a panic
//! is the bug being hunted. Not part of the SDK's API.

use imageguard::bundle::{self, BundleHeader, ParsedBundle, SectionKind, TrustConfig, TrustState, VerifiedBundle};
use imageguard::decode::{self, DecodeLimits, PixelBuffer, PixelFormat};
use imageguard::exact::HashKind;
use imageguard::filter::{ExactFilter, PerceptualFilter};
use imageguard::hashing::{self, HashOptions};
use imageguard::lists::{self, BundleSpec};
use imageguard::pdq::{PdqFeatures, PdqHash};
use imageguard::policy::{self, DecisionState, MatchClass, NegativeList, Policy};
use imageguard::prompts::PromptCatalog;
use imageguard::report;
use imageguard::signing::{SigningKey, VerifyingKey};
use std::sync::{Arc, OnceLock};

/// Encoded bytes through the whole hashing pipeline, with the default limits: exact hashes first, then
/// every picture the file shows (alpha composites, animation frames).
pub fn decode(data: &[u8]) {
    let (_, pictures) = hashing::exact_then_pictures(data, &HashOptions::default());
    if let Ok(pictures) = pictures {
        assert!(pictures.pdq.quality() <= 100);
        assert!(pictures.alternates.iter().all(|f| f.quality() <= 100));
        // The reference picture's two composites, at most two per further distinct frame, and the
        // averaged picture of a large image.
        assert!(pictures.alternates.len() <= 2 * decode::animation::MAX_HASHED_FRAMES + 1, "too many pictures");
        assert!(pictures.uncropped.features().quality() <= 100);
    }
}

/// A raw pixel buffer: the first 7 bytes choose width, height (u16 each, small), stride slack and the
/// pixel format; the rest is the buffer.
pub fn pixels(data: &[u8]) {
    let Some((header, buffer)) = data.split_first_chunk::<7>() else { return };
    let width = usize::from(u16::from_le_bytes([header[0], header[1]]) % 2048);
    let height = usize::from(u16::from_le_bytes([header[2], header[3]]) % 2048);
    let format = [PixelFormat::Rgba8, PixelFormat::Bgra8, PixelFormat::Rgb8, PixelFormat::Gray8][usize::from(header[6] % 4)];
    let slack = usize::from(u16::from_le_bytes([header[4], header[5]]));
    // Strides below a row, exactly a row, and padded.
    let stride = (width * format.bytes_per_pixel()).saturating_add(slack).saturating_sub(8);
    let buffer = PixelBuffer::new(buffer, width, height, stride, format);
    if let Ok(luma) = decode::luma_from_pixels(&buffer, &DecodeLimits::default()) {
        assert!(luma.width() <= decode::HASH_SIDE && luma.height() <= decode::HASH_SIDE);
    }
    // What the scanner queries for raw pixels: the picture, any framed photo, the widened picture.
    if let Ok(queries) = hashing::query_pixels(&buffer, &DecodeLimits::default()) {
        assert!(queries.queries().all(|picture| picture.quality() <= 100));
    }
}

/// Report parsing, and verification against a key that never signed anything: nothing may verify.
pub fn report(data: &[u8]) {
    let _ = report::decode_unverified(data);
    let key = imageguard::signing::VerifyingKey::from_bytes(&[0x42; 32]);
    if let Ok(key) = key {
        assert!(report::verify_report(data, &[key]).is_err(), "an unsigned input verified");
    }
}

/// When the fuzzed bundles claim to be valid (unix seconds).
pub const FUZZ_NOW: u64 = 1_800_000_000;

/// A key that never signed anything: what the bundle target verifies against.
fn stranger() -> Option<VerifyingKey> {
    VerifyingKey::from_bytes(&[0x42; 32]).ok()
}

/// Bundle parsing and verification, then every section's parser as the scanner runs them, then lookups
/// in whatever filters load. Nothing may verify: the input carries no signature of a trusted key.
pub fn bundle(data: &[u8]) {
    let Ok(parsed) = ParsedBundle::parse(data) else { return };
    // One copy, shared by verification and the zero-copy perceptual filter, as the scanner does.
    let shared = Arc::new(data.to_vec());
    if let Some(trust) = stranger().and_then(|key| TrustConfig::new(vec![key], 1).ok()) {
        assert!(
            bundle::verify_bundle(shared.clone(), &trust, &TrustState::new(), FUZZ_NOW).is_err(),
            "an unsigned bundle verified"
        );
    }
    let salt = parsed.header.salt;
    if let Some(section) = parsed.section(SectionKind::ExactFilter) {
        if let Ok(filter) = ExactFilter::from_section_bytes(section, salt) {
            let _ = filter.contains(HashKind::Blake3, &[0; 32]);
            let _ = (filter.bits_per_entry(), filter.fp_rate());
        }
    }
    if let Some(range) = parsed.section_range(SectionKind::PerceptualFilter) {
        if let Ok(filter) = PerceptualFilter::from_bundle(shared, range, &salt) {
            // Bounded so that the fuzzer spends its time in parsers rather than in long, valid queries
            // (the seeds include a filter with a small probe budget).
            if let Some(features) = sample_features().filter(|_| filter.probes_per_image() <= 1024) {
                let _ = filter.query(features);
            }
            let _ = (filter.bytes_per_entry(), filter.fp_rate_per_probe(), filter.band_layout());
        }
    }
    if let Some(section) = parsed.section(SectionKind::NegativeList) {
        let _ = NegativeList::from_section_bytes(section);
    }
    if let Some(section) = parsed.section(SectionKind::Policy) {
        policy_bytes(section);
    }
    if let Some(section) = parsed.section(SectionKind::Prompts) {
        prompt_bytes(section);
    }
}

/// The features of one synthetic photo, computed once.
fn sample_features() -> Option<&'static PdqFeatures> {
    static FEATURES: OnceLock<Option<PdqFeatures>> = OnceLock::new();
    FEATURES
        .get_or_init(|| {
            let photo = crate::synthetic::photo(7, 64, 64);
            let buffer = PixelBuffer::new(&photo.pixels, photo.width, photo.height, photo.width * 3, PixelFormat::Rgb8);
            hashing::hash_pixels(&buffer, &DecodeLimits::default()).ok()
        })
        .as_ref()
}

/// The deterministic base bundle that the delta target patches, and the key that signs its successors.
pub struct DeltaBase {
    pub key: SigningKey,
    pub trust: TrustConfig,
    pub verified: VerifiedBundle,
}

/// The base bundle's content: fixed, so that its root (which deltas name) never changes.
pub fn delta_base_spec(sequence: u64, extra: u8) -> BundleSpec {
    let header = BundleHeader {
        bundle_id: "fuzz".into(),
        list_ids: vec!["fuzz-list".into()],
        sequence,
        created: FUZZ_NOW - 1000,
        expires: FUZZ_NOW + 1000,
        salt: [7; 32],
    };
    let mut spec = BundleSpec::new(header);
    spec.exact = vec![(HashKind::Blake3, (0..8 + extra).map(|i| vec![i; 32]).collect())];
    spec.pdq = (0..4 + extra).map(|i| PdqHash([i.wrapping_mul(37); 32])).collect();
    spec
}

pub fn delta_base() -> Option<&'static DeltaBase> {
    static BASE: OnceLock<Option<DeltaBase>> = OnceLock::new();
    BASE.get_or_init(|| {
        let key = SigningKey::generate().ok()?;
        let trust = TrustConfig::new(vec![key.verifying_key()], 1).ok()?;
        let unsigned = delta_base_spec(1, 0).build().ok()?;
        let signed = bundle::sign_bundle(&unsigned, &key).ok()?;
        let verified = bundle::verify_bundle(signed, &trust, &TrustState::new(), FUZZ_NOW).ok()?;
        Some(DeltaBase { key, trust, verified })
    })
    .as_ref()
}

/// Delta application over the fixed base. A delta whose result is not signed by the base's key must be
/// refused; one that verifies must give a bundle that loads like any other.
pub fn delta(data: &[u8]) {
    let Some(base) = delta_base() else { return };
    if let Ok(next) = bundle::apply_delta(&base.verified, data, &base.trust, &TrustState::new(), FUZZ_NOW) {
        bundle(next.bytes());
    }
}

/// The platform's list parsers: the first byte chooses the hash kind and hex lines or CSV.
pub fn lists(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let kind = HashKind::ALL[usize::from(mode) % HashKind::ALL.len()];
    let column = if mode & 0x80 != 0 { Some("hash") } else { None };
    if let Ok(list) = lists::parse_list(text, kind, column, mode & 0x40 != 0) {
        assert!(list.hashes.iter().all(|h| h.len() == kind.len()), "a parsed hash has the wrong length");
    }
}

/// The policy, prompt, negative-list and state codecs: each section parsed on its own, then used.
pub fn policy_prompts(data: &[u8]) {
    policy_bytes(data);
    prompt_bytes(data);
    let _ = NegativeList::from_section_bytes(data);
    let _ = TrustState::from_bytes(data);
    if let Ok(state) = DecisionState::from_bytes(data) {
        assert!(DecisionState::from_bytes(&state.to_bytes()).is_ok(), "a decision state does not round-trip");
    }
}

fn policy_bytes(data: &[u8]) {
    if let Ok(policy) = Policy::from_section_bytes(data) {
        let mut state = DecisionState::new();
        for class in [MatchClass::Exact, MatchClass::PerceptualStrong, MatchClass::PerceptualWeak] {
            let _ = policy::decide(&policy, &mut state, class, 42, FUZZ_NOW);
        }
        assert_eq!(Policy::from_section_bytes(&policy.to_section_bytes()).ok(), Some(policy));
    }
}

fn prompt_bytes(data: &[u8]) {
    if let Ok(catalog) = PromptCatalog::from_section_bytes(data) {
        for locale in ["fr-CA", "ar", "zz", ""] {
            let _ = catalog.resolve(locale, Some("MA"));
        }
    }
}
