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
//! Decoding rejects anything another encoder could have produced differently: unknown tags, ids longer than
//! [`MAX_ID_LEN`], invalid UTF-8, a context over [`MAX_CONTEXT_LEN`], and bytes after the signature.

use super::{MatchStrength, MatchedEntry, Report, ReportError};
use crate::exact::HashKind;
use crate::pdq::{Dihedral, PdqHash};
use crate::signing::{KeyId, SIGNATURE_LEN};

const MAGIC: &[u8; 4] = b"IGRP";
const VERSION: u8 = 1;
/// Longest bundle or list id, in bytes.
pub const MAX_ID_LEN: usize = 64;
/// Longest app-supplied context, in bytes.
pub const MAX_CONTEXT_LEN: usize = 1024;

pub(super) fn encode_body(report: &Report) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::with_capacity(160 + report.context.len());
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(&report.report_id);
    out.extend_from_slice(&report.created_minutes.to_le_bytes());
    for id in [&report.bundle_id, &report.list_id] {
        if id.len() > MAX_ID_LEN {
            return Err(ReportError::InvalidField("bundle or list id longer than 64 bytes"));
        }
        out.push(id.len() as u8);
        out.extend_from_slice(id.as_bytes());
    }
    out.extend_from_slice(&report.bundle_sequence.to_le_bytes());
    match &report.entry {
        MatchedEntry::Exact { kind, hash } => {
            if hash.len() != kind.len() {
                return Err(ReportError::InvalidField("exact hash length does not match its kind"));
            }
            out.extend_from_slice(&[1, kind.id()]);
            out.extend_from_slice(hash);
        }
        MatchedEntry::Perceptual { hash, variant, strength } => {
            let strength = match strength {
                MatchStrength::Strong => 1,
                MatchStrength::Weak => 2,
            };
            out.extend_from_slice(&[2, strength, variant.index()]);
            out.extend_from_slice(&hash.0);
        }
    }
    if report.context.len() > MAX_CONTEXT_LEN {
        return Err(ReportError::ContextTooLong(report.context.len()));
    }
    out.extend_from_slice(&(report.context.len() as u16).to_le_bytes());
    out.extend_from_slice(&report.context);
    out.extend_from_slice(&report.device_key_id.0);
    Ok(out)
}

/// A cursor that never reads past the end: every read returns `Truncated` instead.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ReportError> {
        let end = self.at.checked_add(n).ok_or(ReportError::Truncated)?;
        let slice = self.bytes.get(self.at..end).ok_or(ReportError::Truncated)?;
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ReportError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, ReportError> {
        Ok(self.array::<1>()?[0])
    }

    fn id(&mut self) -> Result<String, ReportError> {
        let len = self.u8()? as usize;
        if len > MAX_ID_LEN {
            return Err(ReportError::InvalidField("bundle or list id longer than 64 bytes"));
        }
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| ReportError::InvalidField("id is not UTF-8"))
    }
}

/// Decodes a signed report without checking the signature. Returns the report and the length of the signed
/// body. Use [`super::verify_report`] unless you only want to look.
pub(super) fn decode(bytes: &[u8]) -> Result<(Report, usize), ReportError> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(4).map_err(|_| ReportError::BadMagic)? != MAGIC {
        return Err(ReportError::BadMagic);
    }
    let version = r.u8()?;
    if version != VERSION {
        return Err(ReportError::UnsupportedVersion(version));
    }
    let report_id = r.array::<16>()?;
    let created_minutes = u32::from_le_bytes(r.array()?);
    let bundle_id = r.id()?;
    let list_id = r.id()?;
    let bundle_sequence = u64::from_le_bytes(r.array()?);
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
    let context_len = u16::from_le_bytes(r.array()?) as usize;
    if context_len > MAX_CONTEXT_LEN {
        return Err(ReportError::ContextTooLong(context_len));
    }
    let context = r.take(context_len)?.to_vec();
    let device_key_id = KeyId(r.array()?);
    let body_len = r.at;
    r.take(SIGNATURE_LEN)?;
    if r.at != bytes.len() {
        return Err(ReportError::TrailingBytes(bytes.len() - r.at));
    }
    let report =
        Report { report_id, created_minutes, bundle_id, list_id, bundle_sequence, entry, context, device_key_id };
    Ok((report, body_len))
}

/// Decodes a report WITHOUT verifying its signature (for inspection tools).
pub fn decode_unverified(bytes: &[u8]) -> Result<Report, ReportError> {
    decode(bytes).map(|(report, _)| report)
}
