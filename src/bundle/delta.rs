//! Deltas: bundle v+1 expressed against bundle v, rebuilt on the device byte for byte.
//!
//! The platform builds and signs the full v+1 bundle as usual, then `make_delta(v, v+1)` keeps, per section,
//! the cheapest patch (unchanged, replaced, the positions of the bits that differ, Rice-coded, or for the
//! exact filter the fingerprints added and removed: `exact_patch`), plus v+1's header and its signature
//! block. Patches are small only when v+1 keeps v's salt and filter geometry (`lists::Continuation`). The device rebuilds v+1 from the v it holds and verifies it exactly like
//! a full bundle, so a delta needs no signatures of its own and can never produce anything the providers did
//! not sign. Everything happens in fresh buffers: on any failure the base and the trust state are untouched.

use super::format::{ParsedBundle, SectionKind};
use super::trust::{verify_bundle, verify_signed_bundle, TrustConfig, TrustState, VerifiedBundle};
use super::{exact_patch, rice, BundleError};
use crate::wire::{Reader, Writer};

const MAGIC: &[u8; 4] = b"IGDL";
/// The largest delta accepted. A delta that would be larger than this is better shipped as a full bundle.
pub const MAX_DELTA_BYTES: u64 = 128 << 20;
const VERSION: u16 = 1;

const PATCH_UNCHANGED: u8 = 0;
const PATCH_REPLACE: u8 = 1;
const PATCH_XOR_BITS: u8 = 2;
const PATCH_EXACT_SET: u8 = 3;

/// The delta that turns `old` into `new` (both full bundles; `new` signed).
pub fn make_delta(old: &[u8], new: &[u8]) -> Result<Vec<u8>, BundleError> {
    let (old, new) = (ParsedBundle::parse(old)?, ParsedBundle::parse(new)?);
    let mut w = Writer::new();
    w.raw(MAGIC).u16(VERSION).raw(&old.root);
    let preamble = new.content.get(..new.payloads_start).ok_or(BundleError::Truncated)?;
    w.u64(preamble.len() as u64).raw(preamble);
    w.u8(new.sections.len() as u8);
    for (kind, _) in &new.sections {
        let payload = new.section(*kind).unwrap_or_default();
        w.u8(*kind as u8).raw(&cheapest_patch(*kind, old.section(*kind), payload));
    }
    w.raw(&new.signature_block());
    Ok(w.bytes)
}

/// The bytes a delta spends on one section (measuring tools).
pub fn section_patch_len(kind: SectionKind, base: &[u8], payload: &[u8]) -> usize {
    cheapest_patch(kind, Some(base), payload).len()
}

/// The shortest of the patches that turn `base` into `payload`: unchanged, flipped bits (same length),
/// the exact filter's added and removed fingerprints (same range), or the payload whole.
fn cheapest_patch(kind: SectionKind, base: Option<&[u8]>, payload: &[u8]) -> Vec<u8> {
    if base == Some(payload) {
        return vec![PATCH_UNCHANGED];
    }
    let mut replace = Writer::new();
    replace.u8(PATCH_REPLACE).u64(payload.len() as u64).raw(payload);
    let Some(base) = base else { return replace.bytes };
    let mut candidates = vec![replace.bytes];
    if base.len() == payload.len() {
        let mut xor = Writer::new();
        xor.u8(PATCH_XOR_BITS);
        rice::encode(&differing_bits(base, payload), &mut xor);
        candidates.push(xor.bytes);
    }
    if kind == SectionKind::ExactFilter {
        if let Some(set) = exact_patch::make(base, payload) {
            candidates.push([&[PATCH_EXACT_SET][..], &set].concat());
        }
    }
    candidates.into_iter().min_by_key(Vec::len).unwrap_or_default()
}

fn differing_bits(a: &[u8], b: &[u8]) -> Vec<u64> {
    let mut positions = Vec::new();
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        let mut diff = x ^ y;
        while diff != 0 {
            positions.push(i as u64 * 8 + u64::from(diff.trailing_zeros()));
            diff &= diff - 1;
        }
    }
    positions
}

/// Rebuilds the next bundle from `base` and `delta`, and verifies it like any full bundle (validity window
/// included). Returns the verified new bundle; the caller accepts it into `state` once it has switched over.
pub fn apply_delta(
    base: &VerifiedBundle,
    delta: &[u8],
    trust: &TrustConfig,
    state: &TrustState,
    now: u64,
) -> Result<VerifiedBundle, BundleError> {
    let next = verify_bundle(rebuild(base, delta)?, trust, state, now)?;
    same_id(base, next)
}

