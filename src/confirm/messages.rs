//! The two messages of a confirmation, and their canonical bytes (see `docs/FORMAT.md`).
//!
//! Request (device → platform): `"IGCQ"`, version u8 (1), bundle id (u8-length string), bundle sequence
//! u64, nonce [16], bucket count u8 (1..=16) and bucket ids u32 (strictly increasing), then a device stamp
//! flag u8: 0, or 1 followed by the device's public key [32], the time in minutes u32 and an Ed25519
//! signature [64] over every byte before it (domain `imageguard confirm request v1`). The platform uses the
//! stamp to rate-limit per device key; nothing in a request is derived from the image but the bucket ids.
//!
//! Response (platform → device): `"IGCS"`, version u8 (1), bundle id, bundle sequence u64, the request's
//! nonce [16], bucket count u8, then per bucket: id u32, entry count u16, entries (kind id u8 and the hash,
//! whose length the kind fixes; strictly increasing), path length u8 and the path's hashes [32] each.

use super::tree::MAX_BUCKET_BITS;
use super::{ConfirmError, ListedEntry};
use crate::exact::HashKind;
use crate::signing::{SigningKey, VerifyingKey, PUBLIC_KEY_LEN, SIGNATURE_LEN};
use crate::wire::{Reader, Truncated, Writer};

pub const NONCE_LEN: usize = 16;
/// The most buckets one request may ask for (one per perceptual band at most).
pub const MAX_BUCKETS_PER_REQUEST: usize = 16;
/// The most entries a bucket may hold: bounds a response's size and the device's work.
pub const MAX_BUCKET_ENTRIES: usize = 4096;
pub const REQUEST_SIGNATURE_DOMAIN: &str = "imageguard confirm request v1";

const REQUEST_MAGIC: &[u8; 4] = b"IGCQ";
const RESPONSE_MAGIC: &[u8; 4] = b"IGCS";
const VERSION: u8 = 1;

/// Who asks, for the platform's rate limit: a device key, and when (to the minute).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceStamp {
    pub public_key: [u8; PUBLIC_KEY_LEN],
    pub minutes: u32,
}

/// What the device sends: which bundle, which buckets, a fresh nonce. Nothing else about the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmationRequest {
    pub bundle_id: String,
    pub bundle_sequence: u64,
    pub nonce: [u8; NONCE_LEN],
    /// Strictly increasing.
    pub buckets: Vec<u32>,
    pub device: Option<DeviceStamp>,
}

/// One bucket of a response: its full entry list and its Merkle path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketProof {
    pub bucket: u32,
    pub entries: Vec<ListedEntry>,
    pub path: Vec<[u8; 32]>,
}

/// What the platform answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmationResponse {
    pub bundle_id: String,
    pub bundle_sequence: u64,
    pub nonce: [u8; NONCE_LEN],
    pub buckets: Vec<BucketProof>,
}

fn check_buckets(buckets: &[u32], what: &'static str) -> Result<(), ConfirmError> {
    if buckets.is_empty() || buckets.len() > MAX_BUCKETS_PER_REQUEST {
        return Err(ConfirmError::Malformed { what, reason: "1 to 16 buckets" });
    }
    if buckets.windows(2).any(|pair| matches!(pair, [a, b] if a >= b)) {
        return Err(ConfirmError::Malformed { what, reason: "bucket ids must be strictly increasing" });
    }
    Ok(())
}

fn id_string(bytes: &[u8], what: &'static str) -> Result<String, ConfirmError> {
    if bytes.is_empty() || bytes.len() > 64 {
        return Err(ConfirmError::Malformed { what, reason: "bundle id must be 1 to 64 bytes" });
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| ConfirmError::Malformed { what, reason: "bundle id is not UTF-8" })
}

