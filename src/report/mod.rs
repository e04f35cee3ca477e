//! Minimal signed reports: what a device may send, on a match and only then, for the platform to verify.
//!
//! A report says which list entry matched and under which bundle, and nothing else: no pixels, no file
//! names, no location, no device identifier beyond the id of a key the app generated for reports. The
//! byte encoding is canonical (exactly one encoding per report, no trailing bytes) and is specified in
//! `docs/FORMAT.md`; the signature covers every byte before it.

// Untrusted input flows through here: no panicking shortcuts outside tests (checked by clippy in CI).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod codec;
mod sealed;

pub use codec::{decode_unverified, MAX_CONTEXT_LEN, MAX_ID_LEN};
pub use sealed::{open_report, parse_report_key_section, report_key_section, seal_report, ReportKeyPair, MAX_REPORT_LEN, PADDED_LEN, SEALED_LEN};

use crate::exact::HashKind;
use crate::pdq::{Dihedral, PdqHash};
use crate::signing::{KeyError, KeyId, SigningKey, VerifyingKey};

/// Domain separation string for report signatures.
pub const SIGNATURE_DOMAIN: &str = "imageguard report v1";

pub use crate::filter::MatchStrength;

/// The list entry that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchedEntry {
    /// The file's own exact hash, which is on the list.
    Exact { kind: HashKind, hash: Vec<u8> },
    /// The device's PDQ hash (in the orientation that hit) and which rotation/flip hit.
    Perceptual { hash: PdqHash, variant: Dihedral, strength: MatchStrength },
}

/// What a video match adds to its report: counts and the listed frames it matched, nothing about the
/// frames that did not match (encoded as report version 2; a still image's report stays version 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoEvidence {
    /// How many distinct frames of the video hit (confirmed ones, when the bundle asks for confirmation).
    pub frame_hits: u16,
    /// Matched frames besides the report's `entry`, each once, at most [`MAX_VIDEO_FRAMES`].
    pub more_frames: Vec<MatchedEntry>,
}

impl VideoEvidence {
    /// Whether the counts can be encoded: at most [`MAX_VIDEO_FRAMES`] more frames, and more frame hits
    /// than frames named besides the entry (each named frame is a hit, and so is the entry).
    pub fn counts_are_consistent(&self) -> bool {
        self.more_frames.len() <= MAX_VIDEO_FRAMES && usize::from(self.frame_hits) > self.more_frames.len()
    }
}

/// Most frames a video report names besides its `entry`: what fits the sealed report's fixed size.
pub const MAX_VIDEO_FRAMES: usize = 6;

/// A report's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Random, so that the id itself links nothing (the device key id does link a device's reports: apps
    /// rotate the device key to limit that).
    pub report_id: [u8; 16],
    /// Minutes since the Unix epoch, UTC (the time to the minute, no finer).
    pub created_minutes: u32,
    pub bundle_id: String,
    pub list_id: String,
    /// The bundle's sequence number (its version).
    pub bundle_sequence: u64,
    pub entry: MatchedEntry,
    /// For a video match: how many of its frames hit, and which listed frames besides `entry`.
    pub video: Option<VideoEvidence>,
    /// Opaque, app-supplied, at most [`MAX_CONTEXT_LEN`] bytes.
    pub context: Vec<u8>,
    /// Which device key signed it.
    pub device_key_id: KeyId,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    #[error("not an imageguard report (bad magic)")]
    BadMagic,
    #[error("report format version {0} is not supported (this build reads versions 1 and 2)")]
    UnsupportedVersion(u8),
    #[error("report is truncated")]
    Truncated,
    #[error("report has {0} unexpected bytes after its signature")]
    TrailingBytes(usize),
    #[error("report field is invalid: {0}")]
    InvalidField(&'static str),
    #[error("app context is {0} bytes; at most {MAX_CONTEXT_LEN} are allowed")]
    ContextTooLong(usize),
    #[error("report was signed by key {0}, which is not trusted")]
    UntrustedKey(KeyId),
    #[error("report signature is invalid: the report was altered or not signed by the key it names")]
    BadSignature,
    #[error("could not get randomness for the report id")]
    Random,
}

