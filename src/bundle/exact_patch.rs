//! The delta patch for the exact filter: the fingerprints added and removed, not the section's bits.
//!
//! The exact filter is a Rice-coded set (`filter::exact`): one more entry shifts every code after it, so
//! comparing the two sections bit by bit finds nearly everything changed, and a delta used to resend the
//! section whole (~4.6 MB per million entries). When the next version keeps the fingerprint range (the
//! platform builds it with `ExactFilter::build_in_range`, same salt), the two sets differ only by the
//! fingerprints added and removed. The patch carries those two sorted lists, Rice-coded, and the new
//! section's counts and coding parameter; the device merges them with the base's set as it decodes it
//! and codes the result exactly as the platform did. The signatures over the rebuilt bundle decide
//! whether it is right, as for every patch.
//!
//! Layout: kinds u8, per kind (id u8, count u64), Rice parameter u8, fingerprint count u64, then the
//! removed and the added fingerprints as position lists (`rice::encode`).

use super::{rice, BundleError};
use crate::exact::HashKind;
use crate::filter::{ExactFilter, FilterError};
use crate::wire::{Reader, Writer};
use std::iter::Peekable;

/// The patch turning `base` into `new` (both exact-filter sections), if both parse and share their range.
pub(super) fn make(base: &[u8], new: &[u8]) -> Option<Vec<u8>> {
    let base = ExactFilter::from_section_bytes(base, [0; 32]).ok()?;
    let new = ExactFilter::from_section_bytes(new, [0; 32]).ok()?;
    if base.range() != new.range() {
        return None;
    }
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    let (mut old, mut next) = (base.fingerprints().peekable(), new.fingerprints().peekable());
    loop {
        match (old.peek().copied(), next.peek().copied()) {
            (Some(a), Some(b)) if a == b => {
                old.next();
                next.next();
            }
            (Some(a), Some(b)) if a < b => removed.extend(old.next()),
            (Some(_), Some(_)) | (None, Some(_)) => added.extend(next.next()),
            (Some(_), None) => removed.extend(old.next()),
            (None, None) => break,
        }
    }
    let mut w = Writer::new();
    w.u8(new.counts().len() as u8);
    for (kind, count) in new.counts() {
        w.u8(kind.id()).u64(*count);
    }
    w.u8(new.rice_bits()).u64(new.fingerprint_count());
    rice::encode(&removed, &mut w);
    rice::encode(&added, &mut w);
    Some(w.bytes)
}

/// Reads a patch from `r` and codes the updated section from `base` (the base bundle's exact-filter
/// section). Allocates nothing per position read, and refuses a section over `max_bytes` before
/// writing it.
pub(super) fn apply(r: &mut Reader<'_>, base: &[u8], max_bytes: u64) -> Result<Vec<u8>, BundleError> {
    let base = ExactFilter::from_section_bytes(base, [0; 32]).map_err(from_filter)?;
    let kinds = r.u8()?;
    if usize::from(kinds) > HashKind::ALL.len() {
        return Err(BundleError::Malformed("an exact-set patch lists too many hash kinds"));
    }
    let mut counts = Vec::with_capacity(usize::from(kinds));
    for _ in 0..kinds {
        let kind = HashKind::from_id(r.u8()?).ok_or(BundleError::Malformed("an exact-set patch names an unknown hash kind"))?;
        counts.push((kind, r.u64()?));
    }
    let (rice_bits, announced) = (r.u8()?, r.u64()?);
    let range = base.range();
    let removed = rice::Positions::read(r, range)?;
    let added = rice::Positions::read(r, range)?;
    if announced > base.fingerprint_count().saturating_add(added.remaining()) {
        return Err(BundleError::Malformed("an exact-set patch announces more fingerprints than it can hold"));
    }
    let merged = Merge { base: base.fingerprints().peekable(), removed: removed.peekable(), added: added.peekable(), failed: false };
    ExactFilter::encode_section(&counts, range, rice_bits, merged, announced, max_bytes).map_err(from_filter)
}

fn from_filter(error: FilterError) -> BundleError {
    match error {
        FilterError::Truncated => BundleError::Truncated,
        FilterError::Malformed(why) => BundleError::Malformed(why),
        _ => BundleError::Malformed("the exact filter of the base or of the patch is not usable"),
    }
}

/// The base's fingerprints without `removed`, with `added`, in order; an error (then nothing more) where
/// the patch removes what the base lacks, adds what it holds, or is malformed.
struct Merge<B: Iterator<Item = u64>, P: Iterator<Item = Result<u64, crate::wire::Truncated>>> {
    base: Peekable<B>,
    removed: Peekable<P>,
    added: Peekable<P>,
    failed: bool,
}