/// [`apply_delta`] without the validity window: the scanner keeps a bundle that is expired or not yet
/// valid by the device clock, marked stale (see [`super::Staleness`]).
pub fn apply_delta_any_time(
    base: &VerifiedBundle,
    delta: &[u8],
    trust: &TrustConfig,
    state: &TrustState,
) -> Result<VerifiedBundle, BundleError> {
    let next = verify_signed_bundle(rebuild(base, delta)?, trust, state)?;
    same_id(base, next)
}

fn same_id(base: &VerifiedBundle, next: VerifiedBundle) -> Result<VerifiedBundle, BundleError> {
    if next.header().bundle_id != base.header().bundle_id {
        return Err(BundleError::Malformed("a delta cannot change the bundle id"));
    }
    Ok(next)
}

/// The most the rebuilt bundle can hold: each base section used at most once, plus what the delta carries.
pub fn rebuilt_capacity(base_len: usize, delta_len: usize) -> usize {
    base_len.saturating_add(delta_len).min(super::MAX_BUNDLE_BYTES as usize)
}

/// The bytes of the next bundle (unverified). Every allocation is bounded by the sizes of `base` and
/// `delta` before any signature is checked: one output buffer of [`rebuilt_capacity`], nothing per
/// position of a patch; an exact-set patch also holds a copy of the base's exact section and codes the
/// new one within what is left of that capacity.
fn rebuild(base: &VerifiedBundle, delta: &[u8]) -> Result<Vec<u8>, BundleError> {
    if delta.len() as u64 > MAX_DELTA_BYTES {
        return Err(BundleError::DeltaTooLarge { bytes: delta.len() as u64, max: MAX_DELTA_BYTES });
    }
    let base_parsed = ParsedBundle::parse(base.bytes())?;
    let mut r = Reader::new(delta);
    if r.take(4).map_err(|_| BundleError::BadMagic)? != MAGIC {
        return Err(BundleError::BadMagic);
    }
    let version = r.u16()?;
    if version != VERSION {
        return Err(BundleError::UnsupportedVersion(version));
    }
    let base_root: [u8; 32] = r.array()?;
    if base_root != base.root() {
        return Err(BundleError::WrongBase { expected: crate::hex::encode(&base_root) });
    }
    let preamble_len = r.u64()?;
    let preamble = r.take(usize::try_from(preamble_len).map_err(|_| BundleError::Truncated)?)?;
    let mut out = Vec::with_capacity(rebuilt_capacity(base.bytes().len(), delta.len()));
    out.extend_from_slice(preamble);
    let count = r.u8()?;
    if usize::from(count) > SectionKind::ALL.len() {
        return Err(BundleError::Malformed("a delta has more sections than there are kinds"));
    }
    let mut seen: Vec<SectionKind> = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let id = r.u8()?;
        let kind = SectionKind::from_id(id).ok_or(BundleError::UnknownSection(id))?;
        if seen.contains(&kind) {
            return Err(BundleError::DuplicateSection(kind));
        }
        seen.push(kind);
        let base_payload = base_parsed.section(kind);
        match r.u8()? {
            PATCH_UNCHANGED => out.extend_from_slice(base_payload.ok_or(BundleError::Malformed("delta keeps a section the base lacks"))?),
            PATCH_REPLACE => {
                let len = usize::try_from(r.u64()?).map_err(|_| BundleError::Truncated)?;
                out.extend_from_slice(r.take(len)?);
            }
            PATCH_XOR_BITS => {
                let base_payload = base_payload.ok_or(BundleError::Malformed("delta patches a section the base lacks"))?;
                let start = out.len();
                out.extend_from_slice(base_payload);
                let section = out.get_mut(start..).ok_or(BundleError::Truncated)?;
                rice::decode_each(&mut r, base_payload.len() as u64 * 8, |position| {
                    if let Some(byte) = section.get_mut((position / 8) as usize) {
                        *byte ^= 1 << (position % 8);
                    }
                })?;
            }
            PATCH_EXACT_SET if kind == SectionKind::ExactFilter => {
                let base_payload = base_payload.ok_or(BundleError::Malformed("delta patches a section the base lacks"))?;
                let room = rebuilt_capacity(base.bytes().len(), delta.len()).saturating_sub(out.len());
                out.extend_from_slice(&exact_patch::apply(&mut r, base_payload, room as u64)?);
            }
            _ => return Err(BundleError::Malformed("unknown patch kind")),
        }
        if out.len() as u64 > super::MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge(out.len() as u64));
        }
    }
    // The signature block of the full new bundle follows, and nothing else.
    out.extend_from_slice(r.take(r.remaining())?);
    Ok(out)
}
