//! The one error type foreign code sees, and its mapping from the core's typed errors.
//!
//! Each variant is what an app acts on differently (refresh a bundle, decode with the platform, ask the
//! user for another file, report a bug...), and the ones that need a finer choice carry a `reason` enum.
//! The mapping below matches the core's typed errors variant by variant: no text is ever inspected, so an
//! app can switch on the variant and its reason and never on a message.
//!
//! Every variant carries its readable sentence in `detail` ("bundle refused: bundle
//! sequence 5 is not newer than the accepted 6 (rollback refused)"), which is also its `Display` text,
//! exported to Kotlin (`toString()`) and Swift (`description`, and `localizedDescription` through the
//! `LocalizedError` conformance in ios/Sources/ImageGuard/Errors.swift). The field is named `detail`, not
//! `message`: uniffi 0.32 generates Kotlin that does not compile when an error field is named `message`
//! (it collides with `Throwable.message`; uniffi-rs issue 1434), and Kotlin's `message` is uniffi's own
//! rendering of the fields (`reason=ROLLBACK, detail=...`). No text carries pixels, hashes or any value
//! computed from the scanned image.

use imageguard::bundle::BundleError;
use imageguard::confirm::ConfirmError;
use imageguard::decode::{self, DecodeError};
use imageguard::filter::FilterError;
use imageguard::hex::HexError;
use imageguard::report::ReportError;
use imageguard::scanner::{ConfigError, ScanError, SectionError};
use imageguard::signing::KeyError;
use std::fmt::Display;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum ImageGuardError {
    /// An argument is malformed (bad hex, wrong length, inconsistent pixel buffer geometry, an invalid
    /// configuration).
    #[error("{detail}")]
    InvalidArgument { detail: String },
    /// A key could not be imported (not PKCS#8 Ed25519, a weak or non-canonical public key).
    #[error("{detail}")]
    InvalidKey { detail: String },
    /// Image bytes could not be decoded; `kind` says why (truncated, corrupt, over a limit...).
    #[error("{detail}")]
    Decode { kind: DecodeErrorKind, detail: String },
    /// The core does not decode this file (HEIC, AVIF, DNG, arithmetic-coded JPEG...) but the platform's
    /// decoder may: decode it there and scan the pixels.
    #[error("{detail}")]
    NeedsPlatformDecode { reason: PlatformDecodeReason, detail: String },
    /// A bundle (or delta) was refused; `reason` says why. The active bundle, if any, is unchanged.
    #[error("{detail}")]
    BundleRejected { reason: BundleRejectReason, detail: String },
    /// A report failed verification; `reason` says why.
    #[error("{detail}")]
    ReportRejected { reason: ReportRejectReason, detail: String },
    /// A confirmation answer was refused; `reason` says why. The pending confirmation stays usable for a
    /// proper answer (except after `AlreadyUsed`).
    #[error("{detail}")]
    ConfirmationRejected { reason: ConfirmationRejectReason, detail: String },
    /// Saved trust or decision state could not be read.
    #[error("{detail}")]
    InvalidState { detail: String },
    /// A file could not be read (missing, not readable).
    #[error("{detail}")]
    Io { detail: String },
    /// A bug in imageguard (a caught panic). The detail says where; please report it.
    #[error("{detail}")]
    Internal { detail: String },
}

/// Why a bundle or delta was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum BundleRejectReason {
    /// Past its expiry date (by the time given; scanning bundles are kept, marked stale instead).
    Expired,
    /// Made after the time given (a clock set back).
    NotYetValid,
    /// Not newer than the bundle already accepted.
    Rollback,
    /// Not signed by enough of the trusted provider keys (or altered after signing).
    NotEnoughSignatures,
    /// A bundle series the app did not pin, or a switch away from the active series.
    WrongBundleId,
    /// A delta for another base bundle than the active one.
    WrongBase,
    /// Over the size limit (bundle or delta).
    TooLarge,
    /// A format version this build does not read (or one withdrawn): update the SDK or rebuild the bundle.
    UnsupportedVersion,
    /// A filter fuller than its declared entries allow: it would match far more than its list.
    Saturated,
    /// Prompt texts or links refused by validation (hosts, bidi controls, phone numbers, lengths).
    PromptsRefused,
    /// Not a well-formed bundle (bad magic, truncated, a malformed or unreadable section).
    Malformed,
    /// A store directory with no bundle that opens, and no bundle shipped with the app to start from.
    Missing,
}

