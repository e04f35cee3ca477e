//! Known false positives: benign images that collide with a list entry and must trigger nothing.
//!
//! Exact entries are stored as entry keys (so the list of benign hashes is no more readable than the
//! filter); perceptual ones as the benign images' PDQ hashes, matched within a small distance over all
//! rotations/flips. Quick suppression belongs here; removing entries for good needs a rebuilt filter.

use super::PolicyError;
use crate::entry_key::{entry_key, Salt};
use crate::exact::HashKind;
use crate::pdq::PdqHash;
use crate::wire::{Reader, Writer};

const VERSION: u8 = 1;
/// Default distance within which a PDQ hash counts as the benign image.
pub const DEFAULT_MAX_DISTANCE: u8 = 8;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NegativeList {
    exact: Vec<u64>,
    pdq: Vec<PdqHash>,
    max_distance: u8,
}

impl NegativeList {
    /// A negative list of exact hashes (keyed with the bundle's `salt`) and benign PDQ hashes.
    pub fn new<'a>(salt: &Salt, exact: impl IntoIterator<Item = (HashKind, &'a [u8])>, pdq: Vec<PdqHash>) -> Self {
        let mut keys: Vec<u64> = exact.into_iter().map(|(kind, hash)| entry_key(salt, kind, hash)).collect();
        keys.sort_unstable();
        keys.dedup();
        NegativeList { exact: keys, pdq, max_distance: DEFAULT_MAX_DISTANCE }
    }

    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.pdq.is_empty()
    }

    pub fn len(&self) -> usize {
        self.exact.len() + self.pdq.len()
    }

    pub fn suppresses_key(&self, key: u64) -> bool {
        self.exact.binary_search(&key).is_ok()
    }

    /// Whether any of an image's hashes (its 8 rotations/flips) is within the distance of a benign one.
    pub fn suppresses_pdq(&self, hashes: &[PdqHash]) -> bool {
        self.pdq.iter().any(|benign| hashes.iter().any(|h| h.distance(benign) <= u32::from(self.max_distance)))
    }

    /// Section payload: version u8, max distance u8, exact count u32, keys u64*, PDQ count u32, hashes [32]*.
    pub fn to_section_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u8(VERSION).u8(self.max_distance).u32(self.exact.len() as u32);
        for key in &self.exact {
            w.u64(*key);
        }
        w.u32(self.pdq.len() as u32);
        for hash in &self.pdq {
            w.raw(&hash.0);
        }
        w.bytes
    }

    pub fn from_section_bytes(bytes: &[u8]) -> Result<NegativeList, PolicyError> {
        let mut r = Reader::new(bytes);
        if r.u8()? != VERSION {
            return Err(PolicyError::Malformed("unsupported negative list version"));
        }
        let max_distance = r.u8()?;
        let count = r.u32()? as usize;
        if count > r.remaining() / 8 {
            return Err(PolicyError::Truncated);
        }
        let mut exact = Vec::with_capacity(count);
        for _ in 0..count {
            exact.push(r.u64()?);
        }
        if exact.windows(2).any(|pair| pair.first() >= pair.get(1)) {
            return Err(PolicyError::Malformed("exact keys must be sorted and distinct"));
        }
        let count = r.u32()? as usize;
        if count > r.remaining() / 32 {
            return Err(PolicyError::Truncated);
        }
        let mut pdq = Vec::with_capacity(count);
        for _ in 0..count {
            pdq.push(PdqHash(r.array()?));
        }
        if !r.is_empty() {
            return Err(PolicyError::Malformed("trailing bytes"));
        }
        Ok(NegativeList { exact, pdq, max_distance })
    }
}
