//! The platform side: the full lists grouped into buckets, the tree over them, and answers to requests.
//!
//! The platform builds [`PlatformLists`] with the bundle (`list build`), ships only the [`Commitment`] in
//! the bundle and keeps the lists file to answer requests (`imageguard confirm`). The file never goes to
//! devices: it is the list itself.
//!
//! File: `"IGPL"`, version u8 (1), bundle id (u8-length string), sequence u64, bucket bits u8, root [32],
//! non-empty bucket count u32, then per bucket: id u32, entry count u16, entries (kind id u8, hash). The
//! root is recomputed on load and must match.

use super::messages::{BucketProof, ConfirmationRequest, ConfirmationResponse, MAX_BUCKET_ENTRIES};
use super::tree::{bucket_bits_for, bucket_of, leaf_hash_encoded, MerkleTree};
use super::{Commitment, ConfirmError, ListedEntry};
use crate::entry_key::{entry_key, Salt};
use crate::exact::HashKind;
use crate::filter::PerceptualFilter;
use crate::pdq::PdqHash;
use crate::wire::{Reader, Truncated, Writer};

const MAGIC: &[u8; 4] = b"IGPL";
const VERSION: u8 = 1;
const WHAT: &str = "platform lists file";

/// The platform's full lists, bucketed, with the Merkle tree that the bundle's commitment roots.
///
/// Entries are held as one byte string in the file's layout (`kind id || hash`, bucket after bucket), not
/// as one allocation per entry: at 10M list entries (60M lookup keys) that is the difference between
/// ~2 GB and ~8 GB of serving memory (BENCHMARKS.md).
pub struct PlatformLists {
    bundle_id: String,
    bundle_sequence: u64,
    bucket_bits: u8,
    /// Non-empty buckets, by increasing id, with each one's entry count and where its entries start in
    /// `entries` (they end where the next bucket's start).
    buckets: Vec<BucketSlot>,
    /// Every bucket's entries, sorted and unique within a bucket.
    entries: Vec<u8>,
    keys: u64,
    tree: MerkleTree,
}

#[derive(Clone, Copy)]
struct BucketSlot {
    id: u32,
    count: u16,
    start: usize,
}

impl std::fmt::Debug for PlatformLists {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PlatformLists({} v{}, {} keys, 2^{} buckets)", self.bundle_id, self.bundle_sequence, self.keys, self.bucket_bits)
    }
}

impl PlatformLists {
    /// Buckets every lookup key of the lists: each exact entry by its entry key, each PDQ hash by its
    /// exact entry key and by each of its band keys in `perceptual`.
    pub fn build<'a>(
        bundle_id: &str,
        bundle_sequence: u64,
        salt: &Salt,
        exact: impl IntoIterator<Item = (HashKind, &'a [u8])>,
        pdq: &[PdqHash],
        perceptual: Option<&PerceptualFilter>,
    ) -> Result<PlatformLists, ConfirmError> {
        let mut keyed: Vec<(u64, ListedEntry)> = Vec::new();
        for (kind, hash) in exact {
            keyed.push((entry_key(salt, kind, hash), ListedEntry { kind, hash: hash.to_vec() }));
        }
        for hash in pdq {
            let entry = ListedEntry { kind: HashKind::PdqExact, hash: hash.0.to_vec() };
            keyed.push((entry_key(salt, HashKind::PdqExact, &hash.0), entry.clone()));
            if let Some(filter) = perceptual {
                keyed.extend(filter.band_keys(hash).into_iter().map(|key| (key, entry.clone())));
            }
        }
        let bits = bucket_bits_for(keyed.len());
        let mut bucketed: Vec<(u32, ListedEntry)> = keyed.into_iter().map(|(key, e)| (bucket_of(key, bits), e)).collect();
        bucketed.sort_unstable();
        bucketed.dedup();
        let keys = bucketed.len() as u64;
        let mut buckets: Vec<BucketSlot> = Vec::new();
        let mut entries = Vec::with_capacity(bucketed.iter().map(|(_, e)| 1 + e.hash.len()).sum());
        for (bucket, entry) in bucketed {
            match buckets.last_mut() {
                Some(last) if last.id == bucket => {
                    last.count = last.count.checked_add(1).ok_or(ConfirmError::BucketTooLarge {
                        bucket,
                        entries: usize::from(u16::MAX) + 1,
                        max: MAX_BUCKET_ENTRIES,
                    })?;
                }
                _ => buckets.push(BucketSlot { id: bucket, count: 1, start: entries.len() }),
            }
            entries.push(entry.kind.id());
            entries.extend_from_slice(&entry.hash);
        }
        Self::assemble(bundle_id.to_string(), bundle_sequence, bits, buckets, entries, keys)
    }

    fn assemble(
        bundle_id: String,
        bundle_sequence: u64,
        bucket_bits: u8,
        buckets: Vec<BucketSlot>,
        entries: Vec<u8>,
        keys: u64,
    ) -> Result<PlatformLists, ConfirmError> {
        if let Some(slot) = buckets.iter().find(|slot| usize::from(slot.count) > MAX_BUCKET_ENTRIES) {
            return Err(ConfirmError::BucketTooLarge { bucket: slot.id, entries: usize::from(slot.count), max: MAX_BUCKET_ENTRIES });
        }
        let mut lists = PlatformLists { bundle_id, bundle_sequence, bucket_bits, buckets, entries, keys, tree: MerkleTree::build(Vec::new()) };
        let mut filled = lists.buckets.iter().enumerate().peekable();
        let leaves = (0..1u32 << bucket_bits)
            .map(|id| match filled.next_if(|(_, slot)| slot.id == id) {
                Some((index, slot)) => leaf_hash_encoded(id, usize::from(slot.count), lists.encoded(index)),
                None => leaf_hash_encoded(id, 0, &[]),
            })
            .collect();
        lists.tree = MerkleTree::build(leaves);
        Ok(lists)
    }

