//! The filters a bundle carries: membership only, never enumeration.
//!
//! - [`exact`]: a Golomb-Rice coded set of keyed fingerprints of exact hashes (MD5, SHA-1, SHA-256,
//!   BLAKE3 and the full PDQ hash), at 5e-11 false positives per lookup. A handful of lookups per image.
//! - [`perceptual`]: near matches of PDQ hashes. Each known hash is cut into bands of bits; the device
//!   probes its own band values and their likeliest neighbours (the bits it knows are fragile flipped
//!   first) in a cache-blocked Bloom filter ([`blocked`]), thousands of probes per image at one cache line
//!   each.
//! - [`tune`]: predicts size, false positives and recall of perceptual parameters for a list size.
//!
//! Sections are little-endian, versioned and parsed without trusting any length.

// Untrusted input flows through here: no panicking shortcuts outside tests (checked by clippy in CI).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod bitstream;
pub mod blocked;
pub mod exact;
pub mod perceptual;
pub mod sanity;
pub mod tune;

pub use exact::ExactFilter;
pub use perceptual::{PerceptualFilter, PerceptualHit, PerceptualParams};

/// How strongly a perceptual hit is supported. Defined here, where hits are made; reports and the policy
/// name it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchStrength {
    /// The exact PDQ hash, or a near match with high confidence (two or more bands).
    Strong,
    /// A single band hit: plausible but less certain.
    Weak,
}

/// Why a filter section could not be built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FilterError {
    #[error("the filter section is truncated")]
    Truncated,
    #[error("the filter section is malformed: {0}")]
    Malformed(&'static str),
    #[error("unsupported filter section version {0}")]
    UnsupportedVersion(u8),
    #[error("filter section version {version} is withdrawn (its false-positive rate is too high): rebuild the bundle")]
    Withdrawn { version: u8 },
    #[error("invalid filter parameters: {0}")]
    BadParameters(&'static str),
}

impl From<crate::wire::Truncated> for FilterError {
    fn from(_: crate::wire::Truncated) -> Self {
        FilterError::Truncated
    }
}
