//! Signed bundles: structure, k-of-n trust, anti-rollback, expiry, tampering and deltas.

use imageguard::bundle::{
    apply_delta, make_delta, sign_bundle, verify_bundle, BundleBuilder, BundleError, BundleHeader, ParsedBundle,
    SectionKind, TrustConfig, TrustState,
};
use imageguard::exact::HashKind;
use imageguard::lists::{BundleSpec, Continuation};
use imageguard::pdq::PdqHash;
use imageguard::signing::SigningKey;
use proptest::prelude::*;

use imageguard_test_support::fixtures::{self, NOW};
use imageguard_test_support::with;

fn header(sequence: u64) -> BundleHeader {
    with(fixtures::header("test-bundle", "list-a", sequence), |h| {
        h.list_ids.push("list-b".into());
        h.created = NOW - 3600;
        h.expires = NOW + 30 * fixtures::DAY;
    })
}

fn unsigned(sequence: u64, filter: Vec<u8>) -> Vec<u8> {
    BundleBuilder::new(header(sequence))
        .section(SectionKind::ExactFilter, filter)
        .section(SectionKind::Policy, b"policy bytes".to_vec())
        .build()
        .unwrap()
}

fn signed(bytes: &[u8], keys: &[&SigningKey]) -> Vec<u8> {
    keys.iter().fold(bytes.to_vec(), |bytes, key| sign_bundle(&bytes, key).unwrap())
}

fn keys(n: usize) -> Vec<SigningKey> {
    (0..n).map(|_| SigningKey::generate().unwrap()).collect()
}

fn trust(keys: &[SigningKey], threshold: usize) -> TrustConfig {
    TrustConfig::new(keys.iter().map(|k| k.verifying_key()).collect(), threshold).unwrap()
}

#[test]
fn round_trip_exposes_header_sections_and_root() {
    let ks = keys(1);
    let bytes = signed(&unsigned(3, vec![1, 2, 3]), &[&ks[0]]);
    let bundle = verify_bundle(bytes.clone(), &trust(&ks, 1), &TrustState::new(), NOW).unwrap();
    assert_eq!(bundle.header(), &header(3));
    assert_eq!(bundle.section(SectionKind::ExactFilter), Some(&[1u8, 2, 3][..]));
    assert_eq!(bundle.section(SectionKind::Policy), Some(&b"policy bytes"[..]));
    assert_eq!(bundle.section(SectionKind::Prompts), None);
    assert_eq!(bundle.root(), ParsedBundle::parse(&bytes).unwrap().root);
    assert_eq!(bundle.root_hex().len(), 64);
    // Signatures do not change the root: what is published before signing stays valid.
    assert_eq!(bundle.root(), ParsedBundle::parse(&unsigned(3, vec![1, 2, 3])).unwrap().root);
}

#[test]
fn k_of_n_distinct_trusted_signatures_are_required() {
    let ks = keys(3);
    let outsider = keys(1);
    let base = unsigned(1, vec![0; 64]);
    let config = trust(&ks, 2);
    let state = TrustState::new();
    let check = |bytes: Vec<u8>| verify_bundle(bytes, &config, &state, NOW).map(|b| b.signers());

    assert_eq!(check(base.clone()), Err(BundleError::NotEnoughSignatures { valid: 0, required: 2 }));
    assert_eq!(check(signed(&base, &[&ks[0]])), Err(BundleError::NotEnoughSignatures { valid: 1, required: 2 }));
    assert_eq!(check(signed(&base, &[&ks[0], &outsider[0]])), Err(BundleError::NotEnoughSignatures { valid: 1, required: 2 }));
    assert_eq!(check(signed(&base, &[&ks[0], &ks[2]])), Ok(2));
    assert_eq!(check(signed(&base, &[&ks[2], &ks[1], &ks[0]])), Ok(3));
    // The same key twice is refused at signing time...
    assert!(matches!(sign_bundle(&signed(&base, &[&ks[0]]), &ks[0]), Err(BundleError::AlreadySigned(_))));
    // ...and a forged duplicate (same signature block repeated) still counts once.
    let once = signed(&base, &[&ks[0]]);
    let signature = &once[base.len()..]; // key id + signature, after the count byte
    let mut twice = base[..base.len() - 1].to_vec();
    twice.push(2);
    twice.extend_from_slice(signature);
    twice.extend_from_slice(signature);
    assert_eq!(check(twice), Err(BundleError::NotEnoughSignatures { valid: 1, required: 2 }));
    // A signature by a trusted key over another bundle does not transfer.
    let other = signed(&unsigned(1, vec![1; 64]), &[&ks[1]]);
    let mut grafted = signed(&base, &[&ks[0]]);
    let n = grafted.len();
    grafted[n - 72 - 1] = 2; // count byte
    grafted.extend_from_slice(&other[other.len() - 72..]);
    assert_eq!(check(grafted), Err(BundleError::NotEnoughSignatures { valid: 1, required: 2 }));
}

