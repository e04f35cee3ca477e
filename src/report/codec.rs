//! The canonical byte encoding of a report (little-endian; see `docs/FORMAT.md`).
//!
//! ```text
//! magic "IGRP" | version u8 = 1 | report_id [16] | created_minutes u32
//! | bundle_id: len u8, UTF-8 | list_id: len u8, UTF-8 | bundle_sequence u64
//! | entry: tag u8 (1 exact | 2 perceptual)
//!     exact:      kind u8 (1 md5, 2 sha1, 3 sha256, 4 blake3, 5 pdq), hash [kind's length]
//!     perceptual: strength u8 (1 strong, 2 weak), variant u8 (0..8), pdq [32]
//! | context: len u16, bytes | device_key_id [8] | signature [64]
//! ```
//! Bytes are read and written through [`crate::wire`], like every other format.
//! Decoding rejects anything another encoder could have produced differently: unknown tags, ids longer than
//! [`MAX_ID_LEN`], invalid UTF-8, a context over [`MAX_CONTEXT_LEN`], and bytes after the signature.

use super::{MatchStrength, MatchedEntry, Report, ReportError};
use crate::exact::HashKind;
use crate::pdq::{Dihedral, PdqHash};
use crate::signing::{KeyId, SIGNATURE_LEN};
use crate::wire::{Reader, Truncated, Writer};

const MAGIC: &[u8; 4] = b"IGRP";
const VERSION: u8 = 1;
/// Longest bundle or list id, in bytes.
pub const MAX_ID_LEN: usize = 64;
/// Longest app-supplied context, in bytes.
pub const MAX_CONTEXT_LEN: usize = 1024;

pub(super) fn encode_body(report: &Report) -> Result<Vec<u8>, ReportError> {
    let mut w = Writer { bytes: Vec::with_capacity(160 + report.context.len()) };
    w.raw(MAGIC).u8(VERSION).raw(&report.report_id).u32(report.created_minutes);
    for id in [&report.bundle_id, &report.list_id] {
        if id.len() > MAX_ID_LEN {
            return Err(ReportError::InvalidField("bundle or list id longer than 64 bytes"));
        }
        w.short_bytes(id.as_bytes());
    }
    w.u64(report.bundle_sequence);
    match &report.entry {
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
    if report.context.len() > MAX_CONTEXT_LEN {
        return Err(ReportError::ContextTooLong(report.context.len()));
    }
    w.medium_bytes(&report.context).raw(&report.device_key_id.0);
    Ok(w.bytes)
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
    if version != VERSION {
        return Err(ReportError::UnsupportedVersion(version));
    }
    let report_id = r.array::<16>()?;
    let created_minutes = r.u32()?;
    let bundle_id = read_id(&mut r)?;
    let list_id = read_id(&mut r)?;
    let bundle_sequence = r.u64()?;
    let entry = match r.u8()? {
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
        Report { report_id, created_minutes, bundle_id, list_id, bundle_sequence, entry, context, device_key_id };
    Ok((report, body_len))
}

/// Decodes a report WITHOUT verifying its signature (for inspection tools).
pub fn decode_unverified(bytes: &[u8]) -> Result<Report, ReportError> {
    decode(bytes).map(|(report, _)| report)
}
