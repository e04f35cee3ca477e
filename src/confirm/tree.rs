//! Buckets and the Merkle tree over them.
//!
//! A lookup key (an entry key or a perceptual band key, both 64-bit keyed digests) falls into bucket
//! `key >> (64 - bits)`. The tree is dense: leaf `i` is bucket `i`, empty or not, so the path of an empty
//! bucket is the proof of absence and there are no neighbour proofs to get wrong. Leaves and inner nodes
//! are BLAKE3 in derive-key mode with distinct contexts, so a leaf can never pass for a node.

use super::ListedEntry;

/// The most bucket bits a commitment may use (a 16M-leaf tree; paths of 24 hashes).
pub const MAX_BUCKET_BITS: u8 = 24;
/// The fewest.
pub const MIN_BUCKET_BITS: u8 = 1;

const LEAF_CONTEXT: &str = "imageguard confirm leaf v1";
const NODE_CONTEXT: &str = "imageguard confirm node v1";

/// The bucket a lookup key falls into.
pub fn bucket_of(key: u64, bits: u8) -> u32 {
    let bits = bits.clamp(MIN_BUCKET_BITS, MAX_BUCKET_BITS);
    (key >> (64 - u32::from(bits))) as u32
}

/// Bucket bits for `keys` lookup keys: about 4 keys per bucket on average.
pub fn bucket_bits_for(keys: usize) -> u8 {
    let buckets = (keys / 4).max(2);
    let bits = usize::BITS - (buckets - 1).leading_zeros();
    (bits as u8).clamp(MIN_BUCKET_BITS, MAX_BUCKET_BITS)
}

/// Leaf of one bucket: its id, its entry count and its entries (kind id, hash bytes), in sorted order.
pub fn leaf_hash(bucket: u32, entries: &[ListedEntry]) -> [u8; 32] {
    let mut hasher = leaf_hasher(bucket, entries.len());
    for entry in entries {
        hasher.update(&[entry.kind.id()]);
        hasher.update(&entry.hash);
    }
    *hasher.finalize().as_bytes()
}

/// The same leaf from entries already laid out as `kind id || hash` one after another (the platform's
/// in-memory and file layout).
pub fn leaf_hash_encoded(bucket: u32, count: usize, encoded: &[u8]) -> [u8; 32] {
    let mut hasher = leaf_hasher(bucket, count);
    hasher.update(encoded);
    *hasher.finalize().as_bytes()
}

fn leaf_hasher(bucket: u32, count: usize) -> blake3::Hasher {
    let mut hasher = blake3::Hasher::new_derive_key(LEAF_CONTEXT);
    hasher.update(&bucket.to_le_bytes());
    hasher.update(&(count as u32).to_le_bytes());
    hasher
}

pub fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new_derive_key(NODE_CONTEXT);
    hasher.update(left);
    hasher.update(right);
    *hasher.finalize().as_bytes()
}

/// The root a leaf and its path (siblings from the leaf up) lead to.
pub fn root_from_path(bucket: u32, leaf: [u8; 32], path: &[[u8; 32]]) -> [u8; 32] {
    path.iter().enumerate().fold(leaf, |node, (level, sibling)| {
        if (bucket >> level) & 1 == 0 {
            node_hash(&node, sibling)
        } else {
            node_hash(sibling, &node)
        }
    })
}

/// The whole tree, kept by the platform to answer requests.
pub struct MerkleTree {
    /// `levels[0]` are the leaves; the last level is the root alone.
    levels: Vec<Vec<[u8; 32]>>,
}

impl MerkleTree {
    /// Builds the tree over `leaves` (a power of two of them).
    pub fn build(leaves: Vec<[u8; 32]>) -> MerkleTree {
        let mut levels = vec![leaves];
        while let Some(level) = levels.last().filter(|level| level.len() > 1) {
            let next = level.chunks_exact(2).map(|pair| match pair {
                [left, right] => node_hash(left, right),
                _ => [0; 32],
            });
            let next: Vec<[u8; 32]> = next.collect();
            levels.push(next);
        }
        MerkleTree { levels }
    }

    pub fn root(&self) -> [u8; 32] {
        self.levels.last().and_then(|level| level.first()).copied().unwrap_or([0; 32])
    }

    /// The siblings from leaf `bucket` up to the root.
    pub fn path(&self, bucket: u32) -> Vec<[u8; 32]> {
        let depth = self.levels.len().saturating_sub(1);
        (0..depth)
            .map(|level| {
                let index = (bucket as usize >> level) ^ 1;
                self.levels.get(level).and_then(|nodes| nodes.get(index)).copied().unwrap_or([0; 32])
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::HashKind;

    #[test]
    fn every_leaf_path_leads_to_the_root_and_only_from_its_own_position() {
        let entry = |b: u8| vec![ListedEntry { kind: HashKind::Blake3, hash: vec![b; 32] }];
        let leaves: Vec<[u8; 32]> = (0..8u32).map(|i| leaf_hash(i, &entry(i as u8))).collect();
        let tree = MerkleTree::build(leaves.clone());
        for (i, leaf) in leaves.iter().enumerate() {
            let path = tree.path(i as u32);
            assert_eq!(path.len(), 3);
            assert_eq!(root_from_path(i as u32, *leaf, &path), tree.root());
            assert_ne!(root_from_path((i as u32) ^ 1, *leaf, &path), tree.root());
        }
        assert_ne!(leaf_hash(0, &entry(0)), leaf_hash(1, &entry(0)), "the bucket id is bound into the leaf");
    }

    #[test]
    fn buckets_take_the_top_bits_and_bits_grow_with_the_list() {
        assert_eq!(bucket_of(u64::MAX, 20), (1 << 20) - 1);
        assert_eq!(bucket_of(1 << 63, 1), 1);
        assert_eq!(bucket_bits_for(0), 1);
        assert_eq!(bucket_bits_for(4 << 20), 20);
        assert_eq!(bucket_bits_for(usize::MAX / 2), MAX_BUCKET_BITS);
    }
}