/// FORMAT.md: "each kind at most once, sorted by kind". Swapping two table entries (same payload sizes)
/// keeps every length valid, so only the order check can refuse it.
#[test]
fn sections_out_of_order_or_repeated_are_refused() {
    let bytes = BundleBuilder::new(header(1))
        .section(SectionKind::ExactFilter, vec![1; 12])
        .section(SectionKind::Policy, vec![2; 12])
        .build()
        .unwrap();
    let table = ParsedBundle::parse(&bytes).unwrap().payloads_start - 2 * 9; // (kind u8, length u64) each
    assert_eq!((bytes[table], bytes[table + 9]), (SectionKind::ExactFilter as u8, SectionKind::Policy as u8));
    let mut swapped = bytes.clone();
    swapped[table] = SectionKind::Policy as u8;
    swapped[table + 9] = SectionKind::ExactFilter as u8;
    assert_eq!(ParsedBundle::parse(&swapped).unwrap_err(), BundleError::Malformed("sections are not sorted by kind"));
    let mut repeated = bytes;
    repeated[table + 9] = SectionKind::ExactFilter as u8;
    assert_eq!(ParsedBundle::parse(&repeated).unwrap_err(), BundleError::DuplicateSection(SectionKind::ExactFilter));
}

#[test]
fn trust_config_is_validated() {
    let ks = keys(2);
    assert!(matches!(TrustConfig::new(vec![ks[0].verifying_key()], 0), Err(BundleError::BadTrustConfig(_))));
    assert!(matches!(TrustConfig::new(vec![ks[0].verifying_key()], 2), Err(BundleError::BadTrustConfig(_))));
    assert!(matches!(
        TrustConfig::new(vec![ks[0].verifying_key(), ks[0].verifying_key()], 1),
        Err(BundleError::BadTrustConfig(_))
    ));
}

#[test]
fn every_tampered_byte_is_refused_without_panicking() {
    let ks = keys(1);
    let bytes = signed(&unsigned(1, (0..200u8).collect()), &[&ks[0]]);
    let config = trust(&ks, 1);
    for i in 0..bytes.len() {
        let mut tampered = bytes.clone();
        tampered[i] ^= 0x01;
        assert!(verify_bundle(tampered, &config, &TrustState::new(), NOW).is_err(), "byte {i} flipped and accepted");
    }
    for len in 0..bytes.len() {
        assert!(verify_bundle(bytes[..len].to_vec(), &config, &TrustState::new(), NOW).is_err(), "truncated to {len}");
    }
    let mut extended = bytes.clone();
    extended.push(0);
    assert_eq!(
        verify_bundle(extended, &config, &TrustState::new(), NOW).unwrap_err(),
        BundleError::Malformed("bytes after the signatures")
    );
}

