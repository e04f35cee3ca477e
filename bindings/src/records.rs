//! The core's small enums as uniffi sees them, and a matched list entry.
//!
//! The enums are uniffi *remote* types: each declaration below mirrors the core enum variant for variant,
//! and uniffi generates the FFI conversion for the core type itself, so nothing converts by hand. A
//! variant added in the core and not here fails to compile. `MatchedEntry` stays a mirror: the core holds
//! hashes as bytes, the foreign API as hex.

use crate::ImageGuardError;
use imageguard::pdq::PdqHash;
use imageguard::report;

pub use imageguard::exact::HashKind;
pub use imageguard::filter::MatchStrength;
/// Which rotation/flip of the image matched (PDQ's dihedral variants, in the reference's order).
pub type Variant = imageguard::pdq::Dihedral;

/// Which exact hash a list entry is.
#[uniffi::remote(Enum)]
pub enum HashKind {
    Md5,
    Sha1,
    Sha256,
    Blake3,
    PdqExact,
}

/// How strongly a perceptual match is supported.
#[uniffi::remote(Enum)]
pub enum MatchStrength {
    Strong,
    Weak,
}

/// Which rotation/flip of the image matched (PDQ's dihedral variants, in the reference's order).
#[uniffi::remote(Enum)]
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
                MatchedEntry::Exact { kind: *kind, hash_hex: imageguard::hex::encode(hash) }
            }
            report::MatchedEntry::Perceptual { hash, variant, strength } => MatchedEntry::Perceptual {
                hash_hex: hash.to_hex(),
                variant: *variant,
                strength: *strength,
            },
        }
    }
}

impl TryFrom<MatchedEntry> for report::MatchedEntry {
    type Error = ImageGuardError;

    fn try_from(entry: MatchedEntry) -> Result<Self, ImageGuardError> {
        Ok(match entry {
            MatchedEntry::Exact { kind, hash_hex } => {
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
                variant,
                strength,
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
    fn entries_convert_and_bad_hex_is_an_error() {
        let core = report::MatchedEntry::Exact { kind: HashKind::Md5, hash: vec![0xab; 16] };
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
