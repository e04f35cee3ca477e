//! Exact membership of `(hash kind, hash bytes)` pairs: a Golomb-Rice coded set of keyed fingerprints.
//!
//! Each entry's [`entry_key`] (keyed BLAKE3 → u64) is mapped onto a fingerprint in `[0, range)` with
//! `range = entries / fp`; the sorted, distinct fingerprints are stored as Rice-coded gaps, in buckets of
//! ~32–64 entries whose starting bit offsets form a table. A lookup maps its key the same way, finds the
//! bucket and decodes at most that bucket.
//!
//! Why this and not a Bloom filter (measured in BENCHMARKS.md, `examples/exact_filter_bench.rs`): a
//! non-member collides with probability exactly `fingerprints / range` (no fill, no hash-function
//! effects), so the published rate is the real one; at 5e-11 it costs ~1.1x the information-theoretic
//! `log2(1/fp)` bits per entry where a Bloom filter costs 1.44x; and a lookup is one table read plus a
//! few dozen code decodes, done on the bundle's bytes in place (zero-copy, O(buckets) checks at load).
//! Only integer arithmetic on `u64`/`u128` is involved: answers are identical on 32- and 64-bit devices.

use super::bitstream::{BitReader, BitWriter, MAX_READ_BITS};
use super::FilterError;
use crate::entry_key::{entry_key, Salt};
use crate::exact::{ExactHashRequest, HashKind};
use crate::wire::{Reader, Writer};
use std::ops::Range;
use std::sync::Arc;

const VERSION: u8 = 2;
/// The Bloom-filter version, withdrawn: ~1e-6 false positives per lookup was far above the budget.
const WITHDRAWN_VERSION: u8 = 1;
/// The default false-positive rate per lookup: an image makes at most 12 exact lookups (4 file hashes,
/// 8 orientations of its PDQ hash), so at most 6e-10 false exact matches per image.
pub const DEFAULT_FP_RATE: f64 = 5e-11;
/// Buckets hold about 2^(BUCKET_EXTRA_BITS) · (2^k / mean gap) entries, i.e. ~44 on average: a lookup
/// decodes about half of one bucket, and the offset table costs ~1.5 bits per entry.
const BUCKET_EXTRA_BITS: u8 = 6;
/// The largest fingerprint range: keeps `range` and every decoded value far from u64 overflow.
const MAX_RANGE: u64 = 1 << 62;

/// The filter's bytes: built in memory, or a zero-copy view into a loaded bundle.
#[derive(Clone)]
enum Bytes {
    Owned(Vec<u8>),
    Shared { bundle: Arc<Vec<u8>>, range: Range<usize> },
}

impl Bytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Owned(bytes) => bytes,
            Bytes::Shared { bundle, range } => bundle.get(range.clone()).unwrap_or_default(),
        }
    }
}

/// Where the parts of a checked section are.
#[derive(Debug, Clone)]
struct Layout {
    counts: Vec<(HashKind, u64)>,
    range: u64,
    fingerprints: u64,
    rice_bits: u8,
    bucket_shift: u8,
    buckets: u64,
    offsets_at: usize,
    codes_at: usize,
    code_bits: u64,
}

/// A Golomb-Rice coded set of exact-hash fingerprints.
#[derive(Clone)]
pub struct ExactFilter {
    salt: Salt,
    layout: Layout,
    bytes: Bytes,
}

impl std::fmt::Debug for ExactFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ExactFilter({} entries, {:.1} bits/entry)", self.len(), self.bits_per_entry())
    }
}

/// The fingerprint of `key` in `[0, range)`: the high word of a 128-bit product (uniform, no division).
#[inline]
fn fingerprint(key: u64, range: u64) -> u64 {
    ((u128::from(key) * u128::from(range)) >> 64) as u64
}

/// Bits that Rice-coding `gaps` with parameter `k` takes.
fn coded_bits(gaps: &[u64], k: u8) -> u64 {
    gaps.iter().map(|gap| (gap >> k) + 1 + u64::from(k)).sum()
}

/// Entries per hash kind, as listed (duplicates included).
type KindCounts = Vec<(HashKind, u64)>;

