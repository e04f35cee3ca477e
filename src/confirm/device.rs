//! The device side: what a candidate holds, checking the platform's answer, and deciding.
//!
//! The device trusts nothing in a response but what the proofs tie to the signed root: every requested
//! bucket must come back, with exactly the requested ids, the request's nonce and bundle, and a path that
//! leads from the bucket's leaf to the committed root. Then the device compares its own hashes with the
//! listed entries; the platform never sees them and cannot add an entry that the root does not hold.

use super::messages::{ConfirmationRequest, ConfirmationResponse};
use super::tree::{bucket_of, leaf_hash, root_from_path};
use super::{Commitment, ConfirmError, ListedEntry, MAX_PDQ_DISTANCE};
use crate::exact::HashKind;
use crate::hex::encode as to_hex;
use crate::pdq::{Dihedral, PdqHash};

/// What the device holds about a filter hit until it is confirmed: in memory only, never logged
/// (`Debug` prints nothing of it), dropped when the confirmation ends.
#[derive(Clone, PartialEq, Eq)]
pub enum Candidate {
    /// An exact hash of the image (a file hash, or the exact PDQ hash of one rotation/flip), and the entry
    /// key that hit the exact filter.
    Exact { kind: HashKind, hash: Vec<u8>, key: u64 },
    /// The image's PDQ hash in each rotation/flip ([`Dihedral::ALL`] order, quality gate passed) and the
    /// band keys that hit the perceptual filter.
    Perceptual { hashes: Box<[PdqHash; 8]>, keys: Vec<u64> },
}

impl std::fmt::Debug for Candidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Candidate::Exact { kind, .. } => write!(f, "Candidate::Exact({kind}, ..)"),
            Candidate::Perceptual { .. } => f.write_str("Candidate::Perceptual(..)"),
        }
    }
}

impl Candidate {
    /// The lookup keys that hit: the exact entry key, or the perceptual band keys in band order.
    pub fn keys(&self) -> &[u64] {
        match self {
            Candidate::Exact { key, .. } => std::slice::from_ref(key),
            Candidate::Perceptual { keys, .. } => keys,
        }
    }

    /// The buckets to ask for: one per lookup key that hit.
    pub fn buckets(&self, bucket_bits: u8) -> Vec<u32> {
        let mut buckets: Vec<u32> = self.keys().iter().map(|&key| bucket_of(key, bucket_bits)).collect();
        buckets.sort_unstable();
        buckets.dedup();
        buckets.truncate(super::messages::MAX_BUCKETS_PER_REQUEST);
        buckets
    }
}

/// A confirmed match: the listed entry itself (not the image's hash), and for perceptual matches which
/// rotation/flip of the image matched it and at what distance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    pub entry: ListedEntry,
    pub variant: Option<Dihedral>,
    pub distance: u32,
}

/// Checks a response against the request and the bundle's commitment; the listed entries of the requested
/// buckets, when every check passes.
pub fn verify_response(
    commitment: &Commitment,
    request: &ConfirmationRequest,
    response_bytes: &[u8],
) -> Result<Vec<ListedEntry>, ConfirmError> {
    let response = ConfirmationResponse::from_bytes(response_bytes)?;
    if response.nonce != request.nonce {
        return Err(ConfirmError::NonceMismatch { expected: to_hex(&request.nonce), got: to_hex(&response.nonce) });
    }
    if response.bundle_id != request.bundle_id || response.bundle_sequence != request.bundle_sequence {
        return Err(ConfirmError::WrongBundle {
            expected_id: request.bundle_id.clone(),
            expected_sequence: request.bundle_sequence,
            got_id: response.bundle_id,
            got_sequence: response.bundle_sequence,
        });
    }
    let got: Vec<u32> = response.buckets.iter().map(|b| b.bucket).collect();
    if got != request.buckets {
        return Err(ConfirmError::WrongBuckets { expected: request.buckets.clone(), got });
    }
    let mut entries = Vec::new();
    for proof in response.buckets {
        let depth_ok = proof.path.len() == usize::from(commitment.bucket_bits);
        let leaf = leaf_hash(proof.bucket, &proof.entries);
        if !depth_ok || root_from_path(proof.bucket, leaf, &proof.path) != commitment.root {
            return Err(ConfirmError::BadProof { bucket: proof.bucket });
        }
        entries.extend(proof.entries);
    }
    Ok(entries)
}

/// Decides a candidate against verified entries: exact equality for exact kinds; for perceptual
/// candidates, the listed PDQ hash nearest to any rotation/flip, if within [`MAX_PDQ_DISTANCE`].
pub fn confirm_candidate(candidate: &Candidate, entries: &[ListedEntry]) -> Option<Confirmed> {
    match candidate {
        Candidate::Exact { kind, hash, .. } => entries
            .iter()
            .find(|entry| entry.kind == *kind && entry.hash == *hash)
            .map(|entry| Confirmed { entry: entry.clone(), variant: None, distance: 0 }),
        Candidate::Perceptual { hashes, .. } => entries
            .iter()
            .filter(|entry| entry.kind == HashKind::PdqExact)
            .filter_map(|entry| {
                let listed = PdqHash(entry.hash.as_slice().try_into().ok()?);
                Dihedral::ALL
                    .into_iter()
                    .zip(hashes.iter())
                    .map(|(variant, hash)| (hash.distance(&listed), variant))
                    .min()
                    .map(|(distance, variant)| (distance, variant, entry))
            })
            .filter(|(distance, _, _)| *distance <= MAX_PDQ_DISTANCE)
            .min_by_key(|(distance, _, _)| *distance)
            .map(|(distance, variant, entry)| Confirmed { entry: entry.clone(), variant: Some(variant), distance }),
    }
}
