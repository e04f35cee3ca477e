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

/// A fresh salt from the system's secure random generator (platform side, once per bundle series build).
pub fn random_salt() -> Result<Salt, crate::signing::KeyError> {
    let mut salt = [0u8; SALT_LEN];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut salt).map_err(|_| crate::signing::KeyError::Random)?;
    Ok(salt)
}

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

/// The seed of a bundle's band keys, derived once from its salt.
pub fn band_seed(salt: &Salt) -> u64 {
    let digest = blake3::keyed_hash(salt, b"imageguard band seed");
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest.as_bytes()[..8]);
    u64::from_le_bytes(first)
}

/// Key of one band value of a perceptual filter. Probing computes thousands of these per image, so this is
/// a fast 64-bit mix rather than BLAKE3; it needs to spread values evenly, not to be secret (membership is
/// all a filter ever answers).
#[inline]
pub fn band_key(seed: u64, band: u16, value: u64) -> u64 {
    mix64(mix64(value ^ seed) ^ u64::from(band).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// A strong 64-bit finaliser (Stafford's variant 13, as in SplitMix64).
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
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
        let seed = band_seed(&salt);
        assert_ne!(band_key(seed, 0, 12), band_key(seed, 1, 12));
        assert_ne!(band_key(seed, 0, 12), band_key(seed, 0, 13));
        // Pinned values: these are part of every bundle ever built.
        assert_eq!(mix64(0), 0);
        assert_eq!(mix64(1), 0x5692_161D_100B_05E5);
    }
}
