//! Platform-independent 64-bit keys for list entries.
//!
//! Every filter, the negative list and the per-entry cap name an entry by the same key: a keyed BLAKE3
//! of `kind id || hash bytes`, truncated to 64 bits. The key (a per-bundle salt) means two bundles never
//! share keys, and the keys are the same on every platform: we never push byte slices through
//! `std::hash::Hash`, which writes a `usize` length prefix that differs between 32-bit and 64-bit phones.

use crate::exact::HashKind;

/// Length of the per-bundle salt that keys entry digests.
pub const SALT_LEN: usize = 32;

/// A per-bundle salt for [`entry_key`]. Random at list build time, stored in the bundle.
pub type Salt = [u8; SALT_LEN];

/// Key of one `(kind, hash)` entry under `salt`: the first 8 bytes of keyed BLAKE3, little-endian.
pub fn entry_key(salt: &Salt, kind: HashKind, hash: &[u8]) -> u64 {
    let mut hasher = blake3::Hasher::new_keyed(salt);
    hasher.update(&[kind.id()]);
    hasher.update(hash);
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

/// Key of a band value of a perceptual filter: `band index (u16 LE) || packed band bits`, keyed the same way.
/// Kept apart from [`entry_key`] by a leading tag byte that no [`HashKind`] id uses.
pub fn band_key(salt: &Salt, band: u16, packed_bits: &[u8]) -> u64 {
    let mut hasher = blake3::Hasher::new_keyed(salt);
    hasher.update(&[0xB0]);
    hasher.update(&band.to_le_bytes());
    hasher.update(packed_bits);
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_across_platforms() {
        // Keys depend on salt, kind and bytes; the golden bundle test pins their exact values.
        let salt = [7u8; SALT_LEN];
        let key = entry_key(&salt, HashKind::Blake3, &[0xAB; 32]);
        assert_eq!(key, entry_key(&salt, HashKind::Blake3, &[0xAB; 32]));
        assert_ne!(key, entry_key(&salt, HashKind::Sha256, &[0xAB; 32]));
        assert_ne!(key, entry_key(&[8u8; SALT_LEN], HashKind::Blake3, &[0xAB; 32]));
        assert_ne!(band_key(&salt, 0, &[1, 2]), band_key(&salt, 1, &[1, 2]));
    }
}
