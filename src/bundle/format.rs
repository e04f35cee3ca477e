//! The bundle's byte layout: building, parsing and adding signatures (see `docs/FORMAT.md`).

use super::{BundleError, SIGNATURE_DOMAIN};
use crate::entry_key::Salt;
use crate::signing::{KeyId, SigningKey, SIGNATURE_LEN};
use crate::wire::{Reader, Writer};
use std::ops::Range;

const MAGIC: &[u8; 4] = b"IGBN";
const VERSION: u16 = 1;
/// The largest bundle accepted: far above a 10M-entry list, far below a phone's memory.
pub const MAX_BUNDLE_BYTES: u64 = 512 << 20;
const MAX_ID_LEN: usize = 64;
const MAX_LISTS: u8 = 16;
const MAX_SECTIONS: u8 = 16;
const MAX_SIGNATURES: u8 = 16;

/// What a section holds. Each kind appears at most once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum SectionKind {
    ExactFilter = 1,
    PerceptualFilter = 2,
    NegativeList = 3,
    Policy = 4,
    Prompts = 5,
    /// The Merkle root over the platform's full lists, for confirming hits (see [`crate::confirm`]).
    Commitment = 6,
    /// The platform's HPKE public key that reports are sealed to (see [`crate::report::seal_report`]).
    ReportKey = 7,
}

impl SectionKind {
    pub const ALL: [SectionKind; 7] = [
        SectionKind::ExactFilter,
        SectionKind::PerceptualFilter,
        SectionKind::NegativeList,
        SectionKind::Policy,
        SectionKind::Prompts,
        SectionKind::Commitment,
        SectionKind::ReportKey,
    ];

    pub fn from_id(id: u8) -> Option<SectionKind> {
        SectionKind::ALL.into_iter().find(|kind| *kind as u8 == id)
    }

    pub fn name(self) -> &'static str {
        match self {
            SectionKind::ExactFilter => "exact filter",
            SectionKind::PerceptualFilter => "perceptual filter",
            SectionKind::NegativeList => "negative list",
            SectionKind::Policy => "policy",
            SectionKind::Prompts => "prompts",
            SectionKind::Commitment => "commitment",
            SectionKind::ReportKey => "report key",
        }
    }
}

/// The bundle's identity and validity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleHeader {
    /// Names the bundle series (e.g. "acme-csam"): anti-rollback is per bundle id.
    pub bundle_id: String,
    /// The hash lists merged into this bundle (e.g. one per provider).
    pub list_ids: Vec<String>,
    /// Monotonic version of this bundle id.
    pub sequence: u64,
    /// Unix seconds.
    pub created: u64,
    /// Unix seconds after which devices refuse the bundle.
    pub expires: u64,
    /// Keys every entry digest of this bundle (see [`crate::entry_key`]).
    pub salt: Salt,
}

/// Assembles an unsigned bundle.
pub struct BundleBuilder {
    header: BundleHeader,
    sections: Vec<(SectionKind, Vec<u8>)>,
}

impl BundleBuilder {
    pub fn new(header: BundleHeader) -> Self {
        BundleBuilder { header, sections: Vec::new() }
    }

    /// Adds (or replaces) a section.
    pub fn section(mut self, kind: SectionKind, payload: Vec<u8>) -> Self {
        self.sections.retain(|(k, _)| *k != kind);
        self.sections.push((kind, payload));
        self
    }

    /// The unsigned bundle bytes (no signatures yet: see [`sign_bundle`]).
    pub fn build(mut self) -> Result<Vec<u8>, BundleError> {
        let h = &self.header;
        if h.bundle_id.is_empty() || h.bundle_id.len() > MAX_ID_LEN {
            return Err(BundleError::Malformed("bundle id must be 1 to 64 bytes"));
        }
        if h.list_ids.len() > usize::from(MAX_LISTS) || h.list_ids.iter().any(|id| id.is_empty() || id.len() > MAX_ID_LEN) {
            return Err(BundleError::Malformed("at most 16 list ids of 1 to 64 bytes"));
        }
        if h.expires <= h.created {
            return Err(BundleError::Malformed("the bundle expires before it is created"));
        }
        self.sections.sort_by_key(|(kind, _)| *kind);
        let mut w = Writer::new();
        w.raw(MAGIC).u16(VERSION).short_bytes(h.bundle_id.as_bytes()).u8(h.list_ids.len() as u8);
        for id in &h.list_ids {
            w.short_bytes(id.as_bytes());
        }
        w.u64(h.sequence).u64(h.created).u64(h.expires).raw(&h.salt).u8(self.sections.len() as u8);
        for (kind, payload) in &self.sections {
            w.u8(*kind as u8).u64(payload.len() as u64);
        }
        for (_, payload) in &self.sections {
            w.raw(payload);
        }
        w.u8(0); // no signatures yet
        if w.bytes.len() as u64 > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge(w.bytes.len() as u64));
        }
        Ok(w.bytes)
    }
}

