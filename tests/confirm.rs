//! Confirmation, both sides in-process: only an entry the signed root holds can confirm a hit, a crafted
//! filter hit cannot, and a response that is fabricated, tampered with or replayed is refused.

use imageguard::confirm::messages::{BucketProof, ConfirmationResponse};
use imageguard::confirm::{
    confirm_candidate, verify_response, Candidate, Commitment, ConfirmError, ConfirmationRequest, ListedEntry,
    PlatformLists,
};
use imageguard::entry_key::entry_key;
use imageguard::exact::HashKind;
use imageguard::filter::{PerceptualFilter, PerceptualParams};
use imageguard::pdq::PdqHash;

const SALT: [u8; 32] = [3; 32];

fn pdq(seed: u64) -> PdqHash {
    let mut hash = PdqHash::ZERO;
    let mut state = seed;
    for bit in 0..256 {
        state = imageguard::entry_key::mix64(state.wrapping_add(0x9E37_79B9_7F4A_7C15));
        if state & 1 == 1 {
            hash.set_bit(bit);
        }
    }
    hash
}

fn blake(seed: u8) -> Vec<u8> {
    blake3::hash(&[seed]).as_bytes().to_vec()
}

struct Platform {
    lists: PlatformLists,
    filter: PerceptualFilter,
    listed_pdq: Vec<PdqHash>,
}

fn platform() -> Platform {
    let listed_pdq: Vec<PdqHash> = (0..200).map(pdq).collect();
    let filter = PerceptualFilter::build(&SALT, PerceptualParams::default(), &listed_pdq).unwrap();
    let exact: Vec<Vec<u8>> = (0..100).map(blake).collect();
    let lists = PlatformLists::build(
        "b",
        7,
        &SALT,
        exact.iter().map(|h| (HashKind::Blake3, &h[..])),
        &listed_pdq,
        Some(&filter),
    )
    .unwrap();
    Platform { lists, filter, listed_pdq }
}

fn exact_candidate(hash: Vec<u8>) -> Candidate {
    Candidate::Exact { kind: HashKind::Blake3, key: entry_key(&SALT, HashKind::Blake3, &hash), hash }
}

/// Runs the protocol: request, platform answer, device check and decision.
fn round_trip(p: &Platform, candidate: &Candidate) -> Option<ListedEntry> {
    let commitment = p.lists.commitment();
    let request = ConfirmationRequest::new("b", 7, candidate.buckets(commitment.bucket_bits)).unwrap();
    let response = p.lists.answer_bytes(&request.to_bytes(None)).unwrap();
    let entries = verify_response(&commitment, &request, &response).unwrap();
    confirm_candidate(candidate, &entries).map(|confirmed| confirmed.entry)
}

#[test]
fn a_listed_exact_hash_confirms_and_an_unlisted_one_in_the_same_bucket_does_not() {
    let p = platform();
    assert_eq!(round_trip(&p, &exact_candidate(blake(5))), Some(ListedEntry { kind: HashKind::Blake3, hash: blake(5) }));
    // A crafted exact collision: a hash whose key passes the filter (here: forced into the listed
    // entry's bucket and given the listed entry's key) but which is not on the list.
    let forged = Candidate::Exact { kind: HashKind::Blake3, hash: blake(200), key: entry_key(&SALT, HashKind::Blake3, &blake(5)) };
    assert_eq!(round_trip(&p, &forged), None);
}

#[test]
fn a_band_collision_far_from_every_listed_hash_is_not_confirmed_and_a_near_hash_is() {
    let p = platform();
    let listed = p.listed_pdq[17];
    // Keep bands 0 and 1 of the listed hash (a "strong" filter hit), flip 40 bits outside them.
    let layout = p.filter.band_layout();
    let kept: Vec<u8> = layout[0].iter().chain(layout[1]).copied().collect();
    let mut crafted = listed;
    for bit in (0..=255u8).filter(|b| !kept.contains(b)).take(40) {
        crafted.flip_bit(usize::from(bit));
    }
    let (listed_keys, crafted_keys) = (p.filter.band_keys(&listed), p.filter.band_keys(&crafted));
    assert_eq!(listed_keys[..2], crafted_keys[..2], "the crafted hash collides in two bands");
    assert_eq!(crafted.distance(&listed), 40);
    let candidate = Candidate::Perceptual { hashes: Box::new([crafted; 8]), keys: crafted_keys[..2].to_vec() };
    assert_eq!(round_trip(&p, &candidate), None);

    let mut near = listed;
    for bit in (0..=255u8).filter(|b| !kept.contains(b)).take(20) {
        near.flip_bit(usize::from(bit));
    }
    let mut hashes = [pdq(9999); 8];
    hashes[5] = near; // only one rotation/flip is near
    let candidate = Candidate::Perceptual { hashes: Box::new(hashes), keys: p.filter.band_keys(&near)[..1].to_vec() };
    let confirmed = confirm_candidate(&candidate, &entries_for(&p, &candidate)).unwrap();
    assert_eq!((confirmed.entry.hash.as_slice(), confirmed.distance), (&listed.0[..], 20));
    assert_eq!(confirmed.variant, Some(imageguard::pdq::Dihedral::ALL[5]));
}

fn entries_for(p: &Platform, candidate: &Candidate) -> Vec<ListedEntry> {
    let commitment = p.lists.commitment();
    let request = ConfirmationRequest::new("b", 7, candidate.buckets(commitment.bucket_bits)).unwrap();
    verify_response(&commitment, &request, &p.lists.answer_bytes(&request.to_bytes(None)).unwrap()).unwrap()
}