/// The entry keys of `entries`, sorted and distinct, and the entries per kind.
fn keyed<'a>(salt: &Salt, entries: impl IntoIterator<Item = (HashKind, &'a [u8])>) -> Result<(KindCounts, Vec<u64>), FilterError> {
    let mut counts: Vec<(HashKind, u64)> = Vec::new();
    let mut keys = Vec::new();
    for (kind, hash) in entries {
        if hash.len() != kind.len() {
            return Err(FilterError::BadParameters("a hash has the wrong length for its kind"));
        }
        keys.push(entry_key(salt, kind, hash));
        match counts.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, count)) => *count += 1,
            None => counts.push((kind, 1)),
        }
    }
    counts.sort();
    keys.sort_unstable();
    keys.dedup();
    Ok((counts, keys))
}

/// The Rice parameter that codes these fingerprints' gaps shortest, near log2(mean gap · ln 2).
fn best_rice_bits(range: u64, fingerprints: &[u64]) -> u8 {
    let gaps: Vec<u64> = fingerprints.iter().scan(0u64, |previous, &f| Some(f - std::mem::replace(previous, f))).collect();
    let mean_gap = range as f64 / fingerprints.len().max(1) as f64;
    let guess = (mean_gap * std::f64::consts::LN_2).log2().floor().clamp(0.0, f64::from(MAX_READ_BITS)) as u8;
    [guess.saturating_sub(1), guess, (guess + 1).min(MAX_READ_BITS as u8)]
        .into_iter()
        .min_by_key(|&k| coded_bits(&gaps, k))
        .unwrap_or(guess)
}

/// The section bytes of increasing `fingerprints` below `range` (see `docs/FORMAT.md`).
fn encode_set(counts: &[(HashKind, u64)], range: u64, rice_bits: u8, fingerprints: impl Iterator<Item = u64>) -> Vec<u8> {
    let bucket_shift = (rice_bits + BUCKET_EXTRA_BITS).min(63);
    let buckets = ((range - 1) >> bucket_shift) + 1;
    let mut codes = BitWriter::default();
    let mut offsets = Writer::new();
    let mut stored = 0u64;
    let mut pending = fingerprints.peekable();
    for bucket in 0..buckets {
        offsets.u64(codes.len);
        let mut previous = bucket << bucket_shift;
        while let Some(f) = pending.next_if(|&f| f >> bucket_shift == bucket) {
            let gap = f - previous;
            codes.unary(gap >> rice_bits);
            codes.bits(gap, u32::from(rice_bits));
            previous = f;
            stored += 1;
        }
    }
    let mut w = Writer::new();
    w.u8(VERSION).u8(counts.len() as u8);
    for (kind, count) in counts {
        w.u8(kind.id()).u64(*count);
    }
    w.u64(range).u64(stored).u8(rice_bits).u8(bucket_shift).u64(codes.len);
    w.raw(&offsets.bytes).raw(&codes.bytes);
    w.bytes
}

impl ExactFilter {
    /// Builds a filter of `entries` at false-positive rate `fp_rate` per lookup (duplicates count once).
    pub fn build<'a>(
        salt: Salt,
        fp_rate: f64,
        entries: impl IntoIterator<Item = (HashKind, &'a [u8])>,
    ) -> Result<ExactFilter, FilterError> {
        if !(fp_rate > 0.0 && fp_rate < 0.5) {
            return Err(FilterError::BadParameters("the false-positive rate must be in (0, 0.5)"));
        }
        let (counts, keys) = keyed(&salt, entries)?;
        let range_f = (keys.len().max(1) as f64 / fp_rate).ceil();
        if range_f > MAX_RANGE as f64 {
            return Err(FilterError::BadParameters("too many entries for this false-positive rate"));
        }
        Self::from_keys(salt, counts, &keys, (range_f as u64).max(2))
    }