impl ConfirmationRequest {
    /// A request with a fresh random nonce.
    pub fn new(bundle_id: &str, bundle_sequence: u64, mut buckets: Vec<u32>) -> Result<ConfirmationRequest, ConfirmError> {
        buckets.sort_unstable();
        buckets.dedup();
        check_buckets(&buckets, "confirmation request")?;
        let mut nonce = [0u8; NONCE_LEN];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut nonce).map_err(|_| ConfirmError::Random)?;
        Ok(ConfirmationRequest { bundle_id: bundle_id.to_string(), bundle_sequence, nonce, buckets, device: None })
    }

    /// The request's bytes, stamped and signed by `device` (at `minutes` since the epoch) when given.
    pub fn to_bytes(&self, device: Option<(&SigningKey, u32)>) -> Vec<u8> {
        let mut w = Writer::new();
        w.raw(REQUEST_MAGIC).u8(VERSION).short_bytes(self.bundle_id.as_bytes()).u64(self.bundle_sequence);
        w.raw(&self.nonce).u8(self.buckets.len() as u8);
        for bucket in &self.buckets {
            w.u32(*bucket);
        }
        match device {
            None => {
                w.u8(0);
            }
            Some((key, minutes)) => {
                w.u8(1).raw(&key.public_key()).u32(minutes);
                let signature = key.sign(REQUEST_SIGNATURE_DOMAIN, &w.bytes);
                w.raw(&signature);
            }
        }
        w.bytes
    }

    /// Parses a request and checks its device signature, if it has one.
    pub fn from_bytes(bytes: &[u8]) -> Result<ConfirmationRequest, ConfirmError> {
        const WHAT: &str = "confirmation request";
        let t = |_: Truncated| ConfirmError::Truncated { what: WHAT };
        let mut r = Reader::new(bytes);
        if r.take(4).map_err(t)? != REQUEST_MAGIC || r.u8().map_err(t)? != VERSION {
            return Err(ConfirmError::BadMagic { what: WHAT });
        }
        let bundle_id = id_string(r.short_bytes().map_err(t)?, WHAT)?;
        let bundle_sequence = r.u64().map_err(t)?;
        let nonce = r.array().map_err(t)?;
        let count = usize::from(r.u8().map_err(t)?);
        let mut buckets = Vec::with_capacity(count.min(MAX_BUCKETS_PER_REQUEST));
        for _ in 0..count.min(MAX_BUCKETS_PER_REQUEST + 1) {
            buckets.push(r.u32().map_err(t)?);
        }
        check_buckets(&buckets, WHAT)?;
        let device = match r.u8().map_err(t)? {
            0 => None,
            1 => {
                let public_key: [u8; PUBLIC_KEY_LEN] = r.array().map_err(t)?;
                let minutes = r.u32().map_err(t)?;
                let signed = bytes.get(..r.position()).ok_or(ConfirmError::Truncated { what: WHAT })?;
                let signature = r.take(SIGNATURE_LEN).map_err(t)?;
                let key = VerifyingKey::from_bytes(&public_key).map_err(|_| ConfirmError::BadRequestSignature)?;
                if !key.verify(REQUEST_SIGNATURE_DOMAIN, signed, signature) {
                    return Err(ConfirmError::BadRequestSignature);
                }
                Some(DeviceStamp { public_key, minutes })
            }
            _ => return Err(ConfirmError::Malformed { what: WHAT, reason: "unknown device stamp" }),
        };
        if !r.is_empty() {
            return Err(ConfirmError::Malformed { what: WHAT, reason: "trailing bytes" });
        }
        Ok(ConfirmationRequest { bundle_id, bundle_sequence, nonce, buckets, device })
    }
}

