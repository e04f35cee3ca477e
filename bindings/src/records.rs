//! Foreign-facing mirrors of the core's small enums and of a matched list entry.
//!
//! The core types carry Rust-only conveniences (byte arrays, `Copy` discriminants used in file formats);
//! these mirrors are what uniffi can express. Conversions are total in both directions, except parsing
//! foreign hex, which is checked.

use crate::ImageGuardError;
use imageguard::exact;
use imageguard::pdq::{Dihedral, PdqHash};
use imageguard::report;

/// Which exact hash a list entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HashKind {
    Md5,
    Sha1,
    Sha256,
    Blake3,
    PdqExact,
}

impl From<exact::HashKind> for HashKind {
    fn from(kind: exact::HashKind) -> Self {
        match kind {
            exact::HashKind::Md5 => HashKind::Md5,
            exact::HashKind::Sha1 => HashKind::Sha1,
            exact::HashKind::Sha256 => HashKind::Sha256,
            exact::HashKind::Blake3 => HashKind::Blake3,
            exact::HashKind::PdqExact => HashKind::PdqExact,
        }
    }
}

impl From<HashKind> for exact::HashKind {
    fn from(kind: HashKind) -> Self {
        match kind {
            HashKind::Md5 => exact::HashKind::Md5,
            HashKind::Sha1 => exact::HashKind::Sha1,
            HashKind::Sha256 => exact::HashKind::Sha256,
            HashKind::Blake3 => exact::HashKind::Blake3,
            HashKind::PdqExact => exact::HashKind::PdqExact,
        }
    }
}

/// How strongly a perceptual match is supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MatchStrength {
    Strong,
    Weak,
}

impl From<report::MatchStrength> for MatchStrength {
    fn from(strength: report::MatchStrength) -> Self {
        match strength {
            report::MatchStrength::Strong => MatchStrength::Strong,
            report::MatchStrength::Weak => MatchStrength::Weak,
        }
    }
}

impl From<MatchStrength> for report::MatchStrength {
    fn from(strength: MatchStrength) -> Self {
        match strength {
            MatchStrength::Strong => report::MatchStrength::Strong,
            MatchStrength::Weak => report::MatchStrength::Weak,
        }
    }
}

/// Which rotation/flip of the image matched (PDQ's dihedral variants, in the reference's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Variant {
    Original,
    Rotate90,
    Rotate180,
    Rotate270,
    FlipX,
    FlipY,
    FlipPlus1,
    FlipMinus1,
}

impl From<Dihedral> for Variant {
    fn from(d: Dihedral) -> Self {
        match d {
            Dihedral::Original => Variant::Original,
            Dihedral::Rotate90 => Variant::Rotate90,
            Dihedral::Rotate180 => Variant::Rotate180,
            Dihedral::Rotate270 => Variant::Rotate270,
            Dihedral::FlipX => Variant::FlipX,
            Dihedral::FlipY => Variant::FlipY,
            Dihedral::FlipPlus1 => Variant::FlipPlus1,
            Dihedral::FlipMinus1 => Variant::FlipMinus1,
        }
    }
}

impl From<Variant> for Dihedral {
    fn from(v: Variant) -> Self {
        match v {
            Variant::Original => Dihedral::Original,
            Variant::Rotate90 => Dihedral::Rotate90,
            Variant::Rotate180 => Dihedral::Rotate180,
            Variant::Rotate270 => Dihedral::Rotate270,
            Variant::FlipX => Dihedral::FlipX,
            Variant::FlipY => Dihedral::FlipY,
            Variant::FlipPlus1 => Dihedral::FlipPlus1,
            Variant::FlipMinus1 => Dihedral::FlipMinus1,
        }
    }
}

/// The list entry a report (or a scan) names. Hashes are lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum MatchedEntry {
    Exact { kind: HashKind, hash_hex: String },
    Perceptual { hash_hex: String, variant: Variant, strength: MatchStrength },
}

impl From<&report::MatchedEntry> for MatchedEntry {
    fn from(entry: &report::MatchedEntry) -> Self {
        match entry {
            report::MatchedEntry::Exact { kind, hash } => {
                MatchedEntry::Exact { kind: (*kind).into(), hash_hex: imageguard::hex::encode(hash) }
            }
            report::MatchedEntry::Perceptual { hash, variant, strength } => MatchedEntry::Perceptual {
                hash_hex: hash.to_hex(),
                variant: (*variant).into(),
                strength: (*strength).into(),
            },
        }
    }
}

impl TryFrom<MatchedEntry> for report::MatchedEntry {
    type Error = ImageGuardError;

    fn try_from(entry: MatchedEntry) -> Result<Self, ImageGuardError> {
        Ok(match entry {
            MatchedEntry::Exact { kind, hash_hex } => {
                let kind = exact::HashKind::from(kind);
                let hash = parse_hex(&hash_hex)?;
                if hash.len() != kind.len() {
                    let (name, len, got) = (kind.name(), kind.len(), hash.len());
                    return Err(ImageGuardError::invalid_argument(format!("a {name} hash is {len} bytes; got {got}")));
                }
                report::MatchedEntry::Exact { kind, hash }
            }
            MatchedEntry::Perceptual { hash_hex, variant, strength } => report::MatchedEntry::Perceptual {
                hash: PdqHash::from_hex(&hash_hex)
                    .map_err(|e| ImageGuardError::invalid_argument(format!("PDQ hash: {e}")))?,
                variant: variant.into(),
                strength: strength.into(),
            },
        })
    }
}

/// Parses lowercase or uppercase hex with an even number of digits.
pub(crate) fn parse_hex(text: &str) -> Result<Vec<u8>, ImageGuardError> {
    imageguard::hex::decode(text).map_err(|e| ImageGuardError::invalid_argument(format!("not a hex string of whole bytes: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_through_the_core() {
        for kind in exact::HashKind::ALL {
            assert_eq!(exact::HashKind::from(HashKind::from(kind)), kind);
        }
        for d in Dihedral::ALL {
            assert_eq!(Dihedral::from(Variant::from(d)), d);
        }
    }

    #[test]
    fn entries_convert_and_bad_hex_is_an_error() {
        let core = report::MatchedEntry::Exact { kind: exact::HashKind::Md5, hash: vec![0xab; 16] };
        let mirror = MatchedEntry::from(&core);
        assert_eq!(mirror, MatchedEntry::Exact { kind: HashKind::Md5, hash_hex: "ab".repeat(16) });
        assert_eq!(report::MatchedEntry::try_from(mirror).unwrap(), core);
        let short = MatchedEntry::Exact { kind: HashKind::Sha256, hash_hex: "ab".repeat(16) };
        assert!(matches!(report::MatchedEntry::try_from(short), Err(ImageGuardError::InvalidArgument { detail }) if detail.contains("32 bytes")));
        assert!(parse_hex("abc").is_err());
        assert!(parse_hex("zz").is_err());
        assert!(parse_hex("é").is_err());
        assert_eq!(parse_hex("00fF").unwrap(), vec![0, 255]);
    }
}
