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
pub enum KeyError {
    #[error("not a valid Ed25519 PKCS#8 private key: {0}")]
    InvalidPkcs8(String),
    #[error("the system random number generator failed")]
    Random,
    #[error("a public key is {PUBLIC_KEY_LEN} bytes; got {0}")]
    BadPublicKeyLength(usize),
}

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
            .map_err(|e| KeyError::InvalidPkcs8(e.to_string()))?;
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
    pub fn from_bytes(bytes: &[u8]) -> Result<VerifyingKey, KeyError> {
        let bytes: [u8; PUBLIC_KEY_LEN] = bytes.try_into().map_err(|_| KeyError::BadPublicKeyLength(bytes.len()))?;
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
}
