//! The 256-bit PDQ hash value: its bit layout, text form and Hamming distance.
//!
//! Bit `k` (0..256) of the hash is bit `k % 8` of byte `k / 8`. That is the reference's layout of
//! sixteen little-endian 16-bit words (bit `k` in word `k >> 4` at bit `k & 15`), stored as bytes, so the
//! 64-character hex form (word 15 first) is simply the bytes printed from last to first.

use std::fmt;
use std::str::FromStr;

/// A 256-bit PDQ perceptual hash.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct PdqHash(pub [u8; 32]);

/// Why a PDQ hash's text form was refused (it is 64 hex digits).
pub type PdqHexError = crate::hex::HexError;

impl PdqHash {
    /// Number of bits in a PDQ hash.
    pub const BITS: usize = 256;

    /// The all-zero hash, which the reference gives to images too small to hash.
    pub const ZERO: PdqHash = PdqHash([0; 32]);

    /// Whether bit `k` (0..256) is set.
    #[inline]
    pub fn bit(&self, k: usize) -> bool {
        (self.0[k >> 3] >> (k & 7)) & 1 == 1
    }

    /// Sets bit `k` (0..256).
    #[inline]
    pub fn set_bit(&mut self, k: usize) {
        self.0[k >> 3] |= 1 << (k & 7);
    }

    /// Flips bit `k` (0..256).
    #[inline]
    pub fn flip_bit(&mut self, k: usize) {
        self.0[k >> 3] ^= 1 << (k & 7);
    }

    /// The hash as four little-endian 64-bit words (bit `k` is bit `k % 64` of word `k / 64`).
    #[inline]
    pub fn words(&self) -> [u64; 4] {
        let mut out = [0u64; 4];
        for (word, chunk) in out.iter_mut().zip(self.0.chunks_exact(8)) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(chunk);
            *word = u64::from_le_bytes(bytes);
        }
        out
    }

    /// Number of differing bits.
    #[inline]
    pub fn distance(&self, other: &PdqHash) -> u32 {
        let (a, b) = (self.words(), other.words());
        (0..4).map(|i| (a[i] ^ b[i]).count_ones()).sum()
    }

    /// Number of set bits.
    pub fn count_ones(&self) -> u32 {
        self.words().iter().map(|w| w.count_ones()).sum()
    }

    /// Parses the reference's 64-character hex form (upper or lower case).
    pub fn from_hex(text: &str) -> Result<PdqHash, PdqHexError> {
        // The text is word 15 first, most significant nibble first: the bytes in reverse order.
        let mut bytes = crate::hex::decode_array::<32>(text)?;
        bytes.reverse();
        Ok(PdqHash(bytes))
    }

    /// The reference's text form: 64 lowercase hex characters, word 15 first.
    pub fn to_hex(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(64);
        for &byte in self.0.iter().rev() {
            out.push(HEX[(byte >> 4) as usize] as char);
            out.push(HEX[(byte & 15) as usize] as char);
        }
        out
    }
}

impl fmt::Display for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PdqHash({})", self.to_hex())
    }
}

impl FromStr for PdqHash {
    type Err = PdqHexError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PdqHash::from_hex(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";

    #[test]
    fn hex_round_trips() {
        let hash = PdqHash::from_hex(SAMPLE).unwrap();
        assert_eq!(hash.to_hex(), SAMPLE);
        assert_eq!(PdqHash::from_hex(&SAMPLE.to_uppercase()).unwrap(), hash);
    }

    #[test]
    fn bit_layout_matches_reference_words() {
        // Word 0 is the last four hex digits ("9b22"); bit k of the hash is bit k of that word.
        let hash = PdqHash::from_hex(SAMPLE).unwrap();
        let word0 = 0x9b22u16;
        for k in 0..16 {
            assert_eq!(hash.bit(k), (word0 >> k) & 1 == 1, "bit {k}");
        }
        // Word 15 is the first four hex digits ("d8f8").
        let word15 = 0xd8f8u16;
        for k in 0..16 {
            assert_eq!(hash.bit(240 + k), (word15 >> k) & 1 == 1, "bit {}", 240 + k);
        }
    }

    #[test]
    fn hex_errors_are_specific() {
        let wrong_length = |found| Err(PdqHexError::WrongLength { expected: 64, found });
        assert_eq!(PdqHash::from_hex(""), wrong_length(0));
        assert_eq!(PdqHash::from_hex(&SAMPLE[..63]), wrong_length(63));
        assert_eq!(PdqHash::from_hex(&format!("{SAMPLE}0")), wrong_length(65));
        let mut bad = SAMPLE.to_string();
        bad.replace_range(10..11, "g");
        assert_eq!(PdqHash::from_hex(&bad), Err(PdqHexError::NotHex { position: 10 }));
        assert!(PdqHash::from_hex(&format!("+{}", &SAMPLE[1..])).is_err());
        // A multi-byte character must not panic on slicing.
        let unicode = format!("é{}", &SAMPLE[..62]);
        assert!(PdqHash::from_hex(&unicode).is_err());
        assert!(PdqHash::from_hex(&format!(" {}", &SAMPLE[..63])).is_err());
    }

    #[test]
    fn distance_counts_differing_bits() {
        let a = PdqHash::from_hex(SAMPLE).unwrap();
        let mut b = a;
        assert_eq!(a.distance(&b), 0);
        for k in [0, 63, 64, 200, 255] {
            b.flip_bit(k);
        }
        assert_eq!(a.distance(&b), 5);
        assert_eq!(PdqHash::ZERO.distance(&PdqHash([0xff; 32])), 256);
    }
}
