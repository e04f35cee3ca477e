//! Confirmation: a filter hit is only a candidate until the platform's real list confirms it.
//!
//! The bundle's Bloom filters can always be searched offline for false positives (crafted or by chance),
//! so a hit alone must never prompt or report anyone. The platform commits, in the signed bundle, to its
//! full lists: every lookup key (exact entry keys and perceptual band keys) is put in a *bucket* named by
//! the key's top bits, and a Merkle tree over all buckets (a dense tree: every bucket id has a leaf, so an
//! empty bucket proves absence) has its root in the [`crate::bundle::SectionKind::Commitment`] section.
//!
//! On a hit the device sends only the bucket id(s) of the keys that hit, a random nonce and the bundle's
//! identity ([`ConfirmationRequest`]); never the image's hash. The platform answers with each bucket's full
//! entry list and its Merkle path ([`ConfirmationResponse`]). The device checks the paths against the
//! signed root and the nonce echo, then decides itself: exact equality for exact kinds, PDQ distance
//! <= [`MAX_PDQ_DISTANCE`] over the 8 rotations/flips for perceptual hits. The platform cannot fabricate
//! a match (the root is signed) and learns one bucket id per key that hit. See `docs/adr/0002-confirmation.md`.
//!
//! - [`tree`]: buckets, leaf and node hashes, Merkle paths.
//! - [`commitment`]: the bundle section (bucket bits, root).
//! - [`messages`]: request and response bytes.
//! - [`platform`]: the platform side: build the commitment, keep the lists, answer requests.
//! - [`budget`]: the platform's per-device budget of answered buckets (what stops enumeration).
//! - [`device`]: the device side: check a response and decide.

// Untrusted input flows through here: no panicking shortcuts outside tests (checked by clippy in CI).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod budget;
pub mod commitment;
pub mod device;
pub mod messages;
pub mod platform;
pub mod tree;

pub use budget::{BudgetRefusal, BudgetRules, RequestBudget};
pub use commitment::Commitment;
pub use device::{confirm_candidate, verify_response, Candidate, Confirmed};
pub use messages::{ConfirmationRequest, ConfirmationResponse, NONCE_LEN};
pub use platform::PlatformLists;

use crate::exact::HashKind;

/// The largest PDQ distance that confirms a perceptual candidate (the usual PDQ match threshold).
pub const MAX_PDQ_DISTANCE: u32 = 31;

/// One entry of the platform's full list, as buckets hold it. PDQ hashes are `HashKind::PdqExact`; they
/// confirm exact PDQ hits by equality and perceptual hits by distance.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ListedEntry {
    pub kind: HashKind,
    pub hash: Vec<u8>,
}

impl std::fmt::Debug for ListedEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind, crate::hex::encode(&self.hash))
    }
}

/// Why a confirmation message or a platform list file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfirmError {
    #[error("the {what} is truncated")]
    Truncated { what: &'static str },
    #[error("not an imageguard {what} (bad magic or version)")]
    BadMagic { what: &'static str },
    #[error("the {what} is malformed: {reason}")]
    Malformed { what: &'static str, reason: &'static str },
    #[error("the bundle has no commitment section: its hits cannot be confirmed")]
    NoCommitment,
    #[error("the response answers request nonce {got}, not {expected} (replayed or mixed up)")]
    NonceMismatch { expected: String, got: String },
    #[error("the response is for bundle {got_id} v{got_sequence}, the request for {expected_id} v{expected_sequence}")]
    WrongBundle { expected_id: String, expected_sequence: u64, got_id: String, got_sequence: u64 },
    #[error("the response's buckets {got:?} are not the requested {expected:?}")]
    WrongBuckets { expected: Vec<u32>, got: Vec<u32> },
    #[error("the Merkle proof of bucket {bucket} does not lead to the bundle's committed root")]
    BadProof { bucket: u32 },
    #[error("bucket {bucket} is not below 2^{bits}")]
    BucketOutOfRange { bucket: u32, bits: u8 },
    #[error("the request's device signature is invalid")]
    BadRequestSignature,
    #[error("bucket {bucket} holds {entries} entries, over the limit of {max}")]
    BucketTooLarge { bucket: u32, entries: usize, max: usize },
    #[error("this confirmation was already used")]
    AlreadyUsed,
    #[error("could not get randomness")]
    Random,
}