/// Why image bytes could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DecodeErrorKind {
    Empty,
    /// The input is over the configured byte limit.
    InputTooLarge,
    /// The image is over the configured pixel limit.
    TooManyPixels,
    /// Decoding would need more memory than the configured limit.
    MemoryLimit,
    /// The JPEG's progressive scans would take more work than the limit (a CPU bomb).
    WorkLimit,
    /// The data ends too early.
    Truncated,
    /// The data is malformed.
    Corrupt,
}

/// Which kind of file the platform's decoder should handle: the core's `decode::PlatformDecodeReason`.
///
/// A hand-written mirror, not a uniffi remote type: the core enum is `#[non_exhaustive]`, and a reason the
/// core adds later must still reach the app as `UnknownFormat` (worth a try with the platform decoder)
/// rather than fail the call, which is what a remote type's generated conversion would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PlatformDecodeReason {
    Heif,
    Avif,
    /// TIFF, DNG and most camera RAW files.
    Tiff,
    JpegXl,
    /// Arithmetic or hierarchical coding.
    JpegCoding,
    UnsupportedFeature,
    UnknownFormat,
}

/// Why a report failed verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ReportRejectReason {
    /// Signed by a key that is not among the trusted ones.
    UntrustedKey,
    /// The signature does not verify: the report was altered, or not signed by the key it names.
    BadSignature,
    /// A report format version this build does not read.
    UnsupportedVersion,
    /// Not a well-formed report.
    Malformed,
}

/// Why a confirmation answer was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ConfirmationRejectReason {
    /// The answer is for another request (a replay, or answers mixed up).
    NonceMismatch,
    /// The answer is for another bundle or bundle version.
    WrongBundle,
    /// The answer covers other buckets than those asked for.
    WrongBuckets,
    /// A proof does not lead to the bundle's committed root (altered or forged lists).
    BadProof,
    /// The request's device signature does not verify (platform side).
    BadRequestSignature,
    /// This pending confirmation was already confirmed.
    AlreadyUsed,
    /// The bundle has no commitment: its hits cannot be confirmed.
    NoCommitment,
    /// Not a well-formed answer (or request).
    Malformed,
}

/// Each variant's sentence starts with what failed; the core's error text says why.
mod sentence {
    use std::fmt::Display;

    pub fn invalid_argument(e: impl Display) -> String {
        format!("invalid argument: {e}")
    }
    pub fn invalid_key(e: impl Display) -> String {
        format!("invalid key: {e}")
    }
    pub fn decode(e: impl Display) -> String {
        format!("could not decode the image: {e}")
    }
    pub fn bundle(e: impl Display) -> String {
        format!("bundle refused: {e}")
    }
    pub fn report(e: impl Display) -> String {
        format!("report rejected: {e}")
    }
    pub fn confirmation(e: impl Display) -> String {
        format!("confirmation refused: {e}")
    }
    pub fn state(e: impl Display) -> String {
        format!("invalid saved state: {e}")
    }
    pub fn io(e: impl Display) -> String {
        format!("could not read the file: {e}")
    }
    pub fn internal(e: impl Display) -> String {
        format!("internal error in imageguard: {e}")
    }
}

impl ImageGuardError {
    pub(crate) fn invalid_argument(error: impl Display) -> Self {
        ImageGuardError::InvalidArgument { detail: sentence::invalid_argument(error) }
    }

    pub(crate) fn io(error: impl Display) -> Self {
        ImageGuardError::Io { detail: sentence::io(error) }
    }

    pub(crate) fn internal(error: impl Display) -> Self {
        ImageGuardError::Internal { detail: sentence::internal(error) }
    }

    pub(crate) fn bundle(reason: BundleRejectReason, error: impl Display) -> Self {
        ImageGuardError::BundleRejected { reason, detail: sentence::bundle(error) }
    }

    pub(crate) fn invalid_state(error: impl Display) -> Self {
        ImageGuardError::InvalidState { detail: sentence::state(error) }
    }
}

