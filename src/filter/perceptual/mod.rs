//! Near-match membership of PDQ hashes: bands of bits, probed adaptively, in a blocked Bloom filter.
//!
//! Each known hash inserts `L` band keys: band `b` is a fixed pseudo-random subset of `k` of the 256 bit
//! positions, and its key mixes the band index with those `k` bits. An image whose hash is within a few
//! bits of a known one very likely agrees with it exactly on some band, or after flipping a few of its
//! least reliable bits ([`probe`]). All 8 rotations/flips of the image are probed. One band hit is a
//! *weak* match; hits in two or more bands for the same rotation/flip, a *strong* one (its false-positive
//! rate is the square of the weak one's, roughly).
//!
//! The section stores the band layout explicitly (not a PRNG seed), so that every platform probes exactly
//! the same bits forever.

pub mod probe;

use super::blocked::{self, BlockedBloom};
use super::FilterError;
use crate::entry_key::{band_key, band_seed, Salt};
use crate::pdq::{Dihedral, OrientedHashes, PdqHash};
use super::MatchStrength;
use crate::wire::{Reader, Writer};
use std::sync::Arc;

const VERSION: u8 = 1;

/// Tunable parameters, chosen by the platform when it builds a list (see [`super::tune`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerceptualParams {
    /// Number of bands, `L`.
    pub bands: u8,
    /// Bits per band, `k` (at most 64).
    pub bits_per_band: u8,
    /// Probes per band and rotation/flip, the band's own value included.
    pub probes_per_band: u16,
    /// Filter bytes per list entry (all bands together).
    pub bytes_per_entry: f64,
    /// Seed of the band layout.
    pub layout_seed: u64,
}

impl Default for PerceptualParams {
    fn default() -> Self {
        PerceptualParams { bands: 4, bits_per_band: 48, probes_per_band: 256, bytes_per_entry: 24.0, layout_seed: 0x1A6E }
    }
}

impl PerceptualParams {
    fn validate(&self) -> Result<(), FilterError> {
        if !(1..=MAX_BANDS as u8).contains(&self.bands) {
            return Err(FilterError::BadParameters("1 to 16 bands"));
        }
        if !(8..=64).contains(&self.bits_per_band) {
            return Err(FilterError::BadParameters("8 to 64 bits per band"));
        }
        if !(1..=4096).contains(&self.probes_per_band) {
            return Err(FilterError::BadParameters("1 to 4096 probes per band"));
        }
        if !(self.bytes_per_entry >= 1.0 && self.bytes_per_entry <= 1024.0) {
            return Err(FilterError::BadParameters("1 to 1024 bytes per entry"));
        }
        Ok(())
    }

    /// Bits of filter per band key.
    pub fn bits_per_key(&self) -> f64 {
        self.bytes_per_entry * 8.0 / f64::from(self.bands)
    }

    /// The number of bits set per key that minimises the false-positive rate.
    pub fn best_hashes(&self) -> u8 {
        let bits_per_key = self.bits_per_key();
        (1..=32u8)
            .min_by(|&a, &b| {
                blocked::predicted_fp_rate(bits_per_key, a).total_cmp(&blocked::predicted_fp_rate(bits_per_key, b))
            })
            .unwrap_or(8)
    }
}

/// A near match found by probing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerceptualHit {
    /// Which rotation/flip of the image matched.
    pub variant: Dihedral,
    pub strength: MatchStrength,
    /// The image's own hash for that variant (what a report carries).
    pub hash: PdqHash,
    /// How many bands hit.
    pub bands_hit: u8,
    /// The first band key that hit: it names the listed entry (its band value), for per-entry caps.
    pub entry_key: u64,
    /// Every band key that hit, in band order (`bands_hit` of them; the rest are 0): what confirmation
    /// asks the platform about.
    pub hit_keys: [u64; MAX_BANDS],
}

/// The most bands a filter may have.
pub const MAX_BANDS: usize = 16;

/// The perceptual filter.
#[derive(Clone)]
pub struct PerceptualFilter {
    bands: u8,
    bits_per_band: u8,
    probes_per_band: u16,
    entries: u64,
    /// `bands * bits_per_band` bit positions, band by band.
    positions: Vec<u8>,
    seed: u64,
    bloom: BlockedBloom,
}

impl std::fmt::Debug for PerceptualFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PerceptualFilter({} entries, {} bands of {} bits)", self.entries, self.bands, self.bits_per_band)
    }
}

/// Deterministic band layout: `bands` subsets of `bits` distinct positions each (disjoint while they fit).
fn layout(bands: u8, bits: u8, seed: u64) -> Vec<u8> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        crate::entry_key::mix64(state)
    };
    let mut pool: Vec<u8> = Vec::new();
    let mut positions = Vec::with_capacity(usize::from(bands) * usize::from(bits));
    for _ in 0..bands {
        let mut band: Vec<u8> = Vec::with_capacity(usize::from(bits));
        while band.len() < usize::from(bits) {
            if pool.is_empty() {
                pool = (0..=255u8).collect();
                for i in (1..pool.len()).rev() {
                    pool.swap(i, (next() % (i as u64 + 1)) as usize);
                }
            }
            if let Some(p) = pool.pop() {
                if !band.contains(&p) {
                    band.push(p);
                }
            }
        }
        band.sort_unstable();
        positions.extend_from_slice(&band);
    }
    positions
}

