//! The one error type foreign code sees.
//!
//! It is a *flat* uniffi error: each variant reaches Kotlin as an `ImageGuardException` subclass and Swift
//! as an `ImageGuardError` case whose message is the `Display` text below, so `.message` (Kotlin),
//! `localizedDescription` (Swift) and `str(e)` (Python) always say what went wrong. No message carries
//! pixels or hashes of the scanned image.

use imageguard::bundle::BundleError;
use imageguard::decode::DecodeError;
use imageguard::report::ReportError;
use imageguard::scanner::ScanError;
use imageguard::signing::KeyError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum ImageGuardError {
    /// An argument is malformed (bad hex, wrong length, inconsistent pixel buffer geometry).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A key could not be imported or generated.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// Image bytes or pixels could not be decoded.
    #[error("could not decode the image: {0}")]
    Decode(String),
    /// The core does not decode this file (HEIC, AVIF, DNG, arithmetic-coded JPEG...) but the platform's
    /// decoder may: decode it there and scan the pixels. Its own case, so apps never match messages.
    #[error("could not decode the image: {0}")]
    NeedsPlatformDecode(String),
    /// A report is malformed or could not be built.
    #[error("invalid report: {0}")]
    InvalidReport(String),
    /// A well-formed report failed verification: unknown key or bad signature (altered bytes).
    #[error("report rejected: {0}")]
    ReportRejected(String),
    /// A bundle (or delta) was refused: bad signature, rollback, expired, malformed.
    #[error("bundle refused: {0}")]
    BundleRejected(String),
    /// Saved trust or decision state could not be read.
    #[error("invalid saved state: {0}")]
    InvalidState(String),
    /// A confirmation answer was refused (bad proof, another request's nonce, altered bytes, already
    /// used). The pending confirmation stays usable for a proper answer.
    #[error("confirmation refused: {0}")]
    ConfirmationRejected(String),
    /// The operation was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// A bug in imageguard (a caught panic). The message says where; please report it.
    #[error("internal error in imageguard: {0}")]
    Internal(String),
}

impl From<KeyError> for ImageGuardError {
    fn from(e: KeyError) -> Self {
        ImageGuardError::InvalidKey(e.to_string())
    }
}

impl From<DecodeError> for ImageGuardError {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::BadBuffer(_) => ImageGuardError::InvalidArgument(e.to_string()),
            DecodeError::NeedsPlatformDecode { .. } => ImageGuardError::NeedsPlatformDecode(e.to_string()),
            other => ImageGuardError::Decode(other.to_string()),
        }
    }
}

impl From<ReportError> for ImageGuardError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::UntrustedKey(_) | ReportError::BadSignature => ImageGuardError::ReportRejected(e.to_string()),
            other => ImageGuardError::InvalidReport(other.to_string()),
        }
    }
}

impl From<ScanError> for ImageGuardError {
    fn from(e: ScanError) -> Self {
        match e {
            ScanError::Image(decode) => decode.into(),
            ScanError::Bundle(state @ BundleError::BadState(_)) => ImageGuardError::InvalidState(state.to_string()),
            ScanError::Bundle(bundle) => ImageGuardError::BundleRejected(bundle.to_string()),
            ScanError::BadBundle(text) => ImageGuardError::BundleRejected(text),
            ScanError::BadState(text) => ImageGuardError::InvalidState(text),
            ScanError::Config(config) => ImageGuardError::InvalidArgument(config.to_string()),
            ScanError::Report(text) => ImageGuardError::InvalidReport(text),
            ScanError::Confirmation(e) => ImageGuardError::ConfirmationRejected(e.to_string()),
            ScanError::Cancelled => ImageGuardError::Cancelled,
            ScanError::Internal(text) => ImageGuardError::Internal(text),
        }
    }
}
