//! The commitment section of a bundle: how many bucket bits, and the Merkle root over all buckets.
//!
//! Payload: version u8 (1), bucket bits u8, root [32], lookup keys u64 (informational: how many keys the
//! buckets hold, for `bundle inspect`).

use super::tree::{MAX_BUCKET_BITS, MIN_BUCKET_BITS};
use super::ConfirmError;
use crate::wire::{Reader, Writer};

const VERSION: u8 = 1;
const WHAT: &str = "commitment section";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commitment {
    pub bucket_bits: u8,
    pub root: [u8; 32],
    pub keys: u64,
}

impl Commitment {
    pub fn to_section_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u8(VERSION).u8(self.bucket_bits).raw(&self.root).u64(self.keys);
        w.bytes
    }

    pub fn from_section_bytes(bytes: &[u8]) -> Result<Commitment, ConfirmError> {
        let truncated = |_| ConfirmError::Truncated { what: WHAT };
        let mut r = Reader::new(bytes);
        if r.u8().map_err(truncated)? != VERSION {
            return Err(ConfirmError::BadMagic { what: WHAT });
        }
        let bucket_bits = r.u8().map_err(truncated)?;
        if !(MIN_BUCKET_BITS..=MAX_BUCKET_BITS).contains(&bucket_bits) {
            return Err(ConfirmError::Malformed { what: WHAT, reason: "bucket bits out of range" });
        }
        let root = r.array().map_err(truncated)?;
        let keys = r.u64().map_err(truncated)?;
        if !r.is_empty() {
            return Err(ConfirmError::Malformed { what: WHAT, reason: "trailing bytes" });
        }
        Ok(Commitment { bucket_bits, root, keys })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_bad_bits() {
        let c = Commitment { bucket_bits: 18, root: [9; 32], keys: 1_000_000 };
        assert_eq!(Commitment::from_section_bytes(&c.to_section_bytes()), Ok(c));
        let mut bad = c.to_section_bytes();
        bad[1] = 25;
        assert!(matches!(Commitment::from_section_bytes(&bad), Err(ConfirmError::Malformed { .. })));
        assert!(matches!(Commitment::from_section_bytes(&c.to_section_bytes()[..10]), Err(ConfirmError::Truncated { .. })));
    }
}