#[test]
fn fabricated_tampered_and_replayed_responses_are_refused() {
    let p = platform();
    let commitment = p.lists.commitment();
    let candidate = exact_candidate(blake(200)); // not listed
    let request = ConfirmationRequest::new("b", 7, candidate.buckets(commitment.bucket_bits)).unwrap();
    let honest = p.lists.answer(&request).unwrap();

    // A platform (or anyone on the path) adds the device's own hash to the bucket: the proof fails.
    let mut fabricated = honest.clone();
    let bucket: &mut BucketProof = &mut fabricated.buckets[0];
    bucket.entries.push(ListedEntry { kind: HashKind::Blake3, hash: blake(200) });
    bucket.entries.sort();
    let bucket_id = bucket.bucket;
    assert_eq!(
        verify_response(&commitment, &request, &fabricated.to_bytes()),
        Err(ConfirmError::BadProof { bucket: bucket_id })
    );

    // A bad proof; a proof for another bucket; a missing bucket.
    let mut bad_proof = honest.clone();
    bad_proof.buckets[0].path[3][0] ^= 1;
    assert!(matches!(verify_response(&commitment, &request, &bad_proof.to_bytes()), Err(ConfirmError::BadProof { .. })));
    let other = p.lists.answer(&ConfirmationRequest { buckets: vec![bucket_id ^ 1], ..request.clone() }).unwrap();
    let mut moved = other.clone();
    moved.buckets[0].bucket = bucket_id;
    assert!(matches!(verify_response(&commitment, &request, &moved.to_bytes()), Err(ConfirmError::BadProof { .. })));
    assert!(matches!(verify_response(&commitment, &request, &other.to_bytes()), Err(ConfirmError::WrongBuckets { .. })));

    // Replayed: an honest answer to an earlier request (another nonce) for the same bucket.
    let earlier = ConfirmationRequest::new("b", 7, request.buckets.clone()).unwrap();
    let replayed = p.lists.answer_bytes(&earlier.to_bytes(None)).unwrap();
    assert!(matches!(verify_response(&commitment, &request, &replayed), Err(ConfirmError::NonceMismatch { .. })));

    // Every single changed byte of an honest response is refused.
    let bytes = honest.to_bytes();
    assert!(verify_response(&commitment, &request, &bytes).is_ok());
    for i in 0..bytes.len() {
        let mut tampered = bytes.clone();
        tampered[i] ^= 0x01;
        assert!(verify_response(&commitment, &request, &tampered).is_err(), "byte {i} changed and accepted");
    }
    // A response checked against another bundle's commitment is refused too.
    let other_root = Commitment { root: [0; 32], ..commitment };
    assert!(verify_response(&other_root, &request, &bytes).is_err());
    let _ = ConfirmationResponse::from_bytes(&bytes).unwrap();
}

#[test]
fn the_request_carries_bucket_ids_and_nothing_derived_from_the_image_hash() {
    let p = platform();
    let commitment = p.lists.commitment();
    let hash = blake(5);
    let candidate = exact_candidate(hash.clone());
    let request = ConfirmationRequest::new("b", 7, candidate.buckets(commitment.bucket_bits)).unwrap();
    let device = imageguard::signing::SigningKey::generate().unwrap();
    for bytes in [request.to_bytes(None), request.to_bytes(Some((&device, 29_000_000)))] {
        // Neither the hash nor its entry key (nor any 4-byte piece of them) appears in the request.
        let key = entry_key(&SALT, HashKind::Blake3, &hash).to_le_bytes();
        for secret in [&hash[..], &key[..]] {
            assert!(secret.windows(4).all(|piece| !bytes.windows(4).any(|w| w == piece)));
        }
        // Its size depends only on the bundle id, the bucket count and the stamp.
        let other = ConfirmationRequest::new("b", 7, vec![0]).unwrap();
        let other_bytes = if bytes.len() > 40 { other.to_bytes(Some((&device, 1))) } else { other.to_bytes(None) };
        assert_eq!(bytes.len(), other_bytes.len());
    }
    // What it reveals: the bucket id, `bucket_bits` bits of the entry key.
    assert_eq!(request.buckets, vec![(entry_key(&SALT, HashKind::Blake3, &hash) >> (64 - commitment.bucket_bits)) as u32]);
}

#[test]
fn the_platform_lists_file_round_trips_and_refuses_a_changed_entry() {
    let p = platform();
    let bytes = p.lists.to_bytes();
    let loaded = PlatformLists::from_bytes(&bytes).unwrap();
    assert_eq!(loaded.commitment(), p.lists.commitment());
    assert!(p.lists.commitment().bucket_bits >= 6, "{:?}", p.lists.commitment());
    let mut changed = bytes.clone();
    let last = changed.len() - 1;
    changed[last] ^= 1;
    assert!(PlatformLists::from_bytes(&changed).is_err());
    for cut in [0, 10, 50, bytes.len() - 1] {
        assert!(PlatformLists::from_bytes(&bytes[..cut]).is_err());
    }
    // A request for another bundle or version is not answered.
    let request = ConfirmationRequest::new("b", 8, vec![1]).unwrap();
    assert!(matches!(p.lists.answer(&request), Err(ConfirmError::WrongBundle { .. })));
}
