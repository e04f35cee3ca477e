//! Ed25519 keys and signatures, shared by bundles (list providers' keys) and reports (device keys).
//!
//! Every signature is over `domain || 0x00 || message`, so a signature made for one purpose (a bundle root)
//! can never be replayed as another (a report). Keys are named by a [`KeyId`]: the first 8 bytes of
//! BLAKE3 over the 32-byte public key, which is short enough to put in every signature block and report.
//! Private keys travel as PKCS#8 so that apps can keep them in the Android Keystore or iOS Keychain; the
//! copies this crate holds are wiped when dropped.

// Untrusted input flows through here: no panicking shortcuts outside tests (checked by clippy in CI).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

use ring::signature::{self, Ed25519KeyPair, KeyPair as _};
use zeroize::Zeroizing;

/// Length of an Ed25519 public key.
pub const PUBLIC_KEY_LEN: usize = 32;
/// Length of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// Names a public key: the first 8 bytes of BLAKE3(public key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub [u8; 8]);

impl KeyId {
    pub fn of(public_key: &[u8; PUBLIC_KEY_LEN]) -> KeyId {
        let digest = blake3::hash(public_key);
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest.as_bytes()[..8]);
        KeyId(id)
    }

    pub fn to_hex(&self) -> String {
        crate::hex::encode(&self.0)
    }
}

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("not a valid Ed25519 PKCS#8 private key: {0}")]
    InvalidPkcs8(#[source] Pkcs8Rejected),
    #[error("the system random number generator failed")]
    Random,
    #[error("a public key is {PUBLIC_KEY_LEN} bytes; got {0}")]
    BadPublicKeyLength(usize),
    /// One of the 8 points of small order (the identity among them): signatures under such a key can be
    /// forged without any private key, e.g. R = identity, S = 0 "verifies" every message.
    #[error("the public key is a point of small order (order {order}), under which signatures can be forged")]
    SmallOrderPublicKey { order: u8 },
    /// The encoded y coordinate is not below the field prime, or x = 0 is encoded with its sign bit set:
    /// a second encoding of a point, which RFC 8032 decoders must refuse.
    #[error("the public key is not a canonical Ed25519 encoding")]
    NonCanonicalPublicKey,
}

/// ring's refusal of a PKCS#8 document: its fixed reason ("InvalidEncoding", "WrongAlgorithm"...), never
/// key material. Two are equal when their reasons are.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("{0}")]
pub struct Pkcs8Rejected(ring::error::KeyRejected);

impl PartialEq for Pkcs8Rejected {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_string() == other.0.to_string()
    }
}

impl Eq for Pkcs8Rejected {}

/// An Ed25519 private key.
pub struct SigningKey {
    pair: Ed25519KeyPair,
    pkcs8: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.key_id())
    }
}

impl SigningKey {
    /// A fresh key from the system's secure random generator.
    pub fn generate() -> Result<SigningKey, KeyError> {
        let rng = ring::rand::SystemRandom::new();
        let document = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| KeyError::Random)?;
        SigningKey::from_pkcs8(document.as_ref())
    }

    /// Imports a PKCS#8 (v1 or v2) Ed25519 private key.
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<SigningKey, KeyError> {
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8)
            .map_err(|e| KeyError::InvalidPkcs8(Pkcs8Rejected(e)))?;
        let mut public = [0u8; PUBLIC_KEY_LEN];
        public.copy_from_slice(pair.public_key().as_ref());
        check_public_key(&public)?;
        Ok(SigningKey { pair, pkcs8: Zeroizing::new(pkcs8.to_vec()) })
    }

    /// The PKCS#8 bytes, in a buffer that is wiped when dropped.
    pub fn to_pkcs8(&self) -> Zeroizing<Vec<u8>> {
        self.pkcs8.clone()
    }

    pub fn public_key(&self) -> [u8; PUBLIC_KEY_LEN] {
        let mut key = [0u8; PUBLIC_KEY_LEN];
        key.copy_from_slice(self.pair.public_key().as_ref());
        key
    }

    pub fn key_id(&self) -> KeyId {
        KeyId::of(&self.public_key())
    }

    /// The public half, for verifiers.
    pub fn verifying_key(&self) -> VerifyingKey {
        let bytes = self.public_key();
        VerifyingKey { bytes, id: KeyId::of(&bytes) }
    }

    /// Signs `message` for `domain` (see the module doc).
    pub fn sign(&self, domain: &str, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        let mut signature = [0u8; SIGNATURE_LEN];
        signature.copy_from_slice(self.pair.sign(&domain_message(domain, message)).as_ref());
        signature
    }
}

/// A public key that signatures are checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerifyingKey {
    bytes: [u8; PUBLIC_KEY_LEN],
    id: KeyId,
}

impl VerifyingKey {
    /// A public key from its 32-byte encoding. Small-order and non-canonical encodings are refused
    /// ([`check_public_key`]): `ring`'s verification accepts them.
    pub fn from_bytes(bytes: &[u8]) -> Result<VerifyingKey, KeyError> {
        let bytes: [u8; PUBLIC_KEY_LEN] = bytes.try_into().map_err(|_| KeyError::BadPublicKeyLength(bytes.len()))?;
        check_public_key(&bytes)?;
        Ok(VerifyingKey { bytes, id: KeyId::of(&bytes) })
    }

    pub fn bytes(&self) -> &[u8; PUBLIC_KEY_LEN] {
        &self.bytes
    }

    pub fn key_id(&self) -> KeyId {
        self.id
    }

    /// Whether `signature` is this key's signature of `message` for `domain`.
    pub fn verify(&self, domain: &str, message: &[u8], signature: &[u8]) -> bool {
        signature::UnparsedPublicKey::new(&signature::ED25519, &self.bytes)
            .verify(&domain_message(domain, message), signature)
            .is_ok()
    }
}