impl From<KeyError> for ImageGuardError {
    fn from(e: KeyError) -> Self {
        match e {
            KeyError::Random => ImageGuardError::internal(e),
            _ => ImageGuardError::InvalidKey { detail: sentence::invalid_key(e) },
        }
    }
}

impl From<HexError> for ImageGuardError {
    fn from(e: HexError) -> Self {
        ImageGuardError::invalid_argument(e)
    }
}

impl From<ConfigError> for ImageGuardError {
    fn from(e: ConfigError) -> Self {
        ImageGuardError::invalid_argument(e)
    }
}

impl From<decode::PlatformDecodeReason> for PlatformDecodeReason {
    fn from(reason: decode::PlatformDecodeReason) -> Self {
        use decode::PlatformDecodeReason as Core;
        match reason {
            Core::Heif => PlatformDecodeReason::Heif,
            Core::Avif => PlatformDecodeReason::Avif,
            Core::Tiff => PlatformDecodeReason::Tiff,
            Core::JpegXl => PlatformDecodeReason::JpegXl,
            Core::JpegCoding => PlatformDecodeReason::JpegCoding,
            Core::UnsupportedFeature => PlatformDecodeReason::UnsupportedFeature,
            // Core::UnknownFormat, and any reason added later: the platform decoder is worth a try.
            _ => PlatformDecodeReason::UnknownFormat,
        }
    }
}

impl From<DecodeError> for ImageGuardError {
    fn from(e: DecodeError) -> Self {
        let kind = match &e {
            DecodeError::NeedsPlatformDecode { reason } => {
                return ImageGuardError::NeedsPlatformDecode { reason: (*reason).into(), detail: sentence::decode(&e) }
            }
            DecodeError::BadBuffer(_) => return ImageGuardError::invalid_argument(e),
            DecodeError::Io(_) => return ImageGuardError::Io { detail: sentence::io(&e) },
            DecodeError::Empty => DecodeErrorKind::Empty,
            DecodeError::InputTooLarge { .. } => DecodeErrorKind::InputTooLarge,
            DecodeError::TooManyPixels { .. } => DecodeErrorKind::TooManyPixels,
            DecodeError::MemoryLimit { .. } => DecodeErrorKind::MemoryLimit,
            DecodeError::JpegWorkLimit { .. } => DecodeErrorKind::WorkLimit,
            DecodeError::Truncated => DecodeErrorKind::Truncated,
            // DecodeError::Corrupt, and any failure added later.
            _ => DecodeErrorKind::Corrupt,
        };
        ImageGuardError::Decode { kind, detail: sentence::decode(&e) }
    }
}

impl From<BundleError> for ImageGuardError {
    fn from(e: BundleError) -> Self {
        use BundleRejectReason as R;
        let reason = match &e {
            BundleError::BadState(_) => return ImageGuardError::invalid_state(&e),
            BundleError::BadTrustConfig(_) => return ImageGuardError::invalid_argument(e),
            BundleError::Expired { .. } => R::Expired,
            BundleError::NotYetValid { .. } => R::NotYetValid,
            BundleError::Rollback { .. } => R::Rollback,
            BundleError::NotEnoughSignatures { .. } => R::NotEnoughSignatures,
            BundleError::WrongBundleId { .. } => R::WrongBundleId,
            BundleError::WrongBase { .. } => R::WrongBase,
            BundleError::TooLarge(_) | BundleError::DeltaTooLarge { .. } => R::TooLarge,
            BundleError::UnsupportedVersion(_) => R::UnsupportedVersion,
            BundleError::Saturated { .. } => R::Saturated,
            // Bad magic, truncated, malformed, unknown or duplicate sections, and any failure added later.
            _ => R::Malformed,
        };
        ImageGuardError::bundle(reason, e)
    }
}

/// A section of a validly signed bundle that cannot be used refuses the bundle.
fn section_reason(error: &SectionError) -> BundleRejectReason {
    match error {
        SectionError::Filter(FilterError::UnsupportedVersion(_) | FilterError::Withdrawn { .. }) => {
            BundleRejectReason::UnsupportedVersion
        }
        SectionError::Prompts(_) => BundleRejectReason::PromptsRefused,
        _ => BundleRejectReason::Malformed,
    }
}