/// Gathers a band's bits of `hash` into an integer (band bit `i` = hash bit `positions[i]`).
#[inline]
fn band_value(hash: &PdqHash, positions: &[u8]) -> u64 {
    positions.iter().enumerate().fold(0u64, |value, (i, &p)| value | u64::from(hash.bit(usize::from(p))) << i)
}

impl PerceptualFilter {
    /// Builds a filter holding `hashes`.
    pub fn build(salt: &Salt, params: PerceptualParams, hashes: &[PdqHash]) -> Result<PerceptualFilter, FilterError> {
        params.validate()?;
        let entries = hashes.len() as u64;
        let total_bits = (entries.max(1) as f64 * params.bytes_per_entry * 8.0).ceil();
        let blocks = (total_bits / 512.0).ceil().max(1.0) as u64;
        let mut filter = PerceptualFilter {
            bands: params.bands,
            bits_per_band: params.bits_per_band,
            probes_per_band: params.probes_per_band,
            entries,
            positions: layout(params.bands, params.bits_per_band, params.layout_seed),
            seed: band_seed(salt),
            bloom: BlockedBloom::new(blocks, params.best_hashes()),
        };
        filter.insert_all(hashes);
        Ok(filter)
    }

    /// Builds a filter holding `hashes` with `previous`'s geometry (parameters, band layout, seed, size),
    /// so that the two differ only in the bits of the entries added and removed: what a delta carries.
    /// `previous` must come from a bundle with the same salt.
    pub fn build_like(previous: &PerceptualFilter, hashes: &[PdqHash]) -> PerceptualFilter {
        let blocks = (previous.bloom.size_bytes() / 64) as u64;
        let mut filter = PerceptualFilter {
            entries: hashes.len() as u64,
            positions: previous.positions.clone(),
            bloom: BlockedBloom::new(blocks, previous.bloom.hashes()),
            ..*previous
        };
        filter.insert_all(hashes);
        filter
    }

    fn insert_all(&mut self, hashes: &[PdqHash]) {
        for hash in hashes {
            for band in 0..self.bands {
                let key = band_key(self.seed, u16::from(band), band_value(hash, self.band_positions(band)));
                self.bloom.insert(key);
            }
        }
    }

    fn band_positions(&self, band: u8) -> &[u8] {
        let k = usize::from(self.bits_per_band);
        self.positions.get(usize::from(band) * k..(usize::from(band) + 1) * k).unwrap_or_default()
    }

    pub fn entries(&self) -> u64 {
        self.entries
    }

    pub fn size_bytes(&self) -> usize {
        self.bloom.size_bytes()
    }

    pub fn bytes_per_entry(&self) -> f64 {
        self.size_bytes() as f64 / self.entries.max(1) as f64
    }

    pub fn params(&self) -> (u8, u8, u16, u8) {
        (self.bands, self.bits_per_band, self.probes_per_band, self.bloom.hashes())
    }

    /// The band layout: each band's bit positions (for analysis tools).
    pub fn band_layout(&self) -> Vec<&[u8]> {
        (0..self.bands).map(|band| self.band_positions(band)).collect()
    }

    /// The key of each band of `hash`: what a listed hash inserts, and how the platform buckets it for
    /// confirmation.
    pub fn band_keys(&self, hash: &PdqHash) -> Vec<u64> {
        (0..self.bands).map(|band| band_key(self.seed, u16::from(band), band_value(hash, self.band_positions(band)))).collect()
    }

    /// Probes per image (all bands, all 8 rotations/flips).
    pub fn probes_per_image(&self) -> u64 {
        8 * u64::from(self.bands) * u64::from(self.probes_per_band)
    }

    /// Bits set in the filter, and the most its declared entries could have set (each key sets at most
    /// `hashes` bits, one key per band per entry).
    pub fn bits_set(&self) -> (u64, u64) {
        let ones = self.bloom.as_bytes().iter().map(|b| u64::from(b.count_ones())).sum();
        let most = self.entries.saturating_mul(u64::from(self.bands)).saturating_mul(u64::from(self.bloom.hashes()));
        (ones, most)
    }

    /// Predicted false-positive rate of one probe of an unrelated image: the filter's own rate from its
    /// real per-block fill ([`BlockedBloom::fp_rate_from_blocks`], O(filter size)), plus the chance that
    /// the probed band value equals a listed hash's (2^-bits per listed entry, for random hashes).
    pub fn fp_rate_per_probe(&self) -> f64 {
        let collision = self.entries as f64 * (-f64::from(self.bits_per_band)).exp2();
        (self.bloom.fp_rate_from_blocks() + collision).min(1.0)
    }