    /// The encoded entries of the `index`-th non-empty bucket.
    fn encoded(&self, index: usize) -> &[u8] {
        let start = self.buckets.get(index).map_or(0, |slot| slot.start);
        let end = self.buckets.get(index + 1).map_or(self.entries.len(), |slot| slot.start);
        self.entries.get(start..end).unwrap_or(&[])
    }

    /// What the bundle carries.
    pub fn commitment(&self) -> Commitment {
        Commitment { bucket_bits: self.bucket_bits, root: self.tree.root(), keys: self.keys }
    }

    fn entries(&self, bucket: u32) -> Vec<ListedEntry> {
        let Ok(index) = self.buckets.binary_search_by_key(&bucket, |slot| slot.id) else { return Vec::new() };
        let mut r = Reader::new(self.encoded(index));
        let mut entries = Vec::new();
        // The layout was checked when the lists were built or loaded: decoding it cannot fail.
        while let Some(kind) = r.u8().ok().and_then(HashKind::from_id) {
            match r.take(kind.len()) {
                Ok(hash) => entries.push(ListedEntry { kind, hash: hash.to_vec() }),
                Err(_) => break,
            }
        }
        entries
    }

    /// Answers a request for this bundle: every requested bucket's entries and path. The caller enforces
    /// the per-device budget (see [`ConfirmationRequest::device`]) before calling this.
    pub fn answer(&self, request: &ConfirmationRequest) -> Result<ConfirmationResponse, ConfirmError> {
        if request.bundle_id != self.bundle_id || request.bundle_sequence != self.bundle_sequence {
            return Err(ConfirmError::WrongBundle {
                expected_id: self.bundle_id.clone(),
                expected_sequence: self.bundle_sequence,
                got_id: request.bundle_id.clone(),
                got_sequence: request.bundle_sequence,
            });
        }
        let mut buckets = Vec::with_capacity(request.buckets.len());
        for &bucket in &request.buckets {
            if u64::from(bucket) >= 1u64 << self.bucket_bits {
                return Err(ConfirmError::BucketOutOfRange { bucket, bits: self.bucket_bits });
            }
            buckets.push(BucketProof { bucket, entries: self.entries(bucket), path: self.tree.path(bucket) });
        }
        Ok(ConfirmationResponse {
            bundle_id: self.bundle_id.clone(),
            bundle_sequence: self.bundle_sequence,
            nonce: request.nonce,
            buckets,
        })
    }

    /// Parses request bytes and answers them with response bytes.
    pub fn answer_bytes(&self, request: &[u8]) -> Result<Vec<u8>, ConfirmError> {
        Ok(self.answer(&ConfirmationRequest::from_bytes(request)?)?.to_bytes())
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.raw(MAGIC).u8(VERSION).short_bytes(self.bundle_id.as_bytes()).u64(self.bundle_sequence);
        w.u8(self.bucket_bits).raw(&self.tree.root()).u32(self.buckets.len() as u32);
        for (index, slot) in self.buckets.iter().enumerate() {
            w.u32(slot.id).u16(slot.count).raw(self.encoded(index));
        }
        w.bytes
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<PlatformLists, ConfirmError> {
        let t = |_: Truncated| ConfirmError::Truncated { what: WHAT };
        let malformed = |reason| ConfirmError::Malformed { what: WHAT, reason };
        let mut r = Reader::new(bytes);
        if r.take(4).map_err(t)? != MAGIC || r.u8().map_err(t)? != VERSION {
            return Err(ConfirmError::BadMagic { what: WHAT });
        }
        let bundle_id = String::from_utf8(r.short_bytes().map_err(t)?.to_vec()).map_err(|_| malformed("bundle id"))?;
        let bundle_sequence = r.u64().map_err(t)?;
        let bucket_bits = r.u8().map_err(t)?;
        if !(super::tree::MIN_BUCKET_BITS..=super::tree::MAX_BUCKET_BITS).contains(&bucket_bits) {
            return Err(malformed("bucket bits out of range"));
        }
        let root: [u8; 32] = r.array().map_err(t)?;
        let count = r.u32().map_err(t)? as usize;
        // Each bucket takes at least 6 bytes: never allocate more than the input can hold.
        let mut buckets: Vec<BucketSlot> = Vec::with_capacity(count.min(r.remaining() / 6));
        let mut entries = Vec::with_capacity(r.remaining());
        let mut keys = 0u64;
        for _ in 0..count {
            let id = r.u32().map_err(t)?;
            if u64::from(id) >= 1u64 << bucket_bits || buckets.last().is_some_and(|last| last.id >= id) {
                return Err(malformed("bucket ids out of range or out of order"));
            }
            let n = r.u16().map_err(t)?;
            buckets.push(BucketSlot { id, count: n, start: entries.len() });
            for _ in 0..n {
                let kind = HashKind::from_id(r.u8().map_err(t)?).ok_or(malformed("unknown hash kind"))?;
                entries.push(kind.id());
                entries.extend_from_slice(r.take(kind.len()).map_err(t)?);
            }
            keys += u64::from(n);
        }
        if !r.is_empty() {
            return Err(malformed("trailing bytes"));
        }
        entries.shrink_to_fit();
        let lists = Self::assemble(bundle_id, bundle_sequence, bucket_bits, buckets, entries, keys)?;
        if lists.tree.root() != root {
            return Err(malformed("the entries do not match the stored root"));
        }
        Ok(lists)
    }

    pub fn bundle_id(&self) -> &str {
        &self.bundle_id
    }

    pub fn bundle_sequence(&self) -> u64 {
        self.bundle_sequence
    }
}