#[test]
fn absurd_lengths_and_counts_fail_before_allocating() {
    let bytes = unsigned(1, vec![7; 16]);
    let parsed = ParsedBundle::parse(&bytes).unwrap();
    // The first section's length field sits 9 bytes before the payloads (kind u8 + len u64, two sections).
    let mut huge = bytes.clone();
    let len_at = parsed.payloads_start - 2 * 9 + 1;
    huge[len_at..len_at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert_eq!(ParsedBundle::parse(&huge).unwrap_err(), BundleError::Truncated);
    let mut many = bytes.clone();
    many[parsed.payloads_start - 2 * 9 - 1] = 200; // section count
    assert_eq!(ParsedBundle::parse(&many).unwrap_err(), BundleError::Malformed("too many sections"));
    let mut unknown = bytes.clone();
    unknown[parsed.payloads_start - 2 * 9] = 99;
    assert_eq!(ParsedBundle::parse(&unknown).unwrap_err(), BundleError::UnknownSection(99));
    let mut wrong_magic = bytes.clone();
    wrong_magic[0] = b'X';
    assert_eq!(ParsedBundle::parse(&wrong_magic).unwrap_err(), BundleError::BadMagic);
}

#[test]
fn rollback_expiry_and_future_bundles_are_refused() {
    let ks = keys(1);
    let config = trust(&ks, 1);
    let v2 = signed(&unsigned(2, vec![2; 8]), &[&ks[0]]);
    let mut state = TrustState::new();
    let accepted = verify_bundle(v2.clone(), &config, &state, NOW).unwrap();
    accepted.accept(&mut state).unwrap();
    assert_eq!(state.accepted("test-bundle"), Some((2, accepted.root())));
    // Reloading the accepted bundle at the next start is fine.
    assert!(verify_bundle(v2, &config, &state, NOW).is_ok());
    let v1 = signed(&unsigned(1, vec![1; 8]), &[&ks[0]]);
    assert_eq!(verify_bundle(v1, &config, &state, NOW).unwrap_err(), BundleError::Rollback { got: 1, accepted: 2 });
    let other_v2 = signed(&unsigned(2, vec![9; 8]), &[&ks[0]]);
    assert_eq!(verify_bundle(other_v2, &config, &state, NOW).unwrap_err(), BundleError::Rollback { got: 2, accepted: 2 });
    let v3 = signed(&unsigned(3, vec![3; 8]), &[&ks[0]]);
    assert!(verify_bundle(v3.clone(), &config, &state, NOW).is_ok());

    let expires = header(3).expires;
    assert_eq!(
        verify_bundle(v3.clone(), &config, &state, expires).unwrap_err(),
        BundleError::Expired { expires, now: expires }
    );
    let early = NOW - 3600 - 2 * 86400;
    assert_eq!(
        verify_bundle(v3, &config, &state, early).unwrap_err(),
        BundleError::NotYetValid { created: NOW - 3600, now: early }
    );
}

#[test]
fn trust_state_round_trips_and_rejects_garbage() {
    let ks = keys(1);
    let mut state = TrustState::new();
    verify_bundle(signed(&unsigned(5, vec![]), &[&ks[0]]), &trust(&ks, 1), &state.clone(), NOW).unwrap().accept(&mut state).unwrap();
    let bytes = state.to_bytes();
    assert_eq!(TrustState::from_bytes(&bytes).unwrap(), state);
    assert_eq!(TrustState::from_bytes(&TrustState::new().to_bytes()).unwrap(), TrustState::new());
    for len in 0..bytes.len() {
        assert!(TrustState::from_bytes(&bytes[..len]).is_err());
    }
    assert!(TrustState::from_bytes(b"IGTS\x01\xff\xff").is_err());
}

/// A 1 MiB pseudo-random bitset, as a Bloom filter section looks.
fn bitset(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 56) as u8
        })
        .collect()
}

#[test]
fn deltas_rebuild_the_next_bundle_exactly_and_are_small() {
    let ks = keys(2);
    let config = trust(&ks, 2);
    let old_filter = bitset(1, 1 << 20);
    // +1% entries at ~20 bits each, half of them already set: about 0.1% of the bits flip.
    let mut new_filter = old_filter.clone();
    let mut state_rng = 77u64;
    for _ in 0..(1 << 20) * 8 / 1000 {
        state_rng = state_rng.wrapping_mul(6364136223846793005).wrapping_add(1);
        let bit = (state_rng >> 20) as usize % ((1 << 20) * 8);
        new_filter[bit / 8] |= 1 << (bit % 8);
    }
    let old = signed(&unsigned(1, old_filter), &[&ks[0], &ks[1]]);
    let new = signed(&unsigned(2, new_filter), &[&ks[1], &ks[0]]);
    let delta = make_delta(&old, &new).unwrap();
    let ratio = delta.len() as f64 / new.len() as f64;
    println!("delta {} bytes for a {} byte bundle: {:.2}%", delta.len(), new.len(), ratio * 100.0);
    assert!(ratio <= 0.05, "delta is {:.1}% of the bundle", ratio * 100.0);

    let mut state = TrustState::new();
    let base = verify_bundle(old.clone(), &config, &state, NOW).unwrap();
    base.accept(&mut state).unwrap();
    let next = apply_delta(&base, &delta, &config, &state, NOW).unwrap();
    assert_eq!(&next.bytes()[..], &new[..]);
    assert_eq!(next.sequence(), 2);

    // Applied to the wrong base: refused, nothing changes.
    let unrelated = verify_bundle(signed(&unsigned(1, bitset(2, 1 << 20)), &[&ks[0], &ks[1]]), &config, &TrustState::new(), NOW).unwrap();
    assert!(matches!(apply_delta(&unrelated, &delta, &config, &state, NOW), Err(BundleError::WrongBase { .. })));
    // Tampered anywhere (sampled): refused, never panics.
    for i in (0..delta.len()).step_by(delta.len() / 500 + 1) {
        let mut tampered = delta.clone();
        tampered[i] ^= 0x10;
        assert!(apply_delta(&base, &tampered, &config, &state, NOW).is_err(), "tampered byte {i} accepted");
    }
    for len in (0..delta.len()).step_by(delta.len() / 300 + 1) {
        assert!(apply_delta(&base, &delta[..len], &config, &state, NOW).is_err());
    }
    // A delta to an older version is a rollback like any other.
    let back = make_delta(&new, &old).unwrap();
    let mut newer_state = TrustState::new();
    next.accept(&mut newer_state).unwrap();
    assert!(matches!(apply_delta(&next, &back, &config, &newer_state, NOW), Err(BundleError::Rollback { .. })));
    assert_eq!(state.accepted("test-bundle").map(|(seq, _)| seq), Some(1), "state untouched by failures");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn write_parse_round_trip(
        sequence in any::<u64>(),
        sections in proptest::collection::btree_map(1u8..=5, proptest::collection::vec(any::<u8>(), 0..300), 0..5),
        list_ids in proptest::collection::vec("[a-z0-9-]{1,64}", 0..16),
    ) {
        let mut h = header(sequence);
        h.list_ids = list_ids;
        let mut builder = BundleBuilder::new(h.clone());
        for (kind, payload) in &sections {
            builder = builder.section(SectionKind::from_id(*kind).unwrap(), payload.clone());
        }
        let bytes = builder.build().unwrap();
        let parsed = ParsedBundle::parse(&bytes).unwrap();
        prop_assert_eq!(&parsed.header, &h);
        for (kind, payload) in &sections {
            prop_assert_eq!(parsed.section(SectionKind::from_id(*kind).unwrap()), Some(&payload[..]));
        }
    }
}