    /// Predicted false weak and strong matches per unrelated image: every probe of every band and
    /// orientation counted (see [`super::tune::per_image`]).
    pub fn fp_per_image(&self) -> super::tune::PerImage {
        super::tune::per_image(self.fp_rate_per_probe(), self.bands, self.probes_per_band)
    }

    /// Whether the image whose features are given is near a listed hash: the strongest hit, if any.
    /// Each orientation probes the hash `features` gives for it: derived from one pass for a
    /// [`crate::pdq::PdqFeatures`], hashed from the really flipped pixels for a
    /// [`crate::pdq::QueryFeatures`] (closer to the listed hash of a mirrored or turned copy).
    pub fn query<F: OrientedHashes + ?Sized>(&self, features: &F) -> Option<PerceptualHit> {
        let mut masks = Vec::with_capacity(usize::from(self.probes_per_band));
        let mut keys = Vec::with_capacity(usize::from(self.probes_per_band));
        let mut margins_of_band = Vec::with_capacity(usize::from(self.bits_per_band));
        let mut weak = None;
        for &variant in features.probed_variants() {
            let (hash, margins) = features.oriented_hash_with_margins(variant);
            let mut bands_hit = 0u8;
            let mut first_key = None;
            let mut hit_keys = [0u64; MAX_BANDS];
            for band in 0..self.bands {
                let positions = self.band_positions(band);
                let value = band_value(&hash, positions);
                margins_of_band.clear();
                margins_of_band.extend(positions.iter().map(|&p| margins.get(usize::from(p)).copied().unwrap_or(0.0)));
                probe::probe_masks(&margins_of_band, usize::from(self.probes_per_band), &mut masks);
                keys.clear();
                keys.extend(masks.iter().map(|mask| band_key(self.seed, u16::from(band), value ^ mask)));
                self.bloom.prefetch(&keys);
                let hit = keys.iter().copied().find(|&key| self.bloom.contains(key));
                if let Some(key) = hit {
                    if let Some(slot) = hit_keys.get_mut(usize::from(bands_hit)) {
                        *slot = key;
                    }
                    bands_hit += 1;
                    first_key.get_or_insert(key);
                }
            }
            let entry_key = first_key.unwrap_or_default();
            if bands_hit >= 2 {
                return Some(PerceptualHit { variant, strength: MatchStrength::Strong, hash, bands_hit, entry_key, hit_keys });
            }
            if bands_hit == 1 && weak.is_none() {
                weak = Some(PerceptualHit { variant, strength: MatchStrength::Weak, hash, bands_hit, entry_key, hit_keys });
            }
        }
        weak
    }

    /// The section payload: version u8, bands u8, bits per band u8, probes per band u16, hashes u8,
    /// entries u64, the band layout (`bands * bits_per_band` positions), then the filter's blocks.
    pub fn to_section_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u8(VERSION).u8(self.bands).u8(self.bits_per_band).u16(self.probes_per_band).u8(self.bloom.hashes());
        w.u64(self.entries).raw(&self.positions).raw(self.bloom.as_bytes());
        w.bytes
    }

    /// Reads the section at `range` of a loaded bundle without copying the filter's bits.
    pub fn from_bundle(bundle: Arc<Vec<u8>>, range: std::ops::Range<usize>, salt: &Salt) -> Result<Self, FilterError> {
        let bytes = bundle.get(range.clone()).ok_or(FilterError::Truncated)?;
        let mut r = Reader::new(bytes);
        let version = r.u8()?;
        if version != VERSION {
            return Err(FilterError::UnsupportedVersion(version));
        }
        let (bands, bits_per_band, probes_per_band, hashes) = (r.u8()?, r.u8()?, r.u16()?, r.u8()?);
        let params = PerceptualParams { bands, bits_per_band, probes_per_band, ..PerceptualParams::default() };
        params.validate().map_err(|_| FilterError::Malformed("parameters out of range"))?;
        if !(1..=32).contains(&hashes) {
            return Err(FilterError::Malformed("bits per key out of range"));
        }
        let entries = r.u64()?;
        let positions = r.take(usize::from(bands) * usize::from(bits_per_band))?.to_vec();
        for band in positions.chunks(usize::from(bits_per_band)) {
            if band.windows(2).any(|pair| pair.first() >= pair.get(1)) {
                return Err(FilterError::Malformed("band positions must be sorted and distinct"));
            }
        }
        let (start, len) = (range.start + r.position(), r.remaining());
        let bloom = BlockedBloom::view(bundle.clone(), start, len, hashes)
            .ok_or(FilterError::Malformed("filter bits are not whole 64-byte blocks"))?;
        let seed = band_seed(salt);
        Ok(PerceptualFilter { bands, bits_per_band, probes_per_band, entries, positions, seed, bloom })
    }
}
