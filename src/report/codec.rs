//! The canonical byte encoding of a report (little-endian; see `docs/FORMAT.md`).
//!
//! ```text
//! magic "IGRP" | version u8 (1: a still image, 2: a video) | report_id [16] | created_minutes u32
//! | bundle_id: len u8, UTF-8 | list_id: len u8, UTF-8 | bundle_sequence u64
//! | entry: tag u8 (1 exact | 2 perceptual)
//!     exact:      kind u8 (1 md5, 2 sha1, 3 sha256, 4 blake3, 5 pdq), hash [kind's length]
//!     perceptual: strength u8 (1 strong, 2 weak), variant u8 (0..8), pdq [32]
//! | version 2 only: frame_hits u16 (>= 1 + the count below), count u8 (<= 6), that many entries as above
//! | context: len u16, bytes | device_key_id [8] | signature [64]
//! ```
//! Bytes are read and written through [`crate::wire`], like every other format.
//! Decoding rejects anything another encoder could have produced differently: unknown tags, ids longer than
//! [`MAX_ID_LEN`], invalid UTF-8, a context over [`MAX_CONTEXT_LEN`], and bytes after the signature.

use super::{MatchStrength, MatchedEntry, Report, ReportError, VideoEvidence, MAX_VIDEO_FRAMES};
use crate::exact::HashKind;
use crate::pdq::{Dihedral, PdqHash};
use crate::signing::{KeyId, SIGNATURE_LEN};
use crate::wire::{Reader, Truncated, Writer};

const MAGIC: &[u8; 4] = b"IGRP";
/// A still image's report.
const VERSION: u8 = 1;
/// A video's report: version 1 and the video's evidence after the entry.
const VIDEO_VERSION: u8 = 2;
/// Longest bundle or list id, in bytes.
pub const MAX_ID_LEN: usize = 64;
/// Longest app-supplied context, in bytes.
pub const MAX_CONTEXT_LEN: usize = 1024;

pub(super) fn encode_body(report: &Report) -> Result<Vec<u8>, ReportError> {
    let mut w = Writer { bytes: Vec::with_capacity(160 + report.context.len()) };
    w.raw(MAGIC).u8(if report.video.is_some() { VIDEO_VERSION } else { VERSION }).raw(&report.report_id).u32(report.created_minutes);
    for id in [&report.bundle_id, &report.list_id] {
        if id.len() > MAX_ID_LEN {
            return Err(ReportError::InvalidField("bundle or list id longer than 64 bytes"));
        }
        w.short_bytes(id.as_bytes());
    }
    w.u64(report.bundle_sequence);
    write_entry(&mut w, &report.entry)?;
    if let Some(video) = &report.video {
        if !video.counts_are_consistent() {
            return Err(ReportError::InvalidField("video frame counts"));
        }
        w.u16(video.frame_hits).u8(video.more_frames.len() as u8); // <= MAX_VIDEO_FRAMES, checked above
        for entry in &video.more_frames {
            write_entry(&mut w, entry)?;
        }
    }
    if report.context.len() > MAX_CONTEXT_LEN {
        return Err(ReportError::ContextTooLong(report.context.len()));
    }
    w.medium_bytes(&report.context).raw(&report.device_key_id.0);
    Ok(w.bytes)
}

fn write_entry(w: &mut Writer, entry: &MatchedEntry) -> Result<(), ReportError> {
    match entry {
        MatchedEntry::Exact { kind, hash } => {
            if hash.len() != kind.len() {
                return Err(ReportError::InvalidField("exact hash length does not match its kind"));
            }
            w.u8(1).u8(kind.id()).raw(hash);
        }
        MatchedEntry::Perceptual { hash, variant, strength } => {
            let strength = match strength {
                MatchStrength::Strong => 1,
                MatchStrength::Weak => 2,
            };
            w.u8(2).u8(strength).u8(variant.index()).raw(&hash.0);
        }
    }
    Ok(())
}