/// The lists as a platform keeps them: exact BLAKE3 hashes and PDQ hashes, `n` of each.
fn list_spec(sequence: u64, salt: [u8; 32], range: std::ops::Range<u64>, continues: Option<Continuation>) -> BundleSpec {
    let mut spec = BundleSpec::new(with(header(sequence), |h| h.salt = salt));
    let hashes: Vec<[u8; 32]> = range.map(|i| *blake3::hash(&i.to_le_bytes()).as_bytes()).collect();
    spec.exact = vec![(HashKind::Blake3, hashes.iter().map(|h| h.to_vec()).collect())];
    spec.pdq = hashes.iter().map(|h| PdqHash(*blake3::hash(h).as_bytes())).collect();
    spec.continues = continues;
    spec
}

#[test]
fn a_continued_list_ships_as_a_small_delta_that_rebuilds_it_exactly() {
    let ks = keys(1);
    let config = trust(&ks, 1);
    let salt = [7; 32];
    let old = signed(&list_spec(1, salt, 0..20_000, None).build().unwrap(), &[&ks[0]]);
    // Next version: 1% of the entries removed, 1% added, same salt and geometry.
    let continuation = Continuation::of(&old).unwrap();
    assert_eq!(continuation.salt(), salt);
    assert!(continuation.fits(40_400, 20_200) && !continuation.fits(60_000, 30_000));
    let new = signed(&list_spec(2, salt, 200..20_200, Some(continuation)).build().unwrap(), &[&ks[0]]);
    let delta = make_delta(&old, &new).unwrap();
    let exact_section = ParsedBundle::parse(&new).unwrap().section(SectionKind::ExactFilter).unwrap().len();
    let ratio = delta.len() as f64 / new.len() as f64;
    println!("continued list: delta {} bytes for a {} byte bundle ({:.2}%); exact section {exact_section} bytes", delta.len(), new.len(), ratio * 100.0);
    assert!(ratio <= 0.05, "delta is {:.1}% of the bundle", ratio * 100.0);
    assert!(delta.len() < exact_section / 2, "the exact section is patched, not resent");

    let mut state = TrustState::new();
    let base = verify_bundle(old.clone(), &config, &state, NOW).unwrap();
    base.accept(&mut state).unwrap();
    let next = apply_delta(&base, &delta, &config, &state, NOW).unwrap();
    assert_eq!(&next.bytes()[..], &new[..], "rebuilt byte for byte");
    for i in (0..delta.len()).step_by(delta.len() / 400 + 1) {
        let mut tampered = delta.clone();
        tampered[i] ^= 0x04;
        assert!(apply_delta(&base, &tampered, &config, &state, NOW).is_err(), "tampered byte {i} accepted");
    }

    // A continuation must keep the salt: a bundle built with another one is refused, not silently mixed.
    let other_salt = list_spec(2, [8; 32], 0..100, Some(Continuation::of(&old).unwrap()));
    assert!(other_salt.build().is_err());
}