impl ConfirmationResponse {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.raw(RESPONSE_MAGIC).u8(VERSION).short_bytes(self.bundle_id.as_bytes()).u64(self.bundle_sequence);
        w.raw(&self.nonce).u8(self.buckets.len() as u8);
        for bucket in &self.buckets {
            w.u32(bucket.bucket).u16(bucket.entries.len() as u16);
            for entry in &bucket.entries {
                w.u8(entry.kind.id()).raw(&entry.hash);
            }
            w.u8(bucket.path.len() as u8);
            for node in &bucket.path {
                w.raw(node);
            }
        }
        w.bytes
    }

    /// Parses a response within fixed bounds. Its proofs are checked by [`super::verify_response`].
    pub fn from_bytes(bytes: &[u8]) -> Result<ConfirmationResponse, ConfirmError> {
        const WHAT: &str = "confirmation response";
        let t = |_: Truncated| ConfirmError::Truncated { what: WHAT };
        let malformed = |reason| ConfirmError::Malformed { what: WHAT, reason };
        let mut r = Reader::new(bytes);
        if r.take(4).map_err(t)? != RESPONSE_MAGIC || r.u8().map_err(t)? != VERSION {
            return Err(ConfirmError::BadMagic { what: WHAT });
        }
        let bundle_id = id_string(r.short_bytes().map_err(t)?, WHAT)?;
        let bundle_sequence = r.u64().map_err(t)?;
        let nonce = r.array().map_err(t)?;
        let count = usize::from(r.u8().map_err(t)?);
        if count == 0 || count > MAX_BUCKETS_PER_REQUEST {
            return Err(malformed("1 to 16 buckets"));
        }
        let mut buckets = Vec::with_capacity(count);
        for _ in 0..count {
            let bucket = r.u32().map_err(t)?;
            let entry_count = usize::from(r.u16().map_err(t)?);
            if entry_count > MAX_BUCKET_ENTRIES {
                return Err(ConfirmError::BucketTooLarge { bucket, entries: entry_count, max: MAX_BUCKET_ENTRIES });
            }
            let mut entries: Vec<ListedEntry> = Vec::with_capacity(entry_count);
            for _ in 0..entry_count {
                let kind = HashKind::from_id(r.u8().map_err(t)?).ok_or(malformed("unknown hash kind"))?;
                let entry = ListedEntry { kind, hash: r.take(kind.len()).map_err(t)?.to_vec() };
                if entries.last().is_some_and(|last| *last >= entry) {
                    return Err(malformed("entries must be strictly increasing"));
                }
                entries.push(entry);
            }
            let depth = r.u8().map_err(t)?;
            if depth > MAX_BUCKET_BITS {
                return Err(malformed("path too long"));
            }
            let path = (0..depth).map(|_| r.array()).collect::<Result<Vec<[u8; 32]>, _>>().map_err(t)?;
            buckets.push(BucketProof { bucket, entries, path });
        }
        if !r.is_empty() {
            return Err(malformed("trailing bytes"));
        }
        Ok(ConfirmationResponse { bundle_id, bundle_sequence, nonce, buckets })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip_and_a_changed_byte_breaks_the_device_signature() {
        let key = SigningKey::generate().unwrap();
        let request = ConfirmationRequest::new("b", 7, vec![9, 3, 9]).unwrap();
        assert_eq!(request.buckets, vec![3, 9]);
        let bytes = request.to_bytes(Some((&key, 1234)));
        let parsed = ConfirmationRequest::from_bytes(&bytes).unwrap();
        assert_eq!(parsed.device, Some(DeviceStamp { public_key: key.public_key(), minutes: 1234 }));
        assert_eq!(ConfirmationRequest { device: None, ..parsed }, request);
        let mut tampered = bytes.clone();
        tampered[20] ^= 1;
        assert!(ConfirmationRequest::from_bytes(&tampered).is_err());
        for cut in 0..bytes.len() {
            assert!(ConfirmationRequest::from_bytes(&bytes[..cut]).is_err());
        }
        assert_ne!(ConfirmationRequest::new("b", 7, vec![1]).unwrap().nonce, request.nonce, "nonces are fresh");
    }

    #[test]
    fn responses_round_trip_and_refuse_unsorted_entries() {
        let entry = |b| ListedEntry { kind: HashKind::Md5, hash: vec![b; 16] };
        let response = ConfirmationResponse {
            bundle_id: "b".into(),
            bundle_sequence: 1,
            nonce: [5; NONCE_LEN],
            buckets: vec![BucketProof { bucket: 2, entries: vec![entry(1), entry(2)], path: vec![[0; 32]; 3] }],
        };
        let bytes = response.to_bytes();
        assert_eq!(ConfirmationResponse::from_bytes(&bytes), Ok(response.clone()));
        let unsorted = ConfirmationResponse {
            buckets: vec![BucketProof { bucket: 2, entries: vec![entry(2), entry(1)], path: vec![] }],
            ..response
        };
        assert!(matches!(ConfirmationResponse::from_bytes(&unsorted.to_bytes()), Err(ConfirmError::Malformed { .. })));
        for cut in 0..bytes.len() {
            assert!(ConfirmationResponse::from_bytes(&bytes[..cut]).is_err());
        }
    }
}