    /// Builds a filter over the fingerprint range `range` of an earlier version (same salt), so that the
    /// two differ only by the fingerprints added and removed: what a delta then carries (see
    /// `bundle::make_delta`). The false-positive rate is `fingerprints / range`, so a list that grows
    /// raises it; the caller decides when to start afresh.
    pub fn build_in_range<'a>(
        salt: Salt,
        range: u64,
        entries: impl IntoIterator<Item = (HashKind, &'a [u8])>,
    ) -> Result<ExactFilter, FilterError> {
        if !(2..=MAX_RANGE).contains(&range) {
            return Err(FilterError::BadParameters("fingerprint range out of bounds"));
        }
        let (counts, keys) = keyed(&salt, entries)?;
        Self::from_keys(salt, counts, &keys, range)
    }

    fn from_keys(salt: Salt, counts: KindCounts, keys: &[u64], range: u64) -> Result<ExactFilter, FilterError> {
        // Fingerprinting is monotone in the key: sorted keys give sorted fingerprints.
        let mut fingerprints: Vec<u64> = keys.iter().map(|&key| fingerprint(key, range)).collect();
        fingerprints.dedup();
        if fingerprints.len() as u64 > range / 2 {
            return Err(FilterError::BadParameters("too many entries for the fingerprint range"));
        }
        let rice_bits = best_rice_bits(range, &fingerprints);
        let bytes = encode_set(&counts, range, rice_bits, fingerprints.iter().copied());
        let layout = parse(&bytes)?;
        Ok(ExactFilter { salt, layout, bytes: Bytes::Owned(bytes) })
    }

    /// The section of the set `fingerprints` (strictly increasing, below `range`), coded as [`build`]
    /// codes it: a delta rebuilds an updated set on the device with this, byte for byte. Refuses a stream
    /// out of order or out of range, and output beyond `max_bytes` (checked before anything is written, so
    /// hostile parameters cost no memory).
    ///
    /// [`build`]: ExactFilter::build
    pub fn encode_section(
        counts: &[(HashKind, u64)],
        range: u64,
        rice_bits: u8,
        fingerprints: impl Iterator<Item = Result<u64, FilterError>>,
        most_fingerprints: u64,
        max_bytes: u64,
    ) -> Result<Vec<u8>, FilterError> {
        if !(2..=MAX_RANGE).contains(&range) || u32::from(rice_bits) > MAX_READ_BITS {
            return Err(FilterError::Malformed("coding parameters out of range"));
        }
        // Rice codes of n increasing values below `range` take at most range >> k unary bits in all,
        // plus k + 1 bits each; the table holds 8 bytes per bucket.
        let bucket_shift = (rice_bits + BUCKET_EXTRA_BITS).min(63);
        let code_bits = (range >> rice_bits).saturating_add(most_fingerprints.saturating_mul(u64::from(rice_bits) + 1));
        let table_bytes = (((range - 1) >> bucket_shift) + 1).saturating_mul(8);
        if code_bits.div_ceil(8).saturating_add(table_bytes) > max_bytes {
            return Err(FilterError::Malformed("the updated set would exceed its size bound"));
        }
        let mut error = None;
        let mut previous: Option<u64> = None;
        let mut count = 0u64;
        let checked = fingerprints.map_while(|item| {
            let checked = item.and_then(|f| match previous {
                _ if f >= range => Err(FilterError::Malformed("a fingerprint beyond the range")),
                Some(p) if f <= p => Err(FilterError::Malformed("fingerprints out of order")),
                _ if count == most_fingerprints => Err(FilterError::Malformed("more fingerprints than announced")),
                _ => Ok(f),
            });
            match checked {
                Ok(f) => {
                    previous = Some(f);
                    count += 1;
                    Some(f)
                }
                Err(e) => {
                    error = Some(e);
                    None
                }
            }
        });
        let bytes = encode_set(counts, range, rice_bits, checked);
        match error {
            Some(e) => Err(e),
            None => Ok(bytes),
        }
    }

