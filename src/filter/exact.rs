//! Exact membership of `(hash kind, hash bytes)` pairs, through the `bloomfilter` crate.
//!
//! Keys are [`entry_key`] digests (keyed BLAKE3 → u64). A `u64` is hashed by the crate's SipHash as
//! exactly 8 bytes, so a filter answers identically on 32- and 64-bit phones; byte slices would not (their
//! `Hash` writes a `usize` length).

use super::FilterError;
use crate::entry_key::{entry_key, Salt};
use crate::exact::HashKind;
use crate::wire::{Reader, Writer};
use bloomfilter::Bloom;

const VERSION: u8 = 1;
/// The `bloomfilter` crate's own header: version u8, bitmap length u64, hash count u32, seed [32].
const CRATE_HEADER_LEN: usize = 45;
/// More hash functions than this never pays off (it means an fp rate far below 1e-18).
const MAX_HASH_FUNCTIONS: u32 = 64;
/// The default false-positive rate per lookup.
pub const DEFAULT_FP_RATE: f64 = 1e-6;

/// A Bloom filter of exact hashes.
pub struct ExactFilter {
    salt: Salt,
    counts: Vec<(HashKind, u64)>,
    fp_rate: f64,
    bloom: Bloom<u64>,
}

impl std::fmt::Debug for ExactFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ExactFilter({} entries, {:.1} bits/entry)", self.len(), self.bits_per_entry())
    }
}

impl ExactFilter {
    /// Builds a filter of `entries` at false-positive rate `fp_rate` per lookup.
    pub fn build<'a>(
        salt: Salt,
        fp_rate: f64,
        entries: impl IntoIterator<Item = (HashKind, &'a [u8])>,
    ) -> Result<ExactFilter, FilterError> {
        if !(fp_rate > 0.0 && fp_rate < 0.5) {
            return Err(FilterError::BadParameters("the false-positive rate must be in (0, 0.5)"));
        }
        let mut counts: Vec<(HashKind, u64)> = Vec::new();
        let mut keys = Vec::new();
        for (kind, hash) in entries {
            if hash.len() != kind.len() {
                return Err(FilterError::BadParameters("a hash has the wrong length for its kind"));
            }
            keys.push(entry_key(&salt, kind, hash));
            match counts.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, count)) => *count += 1,
                None => counts.push((kind, 1)),
            }
        }
        counts.sort();
        let items = keys.len().max(1);
        let bitmap_bytes = Bloom::<u64>::compute_bitmap_size(items, fp_rate).max(8);
        let seed = *blake3::keyed_hash(&salt, b"imageguard exact bloom seed").as_bytes();
        let mut bloom = Bloom::new_with_seed(bitmap_bytes, items, &seed)
            .map_err(|_| FilterError::BadParameters("the filter cannot be sized"))?;
        for key in &keys {
            bloom.set(key);
        }
        Ok(ExactFilter { salt, counts, fp_rate, bloom })
    }

    /// Whether `(kind, hash)` may be in the list (false positives at the build-time rate; no false negatives).
    pub fn contains(&self, kind: HashKind, hash: &[u8]) -> bool {
        self.counts.iter().any(|(k, _)| *k == kind) && self.bloom.check(&entry_key(&self.salt, kind, hash))
    }

    /// Entries per hash kind.
    pub fn counts(&self) -> &[(HashKind, u64)] {
        &self.counts
    }

    pub fn len(&self) -> u64 {
        self.counts.iter().map(|(_, count)| count).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn fp_rate(&self) -> f64 {
        self.fp_rate
    }

    pub fn size_bytes(&self) -> usize {
        self.bloom.as_slice().len()
    }

    /// Bits per entry; the information-theoretic minimum is log2(1/fp).
    pub fn bits_per_entry(&self) -> f64 {
        self.bloom.len() as f64 / self.len().max(1) as f64
    }

    /// The section payload: version u8, fp rate f64, kind count u8 + (kind u8, count u64)*, then the
    /// `bloomfilter` crate's serialization.
    pub fn to_section_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u8(VERSION).u64(self.fp_rate.to_bits()).u8(self.counts.len() as u8);
        for (kind, count) in &self.counts {
            w.u8(kind.id()).u64(*count);
        }
        w.raw(self.bloom.as_slice());
        w.bytes
    }

    /// Reads a section; `salt` is the bundle's.
    pub fn from_section_bytes(bytes: &[u8], salt: Salt) -> Result<ExactFilter, FilterError> {
        let mut r = Reader::new(bytes);
        let version = r.u8()?;
        if version != VERSION {
            return Err(FilterError::UnsupportedVersion(version));
        }
        let fp_rate = f64::from_bits(r.u64()?);
        if !(fp_rate > 0.0 && fp_rate < 0.5) {
            return Err(FilterError::Malformed("false-positive rate out of range"));
        }
        let kinds = r.u8()?;
        if usize::from(kinds) > HashKind::ALL.len() {
            return Err(FilterError::Malformed("too many hash kinds"));
        }
        let mut counts = Vec::with_capacity(usize::from(kinds));
        for _ in 0..kinds {
            let kind = HashKind::from_id(r.u8()?).ok_or(FilterError::Malformed("unknown hash kind"))?;
            counts.push((kind, r.u64()?));
        }
        let rest = r.take(r.remaining())?;
        // Check the crate's header ourselves: it trusts its own input.
        let header = rest.get(..CRATE_HEADER_LEN).ok_or(FilterError::Truncated)?;
        let declared = u64::from_le_bytes(header.get(1..9).and_then(|b| b.try_into().ok()).ok_or(FilterError::Truncated)?);
        let hashes = u32::from_le_bytes(header.get(9..13).and_then(|b| b.try_into().ok()).ok_or(FilterError::Truncated)?);
        if declared != (rest.len() - CRATE_HEADER_LEN) as u64 || declared == 0 {
            return Err(FilterError::Malformed("bitmap length does not match the section"));
        }
        if hashes == 0 || hashes > MAX_HASH_FUNCTIONS {
            return Err(FilterError::Malformed("hash function count out of range"));
        }
        let bloom = Bloom::from_slice(rest).map_err(|_| FilterError::Malformed("not a Bloom filter"))?;
        Ok(ExactFilter { salt, counts, fp_rate, bloom })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_false_negatives_and_size_within_bound() {
        let hashes: Vec<[u8; 32]> = (0..5000u32).map(|i| *blake3::hash(&i.to_le_bytes()).as_bytes()).collect();
        let filter = ExactFilter::build([1; 32], 1e-6, hashes.iter().map(|h| (HashKind::Blake3, &h[..]))).unwrap();
        assert!(hashes.iter().all(|h| filter.contains(HashKind::Blake3, h)));
        assert!(!filter.contains(HashKind::Sha256, &hashes[0]), "kind is part of the key");
        let minimum = (1e6f64).log2();
        assert!(filter.bits_per_entry() <= 1.5 * minimum, "{} bits/entry", filter.bits_per_entry());
        let misses = (5000..205_000u32).filter(|i| filter.contains(HashKind::Blake3, blake3::hash(&i.to_le_bytes()).as_bytes())).count();
        assert!(misses <= 3, "{misses} false positives in 200k lookups at 1e-6");
    }
}