/// A structurally valid bundle whose signatures have NOT been checked yet.
#[derive(Debug, Clone)]
pub struct ParsedBundle<'a> {
    pub header: BundleHeader,
    /// Everything the root covers: header, section table and payloads.
    pub content: &'a [u8],
    /// Where the header and section table end and the payloads begin.
    pub payloads_start: usize,
    pub sections: Vec<(SectionKind, Range<usize>)>,
    pub signatures: Vec<(KeyId, [u8; SIGNATURE_LEN])>,
    pub root: [u8; 32],
}

impl<'a> ParsedBundle<'a> {
    /// Parses `bytes`, checking every length; signatures are collected, not verified.
    pub fn parse(bytes: &'a [u8]) -> Result<ParsedBundle<'a>, BundleError> {
        if bytes.len() as u64 > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge(bytes.len() as u64));
        }
        let mut r = Reader::new(bytes);
        if r.take(4).map_err(|_| BundleError::BadMagic)? != MAGIC {
            return Err(BundleError::BadMagic);
        }
        let version = r.u16()?;
        if version != VERSION {
            return Err(BundleError::UnsupportedVersion(version));
        }
        let bundle_id = id_string(r.short_bytes()?)?;
        let list_count = r.u8()?;
        if list_count > MAX_LISTS {
            return Err(BundleError::Malformed("too many list ids"));
        }
        let mut list_ids = Vec::with_capacity(usize::from(list_count));
        for _ in 0..list_count {
            list_ids.push(id_string(r.short_bytes()?)?);
        }
        let (sequence, created, expires) = (r.u64()?, r.u64()?, r.u64()?);
        let salt = r.array()?;
        let section_count = r.u8()?;
        if section_count > MAX_SECTIONS {
            return Err(BundleError::Malformed("too many sections"));
        }
        let mut table = Vec::with_capacity(usize::from(section_count));
        for _ in 0..section_count {
            let id = r.u8()?;
            let kind = SectionKind::from_id(id).ok_or(BundleError::UnknownSection(id))?;
            // One encoding per bundle: sections appear once each, sorted by kind (as FORMAT.md says).
            match table.last() {
                Some((last, _)) if *last == kind => return Err(BundleError::DuplicateSection(kind)),
                Some((last, _)) if *last > kind => return Err(BundleError::Malformed("sections are not sorted by kind")),
                _ => {}
            }
            let len = r.u64()?;
            table.push((kind, len));
        }
        let payloads_start = r.position();
        let mut sections = Vec::with_capacity(table.len());
        for (kind, len) in table {
            let len = usize::try_from(len).map_err(|_| BundleError::Truncated)?;
            let start = r.position();
            r.take(len)?;
            sections.push((kind, start..start + len));
        }
        let content_end = r.position();
        let signature_count = r.u8()?;
        if signature_count > MAX_SIGNATURES {
            return Err(BundleError::Malformed("too many signatures"));
        }
        let mut signatures = Vec::with_capacity(usize::from(signature_count));
        for _ in 0..signature_count {
            signatures.push((KeyId(r.array()?), r.array()?));
        }
        if !r.is_empty() {
            return Err(BundleError::Malformed("bytes after the signatures"));
        }
        let content = bytes.get(..content_end).ok_or(BundleError::Truncated)?;
        let header = BundleHeader { bundle_id, list_ids, sequence, created, expires, salt };
        let root = *blake3::hash(content).as_bytes();
        Ok(ParsedBundle { header, content, payloads_start, sections, signatures, root })
    }

    /// The payload of a section, if present.
    pub fn section(&self, kind: SectionKind) -> Option<&'a [u8]> {
        self.content.get(self.section_range(kind)?)
    }

    /// The byte range of a section within the bundle, for zero-copy views.
    pub fn section_range(&self, kind: SectionKind) -> Option<Range<usize>> {
        Some(self.sections.iter().find(|(k, _)| *k == kind)?.1.clone())
    }

    /// The signature block as it appears on the wire.
    pub(crate) fn signature_block(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u8(self.signatures.len() as u8);
        for (id, signature) in &self.signatures {
            w.raw(&id.0).raw(signature);
        }
        w.bytes
    }
}

fn id_string(bytes: &[u8]) -> Result<String, BundleError> {
    if bytes.is_empty() || bytes.len() > MAX_ID_LEN {
        return Err(BundleError::Malformed("an id must be 1 to 64 bytes"));
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| BundleError::Malformed("an id is not UTF-8"))
}

/// Adds one signature over the bundle's root. Several providers sign in turn; a key signs once.
pub fn sign_bundle(bytes: &[u8], key: &SigningKey) -> Result<Vec<u8>, BundleError> {
    let mut parsed = ParsedBundle::parse(bytes)?;
    let id = key.key_id();
    if parsed.signatures.iter().any(|(signer, _)| *signer == id) {
        return Err(BundleError::AlreadySigned(id));
    }
    if parsed.signatures.len() >= usize::from(MAX_SIGNATURES) {
        return Err(BundleError::Malformed("too many signatures"));
    }
    parsed.signatures.push((id, key.sign(SIGNATURE_DOMAIN, &parsed.root)));
    let mut out = parsed.content.to_vec();
    out.extend_from_slice(&parsed.signature_block());
    Ok(out)
}