impl From<ReportError> for ImageGuardError {
    fn from(e: ReportError) -> Self {
        use ReportRejectReason as R;
        let reason = match &e {
            ReportError::Random => return ImageGuardError::internal(e),
            ReportError::UntrustedKey(_) => R::UntrustedKey,
            ReportError::BadSignature => R::BadSignature,
            ReportError::UnsupportedVersion(_) => R::UnsupportedVersion,
            _ => R::Malformed,
        };
        ImageGuardError::ReportRejected { reason, detail: sentence::report(&e) }
    }
}

impl From<ConfirmError> for ImageGuardError {
    fn from(e: ConfirmError) -> Self {
        use ConfirmationRejectReason as R;
        let reason = match &e {
            ConfirmError::Random => return ImageGuardError::internal(e),
            ConfirmError::NonceMismatch { .. } => R::NonceMismatch,
            ConfirmError::WrongBundle { .. } => R::WrongBundle,
            ConfirmError::WrongBuckets { .. } => R::WrongBuckets,
            ConfirmError::BadProof { .. } => R::BadProof,
            ConfirmError::BadRequestSignature => R::BadRequestSignature,
            ConfirmError::AlreadyUsed => R::AlreadyUsed,
            ConfirmError::NoCommitment => R::NoCommitment,
            _ => R::Malformed,
        };
        ImageGuardError::ConfirmationRejected { reason, detail: sentence::confirmation(&e) }
    }
}