    /// The stored fingerprints in increasing order (decoded bucket by bucket; a malformed section ends
    /// early, which the delta's signature check then catches).
    pub fn fingerprints(&self) -> impl Iterator<Item = u64> + '_ {
        (0..self.layout.buckets).flat_map(move |bucket| self.bucket_values(bucket))
    }

    /// The values stored in `bucket`, in increasing order; a malformed code ends them (no answer beyond
    /// what was decoded).
    fn bucket_values(&self, bucket: u64) -> impl Iterator<Item = u64> + '_ {
        let layout = &self.layout;
        let codes = BitReader { bytes: self.bytes.as_slice().get(layout.codes_at..).unwrap_or_default() };
        let k = u32::from(layout.rice_bits);
        let (mut at, end) = match (self.bucket_start(bucket), self.bucket_start(bucket + 1)) {
            (Some(start), Some(end)) => (start, end),
            _ => (0, 0),
        };
        let mut value = bucket << layout.bucket_shift;
        std::iter::from_fn(move || {
            if at >= end {
                return None;
            }
            let quotient = codes.ones(at, end);
            at += quotient + 1;
            let remainder = codes.bits(at, k);
            at += u64::from(k);
            let gap = quotient.checked_mul(1 << k).and_then(|high| high.checked_add(remainder));
            match (at <= end, gap.and_then(|gap| value.checked_add(gap))) {
                (true, Some(next)) => {
                    value = next;
                    Some(next)
                }
                _ => {
                    at = end;
                    None
                }
            }
        })
    }

    /// The fingerprint range (the false-positive rate is fingerprints / range).
    pub fn range(&self) -> u64 {
        self.layout.range
    }

    /// The Rice parameter the codes use.
    pub fn rice_bits(&self) -> u8 {
        self.layout.rice_bits
    }

    /// How many distinct fingerprints the set holds.
    pub fn fingerprint_count(&self) -> u64 {
        self.layout.fingerprints
    }

    /// Whether `(kind, hash)` may be in the list (false positives at [`ExactFilter::fp_rate`]; no false
    /// negatives).
    pub fn contains(&self, kind: HashKind, hash: &[u8]) -> bool {
        self.layout.counts.iter().any(|(k, _)| *k == kind)
            && self.holds(fingerprint(entry_key(&self.salt, kind, hash), self.layout.range))
    }

    /// Whether the set holds `target`: decodes its bucket up to the first value not below it.
    fn holds(&self, target: u64) -> bool {
        self.bucket_values(target >> self.layout.bucket_shift).find(|&value| value >= target) == Some(target)
    }

    /// Where a bucket's codes begin; the bucket after the last one begins at the end of the codes.
    fn bucket_start(&self, bucket: u64) -> Option<u64> {
        if bucket == self.layout.buckets {
            return Some(self.layout.code_bits);
        }
        let at = self.layout.offsets_at.checked_add(usize::try_from(bucket).ok()?.checked_mul(8)?)?;
        let bytes = self.bytes.as_slice().get(at..at.checked_add(8)?)?;
        Some(u64::from_le_bytes(bytes.try_into().ok()?))
    }

    /// Entries per hash kind, as listed (duplicates included).
    pub fn counts(&self) -> &[(HashKind, u64)] {
        &self.layout.counts
    }

    /// The file hashes a device computes to look files up here: BLAKE3 always, and each legacy kind
    /// (MD5, SHA-1, SHA-256) the filter lists (computing the others would be wasted work).
    pub fn hash_request(&self) -> ExactHashRequest {
        let holds = |kind: &HashKind| self.layout.counts.iter().any(|(listed, _)| listed == kind);
        HashKind::FILE_KINDS.into_iter().filter(holds).fold(ExactHashRequest::BLAKE3_ONLY, ExactHashRequest::with)
    }

    pub fn len(&self) -> u64 {
        self.layout.counts.iter().map(|(_, count)| count).fold(0, |a, b| a.saturating_add(*b))
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The false-positive rate per lookup of a non-member: the share of fingerprint values taken.
    pub fn fp_rate(&self) -> f64 {
        self.layout.fingerprints as f64 / self.layout.range as f64
    }

    /// The lookups an image costs: one per listed file-hash kind, and 8 (every orientation) for PDQ.
    pub fn lookups_per_image(&self) -> u64 {
        self.layout.counts.iter().map(|(kind, _)| if *kind == HashKind::PdqExact { 8 } else { 1 }).sum()
    }

    /// False exact matches per unrelated image: every lookup counted.
    pub fn fp_per_image(&self) -> f64 {
        1.0 - (1.0 - self.fp_rate()).powf(self.lookups_per_image() as f64)
    }

    /// Bytes of the set itself (bucket table and codes).
    pub fn size_bytes(&self) -> usize {
        self.bytes.as_slice().len().saturating_sub(self.layout.offsets_at)
    }

    /// Fingerprints stored, and the most its declared entries could have stored (one each): a set with
    /// more is not what its counts say (see [`super::sanity`]).
    pub fn fill(&self) -> (u64, u64) {
        (self.layout.fingerprints, self.len())
    }

    /// Bits per entry; the information-theoretic minimum is log2(1/fp).
    pub fn bits_per_entry(&self) -> f64 {
        self.size_bytes() as f64 * 8.0 / self.len().max(1) as f64
    }

    /// The section payload (see `docs/FORMAT.md`).
    pub fn to_section_bytes(&self) -> Vec<u8> {
        self.bytes.as_slice().to_vec()
    }

    /// Reads a section, copying it; `salt` is the bundle's.
    pub fn from_section_bytes(bytes: &[u8], salt: Salt) -> Result<ExactFilter, FilterError> {
        let layout = parse(bytes)?;
        Ok(ExactFilter { salt, layout, bytes: Bytes::Owned(bytes.to_vec()) })
    }

    /// A zero-copy view of the section at `range` of a loaded bundle; `salt` is the bundle's.
    pub fn from_bundle(bundle: Arc<Vec<u8>>, range: Range<usize>, salt: &Salt) -> Result<ExactFilter, FilterError> {
        let layout = parse(bundle.get(range.clone()).ok_or(FilterError::Truncated)?)?;
        Ok(ExactFilter { salt: *salt, layout, bytes: Bytes::Shared { bundle, range } })
    }
}

