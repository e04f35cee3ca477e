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
use super::tree::{bucket_bits_for, bucket_of, leaf_hash, MerkleTree};
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
pub struct PlatformLists {
    bundle_id: String,
    bundle_sequence: u64,
    bucket_bits: u8,
    /// Non-empty buckets, by increasing id; entries sorted and unique.
    buckets: Vec<(u32, Vec<ListedEntry>)>,
    keys: u64,
    tree: MerkleTree,
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
        let mut buckets: Vec<(u32, Vec<ListedEntry>)> = Vec::new();
        for (bucket, entry) in bucketed {
            match buckets.last_mut() {
                Some((last, entries)) if *last == bucket => entries.push(entry),
                _ => buckets.push((bucket, vec![entry])),
            }
        }
        Self::assemble(bundle_id.to_string(), bundle_sequence, bits, buckets, keys)
    }

    fn assemble(
        bundle_id: String,
        bundle_sequence: u64,
        bucket_bits: u8,
        buckets: Vec<(u32, Vec<ListedEntry>)>,
        keys: u64,
    ) -> Result<PlatformLists, ConfirmError> {
        if let Some((bucket, entries)) = buckets.iter().find(|(_, entries)| entries.len() > MAX_BUCKET_ENTRIES) {
            return Err(ConfirmError::BucketTooLarge { bucket: *bucket, entries: entries.len(), max: MAX_BUCKET_ENTRIES });
        }
        let mut filled = buckets.iter().peekable();
        let leaves = (0..1u32 << bucket_bits)
            .map(|id| match filled.next_if(|(bucket, _)| *bucket == id) {
                Some((_, entries)) => leaf_hash(id, entries),
                None => leaf_hash(id, &[]),
            })
            .collect();
        let tree = MerkleTree::build(leaves);
        Ok(PlatformLists { bundle_id, bundle_sequence, bucket_bits, buckets, keys, tree })
    }

    /// What the bundle carries.
    pub fn commitment(&self) -> Commitment {
        Commitment { bucket_bits: self.bucket_bits, root: self.tree.root(), keys: self.keys }
    }

    fn entries(&self, bucket: u32) -> &[ListedEntry] {
        match self.buckets.binary_search_by_key(&bucket, |(id, _)| *id) {
            Ok(index) => self.buckets.get(index).map_or(&[][..], |(_, entries)| &entries[..]),
            Err(_) => &[],
        }
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
            buckets.push(BucketProof { bucket, entries: self.entries(bucket).to_vec(), path: self.tree.path(bucket) });
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
        for (bucket, entries) in &self.buckets {
            w.u32(*bucket).u16(entries.len() as u16);
            for entry in entries {
                w.u8(entry.kind.id()).raw(&entry.hash);
            }
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
        let mut buckets = Vec::with_capacity(count.min(r.remaining() / 6));
        let mut keys = 0u64;
        for _ in 0..count {
            let bucket = r.u32().map_err(t)?;
            if u64::from(bucket) >= 1u64 << bucket_bits || buckets.last().is_some_and(|(last, _)| *last >= bucket) {
                return Err(malformed("bucket ids out of range or out of order"));
            }
            let n = usize::from(r.u16().map_err(t)?);
            let mut entries = Vec::with_capacity(n.min(r.remaining()));
            for _ in 0..n {
                let kind = HashKind::from_id(r.u8().map_err(t)?).ok_or(malformed("unknown hash kind"))?;
                entries.push(ListedEntry { kind, hash: r.take(kind.len()).map_err(t)?.to_vec() });
            }
            keys += n as u64;
            buckets.push((bucket, entries));
        }
        if !r.is_empty() {
            return Err(malformed("trailing bytes"));
        }
        let lists = Self::assemble(bundle_id, bundle_sequence, bucket_bits, buckets, keys)?;
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
