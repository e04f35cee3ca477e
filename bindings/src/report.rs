//! Report verification for the platform side (and for apps' own tests).

use crate::records::MatchedEntry;
use crate::{guard, ImageGuardError};
use imageguard::report;
use imageguard::signing::VerifyingKey;

/// A verified report's content.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReportRecord {
    pub report_id_hex: String,
    /// When it was made, to the minute (seconds since the Unix epoch, a multiple of 60).
    pub created_unix_seconds: u64,
    pub bundle_id: String,
    pub list_id: String,
    pub bundle_sequence: u64,
    pub entry: MatchedEntry,
    /// For a video match: how many distinct frames of the video hit, and the listed frames besides `entry`.
    pub video: Option<VideoEvidence>,
    pub context: Vec<u8>,
    pub device_key_id_hex: String,
}

/// What a video match's report adds: counts and the other matched listed frames (at most 6).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VideoEvidence {
    pub frame_hits: u16,
    pub more_frames: Vec<MatchedEntry>,
}

impl From<&report::Report> for ReportRecord {
    fn from(r: &report::Report) -> Self {
        ReportRecord {
            report_id_hex: imageguard::hex::encode(&r.report_id),
            created_unix_seconds: u64::from(r.created_minutes) * 60,
            bundle_id: r.bundle_id.clone(),
            list_id: r.list_id.clone(),
            bundle_sequence: r.bundle_sequence,
            entry: MatchedEntry::from(&r.entry),
            video: r.video.as_ref().map(|v| VideoEvidence {
                frame_hits: v.frame_hits,
                more_frames: v.more_frames.iter().map(MatchedEntry::from).collect(),
            }),
            context: r.context.clone(),
            device_key_id_hex: r.device_key_id.to_hex(),
        }
    }
}

/// Parses `report` and checks its signature against the trusted device public keys (32 bytes each).
/// Any change to any byte makes it fail with `ReportRejected` or `InvalidReport`.
#[uniffi::export]
pub fn verify_report(report: &[u8], trusted_public_keys: Vec<Vec<u8>>) -> Result<ReportRecord, ImageGuardError> {
    guard::call(|| {
        let trusted = trusted_public_keys
            .iter()
            .map(|key| VerifyingKey::from_bytes(key))
            .collect::<Result<Vec<_>, _>>()?;
        match report::verify_report(report, &trusted) {
            Ok(verified) => {
                log::debug!(target: "imageguard_ffi", "report verified");
                Ok(ReportRecord::from(&verified))
            }
            Err(e) => {
                log::warn!(target: "imageguard_ffi", "report not accepted: {e}");
                Err(e.into())
            }
        }
    })
}
