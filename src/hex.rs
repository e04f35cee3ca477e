//! Hex text for hashes, keys and ids: the one place imageguard reads and writes it.
//!
//! Hash lists, public key files and the CLI's output use lowercase hex; input may be either case. Parsing
//! is strict: only hex digits, an even count, and (for fixed-size values) exactly the right length. Signs,
//! spaces and `0x` prefixes are refused (`u8::from_str_radix` would accept `+f`). Built on the `hex` crate.
//! PDQ's text form has its own word order and lives in [`crate::pdq::PdqHash::from_hex`], on top of this.

/// Why a hex string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HexError {
    #[error("expected {expected} hex characters, found {found}")]
    WrongLength { expected: usize, found: usize },
    #[error("an odd number of hex characters ({found})")]
    OddLength { found: usize },
    #[error("character {position} is not a hex digit")]
    NotHex { position: usize },
}

fn from_crate_error(error: ::hex::FromHexError, found: usize) -> HexError {
    match error {
        ::hex::FromHexError::InvalidHexCharacter { index, .. } => HexError::NotHex { position: index },
        ::hex::FromHexError::OddLength => HexError::OddLength { found },
        ::hex::FromHexError::InvalidStringLength => HexError::OddLength { found },
    }
}

/// Lowercase hex.
pub fn encode(bytes: &[u8]) -> String {
    ::hex::encode(bytes)
}

/// Any number of whole bytes.
pub fn decode(text: &str) -> Result<Vec<u8>, HexError> {
    ::hex::decode(text).map_err(|e| from_crate_error(e, text.len()))
}

/// Exactly `N` bytes (`2N` hex digits).
pub fn decode_array<const N: usize>(text: &str) -> Result<[u8; N], HexError> {
    if text.len() != 2 * N {
        return Err(HexError::WrongLength { expected: 2 * N, found: text.chars().count() });
    }
    let mut out = [0u8; N];
    ::hex::decode_to_slice(text, &mut out).map_err(|e| from_crate_error(e, text.len()))?;
    Ok(out)
}

/// Exactly `len` bytes, for lengths known at run time (hash kinds).
pub fn decode_len(text: &str, len: usize) -> Result<Vec<u8>, HexError> {
    if text.len() != 2 * len {
        return Err(HexError::WrongLength { expected: 2 * len, found: text.chars().count() });
    }
    decode(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_accepts_either_case() {
        assert_eq!(encode(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(decode("00ABff").unwrap(), vec![0x00, 0xab, 0xff]);
        assert_eq!(decode_array::<2>("beef").unwrap(), [0xbe, 0xef]);
        assert_eq!(decode("").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn refuses_signs_spaces_prefixes_and_bad_lengths() {
        for text in ["+0+0", "-1", " 0ab", "0a b", "0x0a", "zz", "é0"] {
            assert!(decode(text).is_err(), "{text:?} must be refused");
        }
        assert_eq!(decode("abc"), Err(HexError::OddLength { found: 3 }));
        assert_eq!(decode("0g"), Err(HexError::NotHex { position: 1 }));
        assert_eq!(decode_array::<2>("abcdef"), Err(HexError::WrongLength { expected: 4, found: 6 }));
        assert_eq!(decode_len("+0+0", 2), Err(HexError::NotHex { position: 0 }));
    }
}