/// Checks a section in O(kinds + buckets) and says where its parts are.
fn parse(bytes: &[u8]) -> Result<Layout, FilterError> {
    let mut r = Reader::new(bytes);
    match r.u8()? {
        VERSION => {}
        WITHDRAWN_VERSION => return Err(FilterError::Withdrawn { version: WITHDRAWN_VERSION }),
        other => return Err(FilterError::UnsupportedVersion(other)),
    }
    let kinds = r.u8()?;
    if usize::from(kinds) > HashKind::ALL.len() {
        return Err(FilterError::Malformed("too many hash kinds"));
    }
    let mut counts: Vec<(HashKind, u64)> = Vec::with_capacity(usize::from(kinds));
    for _ in 0..kinds {
        let kind = HashKind::from_id(r.u8()?).ok_or(FilterError::Malformed("unknown hash kind"))?;
        if counts.iter().any(|(k, _)| *k == kind) {
            return Err(FilterError::Malformed("a hash kind is listed twice"));
        }
        counts.push((kind, r.u64()?));
    }
    let (range, fingerprints, rice_bits, bucket_shift, code_bits) = (r.u64()?, r.u64()?, r.u8()?, r.u8()?, r.u64()?);
    let entries = counts.iter().fold(0u64, |sum, (_, count)| sum.saturating_add(*count));
    if !(2..=MAX_RANGE).contains(&range) || fingerprints > range || fingerprints > entries {
        return Err(FilterError::Malformed("fingerprint range out of bounds"));
    }
    if u32::from(rice_bits) > MAX_READ_BITS || !(rice_bits..=63).contains(&bucket_shift) {
        return Err(FilterError::Malformed("coding parameters out of range"));
    }
    let shortest_codes = fingerprints.checked_mul(u64::from(rice_bits) + 1);
    if !matches!(shortest_codes, Some(least) if least <= code_bits) {
        return Err(FilterError::Malformed("codes too short for the fingerprint count"));
    }
    let buckets = ((range - 1) >> bucket_shift) + 1;
    let table_len = usize::try_from(buckets).ok().and_then(|b| b.checked_mul(8)).ok_or(FilterError::Truncated)?;
    let offsets_at = r.position();
    let table = r.take(table_len)?;
    let codes_at = r.position();
    if code_bits.div_ceil(8) != r.remaining() as u64 {
        return Err(FilterError::Malformed("code length does not match the section"));
    }
    let mut previous = 0u64;
    for (i, offset) in table.chunks_exact(8).enumerate() {
        let offset = u64::from_le_bytes(offset.try_into().map_err(|_| FilterError::Truncated)?);
        if (i == 0 && offset != 0) || offset < previous || offset > code_bits {
            return Err(FilterError::Malformed("bucket offsets out of order"));
        }
        previous = offset;
    }
    Ok(Layout { counts, range, fingerprints, rice_bits, bucket_shift, buckets, offsets_at, codes_at, code_bits })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blake3_of(i: u32) -> [u8; 32] {
        *blake3::hash(&i.to_le_bytes()).as_bytes()
    }

    #[test]
    fn no_false_negatives_and_size_within_bound() {
        let hashes: Vec<[u8; 32]> = (0..100_000u32).map(blake3_of).collect();
        let filter = ExactFilter::build([1; 32], 1e-10, hashes.iter().map(|h| (HashKind::Blake3, &h[..]))).unwrap();
        assert!(hashes.iter().all(|h| filter.contains(HashKind::Blake3, h)));
        assert!(!filter.contains(HashKind::Sha256, &hashes[0]), "kind is part of the key");
        let minimum = (1e10f64).log2();
        assert!(filter.bits_per_entry() <= 1.15 * minimum, "{} bits/entry", filter.bits_per_entry());
        assert!((filter.fp_rate() - 1e-10).abs() < 1e-12, "{}", filter.fp_rate());
        assert_eq!(filter.lookups_per_image(), 1);
    }

    /// At a loose setting the measured rate matches `fp_rate` (the model that the shipped 5e-11 relies
    /// on; see `examples/exact_filter_bench.rs` for the large runs).
    #[test]
    fn measured_false_positive_rate_matches_the_prediction() {
        let hashes: Vec<[u8; 32]> = (0..2_000u32).map(blake3_of).collect();
        let filter = ExactFilter::build([2; 32], 1e-3, hashes.iter().map(|h| (HashKind::Blake3, &h[..]))).unwrap();
        let lookups = 400_000u32;
        let hits = (10_000..10_000 + lookups).filter(|&i| filter.contains(HashKind::Blake3, &blake3_of(i))).count() as f64;
        let expected = filter.fp_rate() * f64::from(lookups);
        // 400 expected: 5 standard deviations is ±100.
        assert!((hits - expected).abs() < 100.0, "{hits} false positives, {expected} predicted");
    }

    #[test]
    fn tiny_and_empty_lists() {
        let members: Vec<[u8; 32]> = (0..12u32).map(blake3_of).collect();
        let filter = ExactFilter::build([3; 32], DEFAULT_FP_RATE, members.iter().map(|h| (HashKind::Blake3, &h[..]))).unwrap();
        assert!(members.iter().all(|h| filter.contains(HashKind::Blake3, h)));
        assert!(!(100..10_000u32).any(|i| filter.contains(HashKind::Blake3, &blake3_of(i))));
        let empty = ExactFilter::build([3; 32], DEFAULT_FP_RATE, []).unwrap();
        assert!(empty.is_empty() && !empty.contains(HashKind::Blake3, &members[0]));
        let loaded = ExactFilter::from_section_bytes(&empty.to_section_bytes(), [3; 32]).unwrap();
        assert!(loaded.is_empty());
    }

    #[test]
    fn duplicates_count_once_in_the_set() {
        let hash = blake3_of(7);
        let filter = ExactFilter::build([4; 32], 1e-6, [(HashKind::Blake3, &hash[..]), (HashKind::Blake3, &hash[..])]).unwrap();
        assert_eq!(filter.len(), 2);
        assert_eq!(filter.layout.fingerprints, 1);
        assert!(filter.contains(HashKind::Blake3, &hash));
    }

    #[test]
    fn refuses_the_withdrawn_bloom_version_with_a_clear_error() {
        assert_eq!(parse(&[1, 0]).unwrap_err(), FilterError::Withdrawn { version: 1 });
        assert_eq!(parse(&[3]).unwrap_err(), FilterError::UnsupportedVersion(3));
    }
}