impl<B: Iterator<Item = u64>, P: Iterator<Item = Result<u64, crate::wire::Truncated>>> Merge<B, P> {
    fn step(&mut self) -> Result<Option<u64>, FilterError> {
        loop {
            let removed = self.removed.peek().copied().transpose().map_err(|_| FilterError::Truncated)?;
            let added = self.added.peek().copied().transpose().map_err(|_| FilterError::Truncated)?;
            let base = self.base.peek().copied();
            if let Some(gone) = removed {
                match base {
                    Some(b) if b == gone => {
                        self.base.next();
                        self.removed.next();
                        continue;
                    }
                    Some(b) if b < gone => {}
                    _ => return Err(FilterError::Malformed("a delta removes a fingerprint the base lacks")),
                }
            }
            return match (base, added) {
                (Some(b), Some(a)) if a == b => Err(FilterError::Malformed("a delta adds a fingerprint the base holds")),
                (Some(b), Some(a)) if a < b => Ok(self.added.next().and_then(Result::ok)),
                (Some(_), _) => Ok(self.base.next()),
                (None, Some(_)) => Ok(self.added.next().and_then(Result::ok)),
                (None, None) => Ok(None),
            };
        }
    }
}

impl<B: Iterator<Item = u64>, P: Iterator<Item = Result<u64, crate::wire::Truncated>>> Iterator for Merge<B, P> {
    type Item = Result<u64, FilterError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let step = self.step();
        self.failed = step.is_err();
        step.transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(range: std::ops::Range<u32>, fp: f64) -> Vec<u8> {
        let hashes: Vec<[u8; 32]> = range.map(|i| *blake3::hash(&i.to_le_bytes()).as_bytes()).collect();
        ExactFilter::build([5; 32], fp, hashes.iter().map(|h| (HashKind::Blake3, &h[..]))).unwrap().to_section_bytes()
    }

    fn fingerprints(section: &[u8]) -> Vec<u64> {
        ExactFilter::from_section_bytes(section, [0; 32]).unwrap().fingerprints().collect()
    }

    /// A patch with the given header and removed/added lists, against `base`.
    fn patch(base: &[u8], rice_bits: u8, announced: u64, removed: &[u64], added: &[u64]) -> Vec<u8> {
        let filter = ExactFilter::from_section_bytes(base, [0; 32]).unwrap();
        let mut w = Writer::new();
        w.u8(1).u8(HashKind::Blake3.id()).u64(filter.len()).u8(rice_bits).u64(announced);
        rice::encode(removed, &mut w);
        rice::encode(added, &mut w);
        w.bytes
    }

    #[test]
    fn the_patch_rebuilds_the_new_set_byte_for_byte() {
        let old = section(0..3000, 1e-6);
        let base = ExactFilter::from_section_bytes(&old, [5; 32]).unwrap();
        let hashes: Vec<[u8; 32]> = (40..3100u32).map(|i| *blake3::hash(&i.to_le_bytes()).as_bytes()).collect();
        let new = ExactFilter::build_in_range([5; 32], base.range(), hashes.iter().map(|h| (HashKind::Blake3, &h[..])))
            .unwrap()
            .to_section_bytes();
        let patch = make(&old, &new).unwrap();
        assert!(patch.len() < new.len() / 10, "{} bytes for a {} byte section", patch.len(), new.len());
        let rebuilt = apply(&mut Reader::new(&patch), &old, 1 << 20).unwrap();
        assert_eq!(rebuilt, new);
        assert_eq!(fingerprints(&rebuilt).len(), 3060);
        // Another range (a rebuilt filter) cannot be patched this way.
        assert!(make(&old, &section(0..3000, 1e-7)).is_none());
    }

    #[test]
    fn inconsistent_or_oversized_patches_are_refused_before_coding() {
        let old = section(0..500, 1e-6);
        let held = fingerprints(&old);
        let absent = (0..).find(|f| !held.contains(f)).unwrap();
        let count = held.len() as u64;
        let refused = |patch: Vec<u8>, max: u64| apply(&mut Reader::new(&patch), &old, max).unwrap_err();
        let rice_bits = ExactFilter::from_section_bytes(&old, [0; 32]).unwrap().rice_bits();
        assert_eq!(
            refused(patch(&old, rice_bits, count, &[absent], &[]), 1 << 20),
            BundleError::Malformed("a delta removes a fingerprint the base lacks")
        );
        assert_eq!(
            refused(patch(&old, rice_bits, count + 1, &[], &[held[3]]), 1 << 20),
            BundleError::Malformed("a delta adds a fingerprint the base holds")
        );
        assert_eq!(
            refused(patch(&old, rice_bits, count + 5, &[], &[absent]), 1 << 20),
            BundleError::Malformed("an exact-set patch announces more fingerprints than it can hold")
        );
        assert_eq!(
            refused(patch(&old, rice_bits, count - 1, &[], &[]), 1 << 20),
            BundleError::Malformed("more fingerprints than announced")
        );
        // Rice parameter 0 over a range of ~5e8 would take ~60 MB of unary codes: refused up front.
        assert_eq!(
            refused(patch(&old, 0, count, &[], &[]), 1 << 20),
            BundleError::Malformed("the updated set would exceed its size bound")
        );
        // Truncated anywhere: an error, never a panic.
        let good = patch(&old, rice_bits, count + 1, &[], &[absent]);
        assert!(apply(&mut Reader::new(&good), &old, 1 << 20).is_ok());
        for len in 0..good.len() {
            assert!(apply(&mut Reader::new(&good[..len]), &old, 1 << 20).is_err(), "cut at {len}");
        }
    }
}