impl From<ScanError> for ImageGuardError {
    fn from(e: ScanError) -> Self {
        match e {
            ScanError::Image(decode) => decode.into(),
            ScanError::Bundle(bundle) => bundle.into(),
            ScanError::Config(config) => config.into(),
            ScanError::Section { ref source, .. } => ImageGuardError::bundle(section_reason(source), &e),
            ScanError::DecisionState(_) => ImageGuardError::invalid_state(&e),
            // Making a report (not verifying one) fails only on a broken random generator or a bug.
            ScanError::Report(_) => ImageGuardError::internal(e),
            ScanError::Confirmation(confirm) => confirm.into(),
            // ScanError::Internal; ScanError::Cancelled, which only the core's `scan_batch` returns and no
            // export calls (Kotlin and Swift cancel with their own coroutine/task cancellation); and any
            // failure added later.
            _ => ImageGuardError::internal(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imageguard::bundle::SectionKind;
    use imageguard::decode::{BufferError, Corruption};
    use imageguard::policy::PolicyError;
    use imageguard::prompts::PromptError;

    fn bundle_reason(e: impl Into<ImageGuardError>) -> BundleRejectReason {
        match e.into() {
            ImageGuardError::BundleRejected { reason, .. } => reason,
            other => panic!("expected BundleRejected, got {other:?}"),
        }
    }

    #[test]
    fn bundle_failures_map_to_the_reason_an_app_acts_on() {
        use BundleRejectReason as R;
        assert_eq!(bundle_reason(BundleError::Expired { expires: 1, now: 2 }), R::Expired);
        assert_eq!(bundle_reason(BundleError::NotYetValid { created: 2, now: 1 }), R::NotYetValid);
        assert_eq!(bundle_reason(BundleError::Rollback { got: 1, accepted: 2 }), R::Rollback);
        assert_eq!(bundle_reason(BundleError::NotEnoughSignatures { valid: 0, required: 1 }), R::NotEnoughSignatures);
        let wrong_id = BundleError::WrongBundleId { got: "b".into(), expected: vec!["a".into()] };
        assert_eq!(bundle_reason(ScanError::Bundle(wrong_id)), R::WrongBundleId);
        assert_eq!(bundle_reason(BundleError::WrongBase { expected: "00".into() }), R::WrongBase);
        assert_eq!(bundle_reason(BundleError::DeltaTooLarge { bytes: 2, max: 1 }), R::TooLarge);
        assert_eq!(bundle_reason(BundleError::UnsupportedVersion(9)), R::UnsupportedVersion);
        assert_eq!(bundle_reason(BundleError::BadMagic), R::Malformed);
        assert_eq!(bundle_reason(BundleError::Truncated), R::Malformed);
        let prompts = ScanError::Section { section: SectionKind::Prompts, source: PromptError::Malformed("link").into() };
        assert_eq!(bundle_reason(prompts), R::PromptsRefused);
        let filter = ScanError::Section { section: SectionKind::ExactFilter, source: FilterError::Withdrawn { version: 1 }.into() };
        assert_eq!(bundle_reason(filter), R::UnsupportedVersion);
        let policy = ScanError::Section { section: SectionKind::Policy, source: PolicyError::Truncated.into() };
        assert_eq!(bundle_reason(policy), R::Malformed);
        assert!(matches!(BundleError::BadState("x").into(), ImageGuardError::InvalidState { .. }));
        assert!(matches!(BundleError::BadTrustConfig("x").into(), ImageGuardError::InvalidArgument { .. }));
    }

    #[test]
    fn decode_failures_keep_their_kind_and_platform_reason() {
        let heic = DecodeError::NeedsPlatformDecode { reason: decode::PlatformDecodeReason::Heif };
        assert!(matches!(heic.into(), ImageGuardError::NeedsPlatformDecode { reason: PlatformDecodeReason::Heif, .. }));
        let kind = |e: DecodeError| match ImageGuardError::from(e) {
            ImageGuardError::Decode { kind, .. } => kind,
            other => panic!("expected Decode, got {other:?}"),
        };
        assert_eq!(kind(DecodeError::Truncated), DecodeErrorKind::Truncated);
        assert_eq!(kind(DecodeError::Corrupt { what: Corruption::MalformedData }), DecodeErrorKind::Corrupt);
        assert_eq!(kind(DecodeError::MemoryLimit { max_bytes: 1 }), DecodeErrorKind::MemoryLimit);
        assert_eq!(kind(DecodeError::JpegWorkLimit { max: 1 }), DecodeErrorKind::WorkLimit);
        assert_eq!(kind(DecodeError::Empty), DecodeErrorKind::Empty);
        assert!(matches!(DecodeError::from(BufferError::Overflow).into(), ImageGuardError::InvalidArgument { .. }));
        let missing = DecodeError::from(std::io::Error::from(std::io::ErrorKind::NotFound));
        assert!(matches!(missing.into(), ImageGuardError::Io { .. }));
    }

    #[test]
    fn reports_confirmations_and_the_rest_map_without_text() {
        let report = |e: ReportError| match ImageGuardError::from(e) {
            ImageGuardError::ReportRejected { reason, .. } => reason,
            other => panic!("expected ReportRejected, got {other:?}"),
        };
        assert_eq!(report(ReportError::BadSignature), ReportRejectReason::BadSignature);
        assert_eq!(report(ReportError::UnsupportedVersion(2)), ReportRejectReason::UnsupportedVersion);
        assert_eq!(report(ReportError::Truncated), ReportRejectReason::Malformed);
        let confirm = |e: ConfirmError| match ImageGuardError::from(ScanError::Confirmation(e)) {
            ImageGuardError::ConfirmationRejected { reason, .. } => reason,
            other => panic!("expected ConfirmationRejected, got {other:?}"),
        };
        assert_eq!(confirm(ConfirmError::AlreadyUsed), ConfirmationRejectReason::AlreadyUsed);
        assert_eq!(confirm(ConfirmError::BadProof { bucket: 3 }), ConfirmationRejectReason::BadProof);
        let replay = ConfirmError::NonceMismatch { expected: "a".into(), got: "b".into() };
        assert_eq!(confirm(replay), ConfirmationRejectReason::NonceMismatch);
        assert_eq!(confirm(ConfirmError::Truncated { what: "response" }), ConfirmationRejectReason::Malformed);
        assert!(matches!(ScanError::Internal { what: "x" }.into(), ImageGuardError::Internal { .. }));
        assert!(matches!(ScanError::DecisionState(PolicyError::Truncated).into(), ImageGuardError::InvalidState { .. }));
        assert!(matches!(ConfigError::NoBundleIds.into(), ImageGuardError::InvalidArgument { .. }));
        assert!(matches!(KeyError::NonCanonicalPublicKey.into(), ImageGuardError::InvalidKey { .. }));
    }

    #[test]
    fn the_readable_sentence_is_the_display_text() {
        let e = ImageGuardError::from(BundleError::Rollback { got: 5, accepted: 6 });
        assert_eq!(e.to_string(), "bundle refused: bundle sequence 5 is not newer than the accepted 6 (rollback refused)");
    }
}