fn read_entry(r: &mut Reader<'_>) -> Result<MatchedEntry, ReportError> {
    Ok(match r.u8()? {
        1 => {
            let kind = HashKind::from_id(r.u8()?).ok_or(ReportError::InvalidField("unknown hash kind"))?;
            MatchedEntry::Exact { kind, hash: r.take(kind.len())?.to_vec() }
        }
        2 => {
            let strength = match r.u8()? {
                1 => MatchStrength::Strong,
                2 => MatchStrength::Weak,
                _ => return Err(ReportError::InvalidField("unknown match strength")),
            };
            let variant = Dihedral::from_index(r.u8()?).ok_or(ReportError::InvalidField("unknown dihedral variant"))?;
            MatchedEntry::Perceptual { hash: PdqHash(r.array()?), variant, strength }
        }
        _ => return Err(ReportError::InvalidField("unknown match entry tag")),
    })
}

impl From<Truncated> for ReportError {
    fn from(_: Truncated) -> ReportError {
        ReportError::Truncated
    }
}

/// A u8-length-prefixed UTF-8 bundle or list id, at most [`MAX_ID_LEN`] bytes (the length is checked
/// before the bytes are read).
fn read_id(r: &mut Reader<'_>) -> Result<String, ReportError> {
    let len = usize::from(r.u8()?);
    if len > MAX_ID_LEN {
        return Err(ReportError::InvalidField("bundle or list id longer than 64 bytes"));
    }
    String::from_utf8(r.take(len)?.to_vec()).map_err(|_| ReportError::InvalidField("id is not UTF-8"))
}

/// Decodes a signed report without checking the signature. Returns the report and the length of the signed
/// body. Use [`super::verify_report`] unless you only want to look.
pub(super) fn decode(bytes: &[u8]) -> Result<(Report, usize), ReportError> {
    let mut r = Reader::new(bytes);
    if r.take(4).map_err(|_| ReportError::BadMagic)? != MAGIC {
        return Err(ReportError::BadMagic);
    }
    let version = r.u8()?;
    if version != VERSION && version != VIDEO_VERSION {
        return Err(ReportError::UnsupportedVersion(version));
    }
    let report_id = r.array::<16>()?;
    let created_minutes = r.u32()?;
    let bundle_id = read_id(&mut r)?;
    let list_id = read_id(&mut r)?;
    let bundle_sequence = r.u64()?;
    let entry = read_entry(&mut r)?;
    let video = if version == VIDEO_VERSION {
        let frame_hits = r.u16()?;
        let count = usize::from(r.u8()?);
        // Checked before the entries are read: a count over the maximum allocates nothing.
        if count > MAX_VIDEO_FRAMES {
            return Err(ReportError::InvalidField("video frame counts"));
        }
        let video = VideoEvidence { frame_hits, more_frames: (0..count).map(|_| read_entry(&mut r)).collect::<Result<_, _>>()? };
        if !video.counts_are_consistent() {
            return Err(ReportError::InvalidField("video frame counts"));
        }
        Some(video)
    } else {
        None
    };
    let context_len = usize::from(r.u16()?);
    if context_len > MAX_CONTEXT_LEN {
        return Err(ReportError::ContextTooLong(context_len));
    }
    let context = r.take(context_len)?.to_vec();
    let device_key_id = KeyId(r.array()?);
    let body_len = r.position();
    r.take(SIGNATURE_LEN)?;
    if !r.is_empty() {
        return Err(ReportError::TrailingBytes(r.remaining()));
    }
    let report =
        Report { report_id, created_minutes, bundle_id, list_id, bundle_sequence, entry, video, context, device_key_id };
    Ok((report, body_len))
}

/// Decodes a report WITHOUT verifying its signature (for inspection tools).
pub fn decode_unverified(bytes: &[u8]) -> Result<Report, ReportError> {
    decode(bytes).map(|(report, _)| report)
}
