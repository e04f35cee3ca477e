//! Why a bundle, a delta or a trust state was refused.

use crate::signing::KeyId;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    #[error("not an imageguard bundle (bad magic)")]
    BadMagic,
    #[error("unsupported bundle format version {0}")]
    UnsupportedVersion(u16),
    #[error("the bundle is truncated")]
    Truncated,
    #[error("the bundle is {0} bytes, over the {max} byte limit", max = super::MAX_BUNDLE_BYTES)]
    TooLarge(u64),
    #[error("the bundle is malformed: {0}")]
    Malformed(&'static str),
    #[error("unknown section kind {0}")]
    UnknownSection(u8),
    #[error("section {0:?} appears twice")]
    DuplicateSection(super::SectionKind),
    #[error("{valid} valid signature(s) from trusted keys, {required} required")]
    NotEnoughSignatures { valid: usize, required: usize },
    #[error("the trust configuration is invalid: {0}")]
    BadTrustConfig(&'static str),
    #[error("bundle sequence {got} is not newer than the accepted {accepted} (rollback refused)")]
    Rollback { got: u64, accepted: u64 },
    #[error("the bundle expired at {expires} (now {now})")]
    Expired { expires: u64, now: u64 },
    #[error("the bundle is not valid before {created} (now {now})")]
    NotYetValid { created: u64, now: u64 },
    #[error("key {0} has already signed this bundle")]
    AlreadySigned(KeyId),
    #[error("the delta applies to bundle root {expected}, not to this bundle")]
    WrongBase { expected: String },
    #[error("the trust state is malformed: {0}")]
    BadState(&'static str),
    #[error("the delta is {bytes} bytes, over the {max} byte limit")]
    DeltaTooLarge { bytes: u64, max: u64 },
    /// The bundle is validly signed, but for a series this app did not pin (`ScannerConfig::bundle_ids`),
    /// or an update tries to switch the active series.
    #[error("bundle id {got:?} is not the one this scanner accepts ({expected:?})")]
    WrongBundleId { got: String, expected: Vec<String> },
    /// A filter is fuller than its declared entry count allows: it would match far more than the list.
    #[error("the {section} is saturated: {detail}")]
    Saturated { section: &'static str, detail: FillDetail },
}

/// How full a filter was found, against what its declared entries allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{bits_set} bits (exact filter: fingerprints) held where its entries allow at most {bits_possible}; {fp_per_billion} false positives per billion probes, at most {max_fp_per_billion} allowed")]
pub struct FillDetail {
    pub bits_set: u64,
    pub bits_possible: u64,
    pub fp_per_billion: u64,
    pub max_fp_per_billion: u64,
}

impl From<crate::wire::Truncated> for BundleError {
    fn from(_: crate::wire::Truncated) -> Self {
        BundleError::Truncated
    }
}