/// The key a device signs its reports with.
#[derive(Debug)]
pub struct DeviceKey(SigningKey);

impl DeviceKey {
    pub fn generate() -> Result<DeviceKey, KeyError> {
        SigningKey::generate().map(DeviceKey)
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<DeviceKey, KeyError> {
        SigningKey::from_pkcs8(pkcs8).map(DeviceKey)
    }

    /// PKCS#8 bytes for the app to store in the platform keystore; wiped when dropped.
    pub fn to_pkcs8(&self) -> zeroize::Zeroizing<Vec<u8>> {
        self.0.to_pkcs8()
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.0.public_key()
    }

    pub fn key_id(&self) -> KeyId {
        self.0.key_id()
    }

    /// The key itself, for stamping confirmation requests.
    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.0
    }

    /// Builds and signs a report. `unix_seconds` is truncated to the minute.
    pub fn sign_report(
        &self,
        unix_seconds: u64,
        bundle_id: &str,
        list_id: &str,
        bundle_sequence: u64,
        entry: MatchedEntry,
        context: &[u8],
    ) -> Result<Vec<u8>, ReportError> {
        self.sign_match_report(unix_seconds, bundle_id, list_id, bundle_sequence, entry, None, context)
    }

    /// [`DeviceKey::sign_report`] for a still image (`video` None) or a video match.
    #[allow(clippy::too_many_arguments)]
    pub fn sign_match_report(
        &self,
        unix_seconds: u64,
        bundle_id: &str,
        list_id: &str,
        bundle_sequence: u64,
        entry: MatchedEntry,
        video: Option<VideoEvidence>,
        context: &[u8],
    ) -> Result<Vec<u8>, ReportError> {
        let mut report_id = [0u8; 16];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut report_id)
            .map_err(|_| ReportError::Random)?;
        let report = Report {
            report_id,
            created_minutes: u32::try_from(unix_seconds / 60).map_err(|_| ReportError::InvalidField("time"))?,
            bundle_id: bundle_id.to_string(),
            list_id: list_id.to_string(),
            bundle_sequence,
            entry,
            video,
            context: context.to_vec(),
            device_key_id: self.key_id(),
        };
        self.sign_prepared_report(&report)
    }

    /// Encodes and signs a report whose every field the caller chose, its `report_id` and time included:
    /// for test vectors and tools that must reproduce the same bytes (Ed25519 signatures are
    /// deterministic). Apps use [`DeviceKey::sign_report`], which draws the id from the system CSPRNG.
    /// Refuses a report that names another device key.
    pub fn sign_prepared_report(&self, report: &Report) -> Result<Vec<u8>, ReportError> {
        if report.device_key_id != self.key_id() {
            return Err(ReportError::InvalidField("device key id is not this key's"));
        }
        let mut bytes = codec::encode_body(report)?;
        let signature = self.0.sign(SIGNATURE_DOMAIN, &bytes);
        bytes.extend_from_slice(&signature);
        Ok(bytes)
    }
}

/// Parses a report and checks its signature against the trusted device keys. Any change to any byte
/// makes this fail.
pub fn verify_report(bytes: &[u8], trusted: &[VerifyingKey]) -> Result<Report, ReportError> {
    let (report, body_len) = codec::decode(bytes)?;
    let key = trusted
        .iter()
        .find(|key| key.key_id() == report.device_key_id)
        .ok_or(ReportError::UntrustedKey(report.device_key_id))?;
    let (body, signature) = bytes.split_at(body_len);
    if !key.verify(SIGNATURE_DOMAIN, body, signature) {
        return Err(ReportError::BadSignature);
    }
    Ok(report)
}
