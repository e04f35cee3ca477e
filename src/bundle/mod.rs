//! Signed filter bundles: the one file a platform ships to devices.
//!
//! A bundle carries the filters of known hashes, a negative list, the policy and the prompt texts, each in
//! a typed section, under a header with ids, a monotonic sequence number and a validity window. A BLAKE3
//! root over all of that is signed by one or more list providers (Ed25519). A device accepts a bundle only
//! with valid signatures from at least `k` distinct trusted keys, only if it is newer than the last one it
//! accepted (anti-rollback) and only while it is valid. Updates can ship as deltas that rebuild the next
//! full bundle byte for byte, so the same signatures cover both. The byte layout is in `docs/FORMAT.md`.
//!
//! Parsing treats every byte as hostile until the signatures are checked, and every length and count is
//! checked against the input and against fixed maxima before anything is allocated.

// Untrusted input flows through here: no panicking shortcuts outside tests (checked by clippy in CI).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod delta;
mod error;
mod format;
mod exact_patch;
mod rice;
mod trust;

pub use delta::{apply_delta, apply_delta_any_time, make_delta, rebuilt_capacity, section_patch_len, MAX_DELTA_BYTES};
pub use error::{BundleError, FillDetail};
pub use format::{sign_bundle, BundleBuilder, BundleHeader, ParsedBundle, SectionKind, MAX_BUNDLE_BYTES};
pub use trust::{staleness, verify_bundle, verify_signed_bundle, StaleReason, TrustConfig, TrustState, VerifiedBundle};

/// Domain separation for bundle signatures (see [`crate::signing`]).
pub const SIGNATURE_DOMAIN: &str = "imageguard bundle v1";
