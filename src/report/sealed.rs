//! Reports encrypted to the platform and padded to one size, so that the network learns only "a report
//! was sent".
//!
//! A signed report (any report: at most [`MAX_REPORT_LEN`] bytes) is prefixed with its length (u16),
//! zero-padded to [`PADDED_LEN`] bytes and sealed with HPKE (RFC 9180, base mode) to the platform's
//! report key, which travels in the signed bundle (section 7): DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
//! ChaCha20-Poly1305, through the `hpke` crate. Sealed bytes: `"IGSR"`, version u8 (1), the encapsulated
//! key [32], the ciphertext ([`PADDED_LEN`] + 16 bytes): always [`SEALED_LEN`] bytes.

use super::ReportError;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};

/// The longest report the codec can produce: ids of 64 bytes, a 1024-byte context, and a video's counts
/// and six more frames (1296 bytes for a still image).
pub const MAX_REPORT_LEN: usize = 1296 + 3 + 6 * 35;
/// Plaintext size after padding: the length prefix and the report, then zeros.
pub const PADDED_LEN: usize = 1536;
const MAGIC: &[u8; 4] = b"IGSR";
const VERSION: u8 = 1;
const HEADER_LEN: usize = 5;
const ENCAPPED_LEN: usize = 32;
const TAG_LEN: usize = 16;
/// Every sealed report has this size.
pub const SEALED_LEN: usize = HEADER_LEN + ENCAPPED_LEN + PADDED_LEN + TAG_LEN;
const INFO: &[u8] = b"imageguard sealed report v1";

/// A platform's report key pair (X25519). The private half never leaves the platform.
pub struct ReportKeyPair {
    private: zeroize::Zeroizing<[u8; 32]>,
    public: [u8; 32],
}

impl ReportKeyPair {
    pub fn generate() -> Result<ReportKeyPair, ReportError> {
        let mut ikm = zeroize::Zeroizing::new([0u8; 32]);
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut ikm[..]).map_err(|_| ReportError::Random)?;
        let (private, public) = X25519HkdfSha256::derive_keypair(&ikm[..]);
        let mut private_bytes = zeroize::Zeroizing::new([0u8; 32]);
        private_bytes.copy_from_slice(&private.to_bytes());
        let mut public_bytes = [0u8; 32];
        public_bytes.copy_from_slice(&public.to_bytes());
        Ok(ReportKeyPair { private: private_bytes, public: public_bytes })
    }

    pub fn from_private(private: &[u8; 32]) -> Result<ReportKeyPair, ReportError> {
        let key = <X25519HkdfSha256 as hpke::Kem>::PrivateKey::from_bytes(private)
            .map_err(|_| ReportError::InvalidField("report private key"))?;
        let mut public = [0u8; 32];
        public.copy_from_slice(&X25519HkdfSha256::sk_to_pk(&key).to_bytes());
        Ok(ReportKeyPair { private: zeroize::Zeroizing::new(*private), public })
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.public
    }

    pub fn private_key(&self) -> &[u8; 32] {
        &self.private
    }
}

/// Seals a signed report to the platform's public report key.
pub fn seal_report(report: &[u8], platform_key: &[u8; 32]) -> Result<Vec<u8>, ReportError> {
    if report.len() > MAX_REPORT_LEN {
        return Err(ReportError::InvalidField("report too long to seal"));
    }
    let public = <X25519HkdfSha256 as hpke::Kem>::PublicKey::from_bytes(platform_key)
        .map_err(|_| ReportError::InvalidField("platform report key"))?;
    let mut padded = zeroize::Zeroizing::new(vec![0u8; PADDED_LEN]);
    let (prefix, body) = padded.split_at_mut(2);
    prefix.copy_from_slice(&(report.len() as u16).to_le_bytes());
    body.get_mut(..report.len()).ok_or(ReportError::InvalidField("report too long to seal"))?.copy_from_slice(report);
    let mut header = Vec::with_capacity(SEALED_LEN);
    header.extend_from_slice(MAGIC);
    header.push(VERSION);
    let mut rng = rand_core::UnwrapErr(rand_core::OsRng);
    let (encapped, ciphertext) = hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256, _>(
        &OpModeS::Base,
        &public,
        INFO,
        &padded,
        &header,
        &mut rng,
    )
    .map_err(|_| ReportError::Random)?;
    let mut out = header;
    out.extend_from_slice(&encapped.to_bytes());
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// Opens a sealed report with the platform's key pair: the signed report inside (verify it with
/// [`super::verify_report`]).
pub fn open_report(sealed: &[u8], key: &ReportKeyPair) -> Result<Vec<u8>, ReportError> {
    if sealed.len() != SEALED_LEN {
        return Err(ReportError::Truncated);
    }
    let (header, rest) = sealed.split_at(HEADER_LEN);
    if header.get(..4) != Some(&MAGIC[..]) || header.get(4) != Some(&VERSION) {
        return Err(ReportError::BadMagic);
    }
    let (encapped, ciphertext) = rest.split_at(ENCAPPED_LEN);
    let encapped = <X25519HkdfSha256 as hpke::Kem>::EncappedKey::from_bytes(encapped).map_err(|_| ReportError::BadSignature)?;
    let private = <X25519HkdfSha256 as hpke::Kem>::PrivateKey::from_bytes(&key.private[..])
        .map_err(|_| ReportError::InvalidField("report private key"))?;
    let padded = zeroize::Zeroizing::new(
        hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
            &OpModeR::Base,
            &private,
            &encapped,
            INFO,
            ciphertext,
            header,
        )
        .map_err(|_| ReportError::BadSignature)?,
    );
    let prefix: [u8; 2] = padded.get(..2).and_then(|b| b.try_into().ok()).ok_or(ReportError::Truncated)?;
    let len = usize::from(u16::from_le_bytes(prefix));
    let report = padded.get(2..2 + len).ok_or(ReportError::InvalidField("sealed report length"))?;
    if padded.get(2 + len..).is_some_and(|tail| tail.iter().any(|&b| b != 0)) {
        return Err(ReportError::InvalidField("sealed report padding"));
    }
    Ok(report.to_vec())
}

const SECTION_VERSION: u8 = 1;
/// RFC 9180 ids of the suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305.
const SUITE: [u16; 3] = [0x0020, 0x0001, 0x0003];

/// The bundle's report-key section (kind 7): version u8 (1), KEM, KDF and AEAD ids u16, public key [32].
pub fn report_key_section(public: &[u8; 32]) -> Vec<u8> {
    let mut w = crate::wire::Writer::new();
    w.u8(SECTION_VERSION);
    for id in SUITE {
        w.u16(id);
    }
    w.raw(public);
    w.bytes
}

pub fn parse_report_key_section(bytes: &[u8]) -> Result<[u8; 32], ReportError> {
    let mut r = crate::wire::Reader::new(bytes);
    if r.u8().map_err(|_| ReportError::Truncated)? != SECTION_VERSION {
        return Err(ReportError::InvalidField("report key section version"));
    }
    for id in SUITE {
        if r.u16().map_err(|_| ReportError::Truncated)? != id {
            return Err(ReportError::InvalidField("unsupported HPKE suite"));
        }
    }
    let key = r.array().map_err(|_| ReportError::Truncated)?;
    if !r.is_empty() {
        return Err(ReportError::InvalidField("report key section has trailing bytes"));
    }
    <X25519HkdfSha256 as hpke::Kem>::PublicKey::from_bytes(&key).map_err(|_| ReportError::InvalidField("platform report key"))?;
    Ok(key)
}