impl From<&SigningKey> for VerifyingKey {
    fn from(key: &SigningKey) -> VerifyingKey {
        let bytes = key.public_key();
        VerifyingKey { bytes, id: KeyId::of(&bytes) }
    }
}

/// The field prime p = 2^255 - 19, little-endian.
const FIELD_PRIME: [u8; 32] = {
    let mut p = [0xff; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    p
};

/// The y coordinates (sign bit cleared) of the 8 points of small order, with their order. The two
/// order-8 values are those every Ed25519 library lists (e.g. libsodium's blocklist); each stands for two
/// points (x and -x), as does y = 0 (order 4).
const SMALL_ORDER_Y: [([u8; 32], u8); 5] = [
    (y_from_low(1), 1),
    (
        [
            0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
        ],
        2,
    ),
    (y_from_low(0), 4),
    (
        [
            0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf,
            0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05,
        ],
        8,
    ),
    (
        [
            0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20,
            0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a,
        ],
        8,
    ),
];

const fn y_from_low(low: u8) -> [u8; 32] {
    let mut y = [0u8; 32];
    y[0] = low;
    y
}

/// Refuses the public keys under which Ed25519 signatures prove nothing: the 8 points of small order
/// (any encoding of them) and non-canonical encodings (y >= p, or x = 0 with the sign bit set).
pub fn check_public_key(bytes: &[u8; PUBLIC_KEY_LEN]) -> Result<(), KeyError> {
    let mut y = *bytes;
    let sign = y[31] >> 7;
    y[31] &= 0x7f;
    // Little-endian comparison with p: compare from the most significant byte.
    if y.iter().rev().cmp(FIELD_PRIME.iter().rev()) != std::cmp::Ordering::Less {
        return Err(KeyError::NonCanonicalPublicKey);
    }
    if let Some((_, order)) = SMALL_ORDER_Y.iter().find(|(small, _)| *small == y) {
        // y = 1 and y = -1 have x = 0, for which a set sign bit is a second (invalid) encoding.
        if sign == 1 && *order <= 2 {
            return Err(KeyError::NonCanonicalPublicKey);
        }
        return Err(KeyError::SmallOrderPublicKey { order: *order });
    }
    Ok(())
}

fn domain_message(domain: &str, message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(domain.len() + 1 + message.len());
    out.extend_from_slice(domain.as_bytes());
    out.push(0);
    out.extend_from_slice(message);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_domain_separation() {
        let key = SigningKey::generate().unwrap();
        let public = VerifyingKey::from(&key);
        let signature = key.sign("imageguard test", b"message");
        assert!(public.verify("imageguard test", b"message", &signature));
        assert!(!public.verify("imageguard other", b"message", &signature));
        assert!(!public.verify("imageguard test", b"messagE", &signature));
        let other = VerifyingKey::from(&SigningKey::generate().unwrap());
        assert!(!other.verify("imageguard test", b"message", &signature));
    }

    #[test]
    fn pkcs8_round_trip_keeps_the_key() {
        let key = SigningKey::generate().unwrap();
        let again = SigningKey::from_pkcs8(&key.to_pkcs8()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        assert_eq!(again.key_id(), key.key_id());
        assert!(matches!(SigningKey::from_pkcs8(b"not a key"), Err(KeyError::InvalidPkcs8(_))));
        assert_eq!(VerifyingKey::from_bytes(&[0; 31]), Err(KeyError::BadPublicKeyLength(31)));
    }

    fn with_sign(mut y: [u8; 32]) -> [u8; 32] {
        y[31] |= 0x80;
        y
    }

    #[test]
    fn the_identity_key_is_refused_although_ring_accepts_a_forged_signature_under_it() {
        let identity = y_from_low(1);
        // R = identity (encoded as y = 1), S = 0: ring "verifies" it for any message.
        let mut forged = [0u8; SIGNATURE_LEN];
        forged[0] = 1;
        let accepted = signature::UnparsedPublicKey::new(&signature::ED25519, &identity)
            .verify(&domain_message("imageguard report v1", b"anything"), &forged)
            .is_ok();
        assert!(accepted, "the vector no longer shows ring's behaviour");
        assert_eq!(VerifyingKey::from_bytes(&identity), Err(KeyError::SmallOrderPublicKey { order: 1 }));
    }

    #[test]
    fn all_eight_small_order_points_are_refused() {
        let [one, minus_one, zero, eight_a, eight_b] = SMALL_ORDER_Y.map(|(y, _)| y);
        let cases = [
            (one, 1),
            (minus_one, 2),
            (zero, 4),
            (with_sign(zero), 4),
            (eight_a, 8),
            (with_sign(eight_a), 8),
            (eight_b, 8),
            (with_sign(eight_b), 8),
        ];
        for (encoding, order) in cases {
            assert_eq!(VerifyingKey::from_bytes(&encoding), Err(KeyError::SmallOrderPublicKey { order }), "{encoding:02x?}");
        }
    }

    #[test]
    fn non_canonical_encodings_are_refused() {
        let p = FIELD_PRIME;
        let mut p_plus_one = p;
        p_plus_one[0] += 1;
        let mut all_ones = [0xff; 32];
        all_ones[31] = 0x7f;
        for encoding in [p, p_plus_one, all_ones, with_sign(p), with_sign(y_from_low(1)), with_sign(SMALL_ORDER_Y[1].0)] {
            assert_eq!(VerifyingKey::from_bytes(&encoding), Err(KeyError::NonCanonicalPublicKey), "{encoding:02x?}");
        }
        let real = SigningKey::generate().unwrap().public_key();
        assert!(VerifyingKey::from_bytes(&real).is_ok());
    }
}
