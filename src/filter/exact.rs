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

/// Double hashing's floor: the crate derives all bit positions from two 64-bit hashes reduced modulo the
/// bitmap's size m, so a non-member collides with one of n members' whole position sets with probability
/// about C·n/m², whatever the number of hash functions (measured C ≈ 6–13 for k = 20). Keeping
/// 16·n/m² ≤ fp/4 holds the rate at the target; it only enlarges lists below ~77k entries at 1e-6
/// (a 12-entry filter had 6e-4 false positives per lookup with the textbook size of 44 bytes).
const DOUBLE_HASHING_FLOOR_FACTOR: f64 = 64.0;

/// The bitmap size in bytes and the number of hash functions for `items` entries at `fp_rate`: the
/// textbook size n·log2(1/fp)/ln 2 bits, raised where double hashing's floor would exceed the rate.
fn bitmap_size(items: usize, fp_rate: f64) -> Result<(usize, u32), FilterError> {
    let hash_functions = (-fp_rate.log2()).round().max(1.0);
    if hash_functions > f64::from(MAX_HASH_FUNCTIONS) {
        return Err(FilterError::BadParameters("the false-positive rate is too low"));
    }
    let n = items.max(1) as f64;
    let textbook_bits = n * -fp_rate.ln() / (std::f64::consts::LN_2 * std::f64::consts::LN_2);
    let floor_bits = (DOUBLE_HASHING_FLOOR_FACTOR * n / fp_rate).sqrt();
    let bits = textbook_bits.max(floor_bits).max(64.0);
    if bits / 8.0 > isize::MAX as f64 / 2.0 {
        return Err(FilterError::BadParameters("the filter would be too large"));
    }
    Ok(((bits / 8.0).ceil() as usize, hash_functions as u32))
}

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
        let (bitmap_bytes, hash_functions) = bitmap_size(keys.len(), fp_rate)?;
        // The crate derives its hash-function count from the item count it is given: give it the count
        // for which that is `hash_functions` over this bitmap.
        let sizing_items = ((bitmap_bytes as f64 * 8.0) * std::f64::consts::LN_2 / f64::from(hash_functions)).round() as usize;
        let seed = *blake3::keyed_hash(&salt, b"imageguard exact bloom seed").as_bytes();
        let mut bloom = Bloom::new_with_seed(bitmap_bytes, sizing_items.max(1), &seed)
            .map_err(|_| FilterError::BadParameters("the filter cannot be sized"))?;
        if bloom.number_of_hash_functions() != hash_functions {
            return Err(FilterError::BadParameters("the filter cannot be sized"));
        }
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

    /// Bits set in the bitmap, and the most its declared entries could have set (k per entry).
    pub fn bits_set(&self) -> (u64, u64) {
        let bitmap = self.bloom.as_slice().get(CRATE_HEADER_LEN..).unwrap_or_default();
        let ones = bitmap.iter().map(|b| u64::from(b.count_ones())).sum();
        (ones, self.len().saturating_mul(u64::from(self.bloom.number_of_hash_functions())))
    }

    /// False-positive rate of one lookup, from the measured fill (fill^k).
    pub fn measured_fp_rate(&self) -> f64 {
        let (ones, _) = self.bits_set();
        (ones as f64 / self.bloom.len().max(1) as f64).powi(self.bloom.number_of_hash_functions() as i32)
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
        // 100k entries: above the size where the double-hashing floor enlarges the filter.
        let hashes: Vec<[u8; 32]> = (0..100_000u32).map(|i| *blake3::hash(&i.to_le_bytes()).as_bytes()).collect();
        let filter = ExactFilter::build([1; 32], 1e-6, hashes.iter().map(|h| (HashKind::Blake3, &h[..]))).unwrap();
        assert!(hashes.iter().all(|h| filter.contains(HashKind::Blake3, h)));
        assert!(!filter.contains(HashKind::Sha256, &hashes[0]), "kind is part of the key");
        let minimum = (1e6f64).log2();
        assert!(filter.bits_per_entry() <= 1.5 * minimum, "{} bits/entry", filter.bits_per_entry());
        let misses = (100_000..300_000u32).filter(|i| filter.contains(HashKind::Blake3, blake3::hash(&i.to_le_bytes()).as_bytes())).count();
        assert!(misses <= 3, "{misses} false positives in 200k lookups at 1e-6");
    }

    #[test]
    fn sizing_keeps_the_rate_and_the_hash_count() {
        assert_eq!(bitmap_size(1_000_000, 1e-6).unwrap(), (3_594_397, 20), "the textbook size for large lists");
        let (small_bytes, k) = bitmap_size(12, 1e-6).unwrap();
        assert_eq!(k, 20);
        assert!(small_bytes * 8 >= 27_000, "tiny lists are raised above the double-hashing floor: {small_bytes} bytes");
        assert_eq!(bitmap_size(10, 0.01).unwrap().1, 7);
        assert!(matches!(bitmap_size(10, 1e-30), Err(FilterError::BadParameters(_))));
    }

    /// Tiny lists (a demo's dozen entries) keep the configured rate too: 2000 filters of 12 entries, each
    /// with its own salt, 500 lookups of non-members each (1M lookups, ~1 false positive expected at 1e-6).
    #[test]
    fn small_filters_keep_their_false_positive_rate() {
        let mut false_positives = 0;
        for filter_index in 0..2000u32 {
            let salt = *blake3::hash(&filter_index.to_le_bytes()).as_bytes();
            let members: Vec<[u8; 32]> = (0..12u32).map(|i| *blake3::hash(&[salt, [i as u8; 32]].concat()).as_bytes()).collect();
            let filter = ExactFilter::build(salt, 1e-6, members.iter().map(|h| (HashKind::Blake3, &h[..]))).unwrap();
            assert!(members.iter().all(|h| filter.contains(HashKind::Blake3, h)));
            false_positives += (0..500u32)
                .filter(|i| filter.contains(HashKind::Blake3, blake3::hash(&[&salt[..], &i.to_le_bytes()].concat()).as_bytes()))
                .count();
        }
        assert!(false_positives <= 6, "{false_positives} false positives in 1M lookups at 1e-6");
    }
}
