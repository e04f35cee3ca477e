//! Exact (cryptographic) hashes of an image's encoded bytes.
//!
//! BLAKE3 is always computed: it is fast and is what imageguard's own lists use. MD5, SHA-1 and SHA-256 are
//! computed on request because the hash lists that hotlines share today are keyed by them. All requested
//! hashes are fed from the same chunk while it is in cache, so the bytes are read once.

use md5::Digest as _;

/// The kinds of hash a list can hold. The numeric ids are part of the bundle and report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum HashKind {
    Md5 = 1,
    Sha1 = 2,
    Sha256 = 3,
    Blake3 = 4,
    /// The full 256-bit PDQ hash, matched exactly (perceptual matching has its own filter).
    PdqExact = 5,
}

impl HashKind {
    pub const ALL: [HashKind; 5] = [HashKind::Md5, HashKind::Sha1, HashKind::Sha256, HashKind::Blake3, HashKind::PdqExact];

    pub fn from_id(id: u8) -> Option<HashKind> {
        HashKind::ALL.into_iter().find(|kind| *kind as u8 == id)
    }

    pub fn id(self) -> u8 {
        self as u8
    }

    /// Length of a hash of this kind, in bytes.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(self) -> usize {
        match self {
            HashKind::Md5 => 16,
            HashKind::Sha1 => 20,
            HashKind::Sha256 | HashKind::Blake3 | HashKind::PdqExact => 32,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            HashKind::Md5 => "md5",
            HashKind::Sha1 => "sha1",
            HashKind::Sha256 => "sha256",
            HashKind::Blake3 => "blake3",
            HashKind::PdqExact => "pdq",
        }
    }
}

impl std::fmt::Display for HashKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Which legacy hashes to compute in addition to BLAKE3.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExactHashRequest {
    pub md5: bool,
    pub sha1: bool,
    pub sha256: bool,
}

impl ExactHashRequest {
    /// BLAKE3 only.
    pub const BLAKE3_ONLY: ExactHashRequest = ExactHashRequest { md5: false, sha1: false, sha256: false };
    /// Every supported hash.
    pub const ALL: ExactHashRequest = ExactHashRequest { md5: true, sha1: true, sha256: true };
}

/// The exact hashes of one byte string.
#[derive(Clone, PartialEq, Eq)]
pub struct ExactHashes {
    pub blake3: [u8; 32],
    pub md5: Option<[u8; 16]>,
    pub sha1: Option<[u8; 20]>,
    pub sha256: Option<[u8; 32]>,
}

impl std::fmt::Debug for ExactHashes {
    // Opaque on purpose: hashes of non-matching images must not end up in logs through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExactHashes { .. }")
    }
}

impl ExactHashes {
    /// The hashes that were computed, with their kinds (BLAKE3 first).
    pub fn iter(&self) -> impl Iterator<Item = (HashKind, &[u8])> {
        [
            Some((HashKind::Blake3, &self.blake3[..])),
            self.md5.as_ref().map(|h| (HashKind::Md5, &h[..])),
            self.sha1.as_ref().map(|h| (HashKind::Sha1, &h[..])),
            self.sha256.as_ref().map(|h| (HashKind::Sha256, &h[..])),
        ]
        .into_iter()
        .flatten()
    }
}

/// Incremental computation, for bytes that arrive in pieces.
pub struct ExactHasher {
    blake3: blake3::Hasher,
    md5: Option<md5::Md5>,
    sha1: Option<ring::digest::Context>,
    sha256: Option<ring::digest::Context>,
}

impl ExactHasher {
    pub fn new(request: ExactHashRequest) -> ExactHasher {
        ExactHasher {
            blake3: blake3::Hasher::new(),
            md5: request.md5.then(md5::Md5::new),
            sha1: request.sha1.then(|| ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY)),
            sha256: request.sha256.then(|| ring::digest::Context::new(&ring::digest::SHA256)),
        }
    }

    /// Feeds the next piece of the input to every requested hash.
    pub fn update(&mut self, bytes: &[u8]) {
        // Chunks small enough to stay in L1/L2 while each hasher reads them.
        for chunk in bytes.chunks(32 * 1024) {
            self.blake3.update(chunk);
            if let Some(md5) = &mut self.md5 {
                md5.update(chunk);
            }
            if let Some(sha1) = &mut self.sha1 {
                sha1.update(chunk);
            }
            if let Some(sha256) = &mut self.sha256 {
                sha256.update(chunk);
            }
        }
    }

    pub fn finish(self) -> ExactHashes {
        // The digest lengths are fixed by the algorithms (20 and 32 bytes).
        fn fixed<const N: usize>(context: ring::digest::Context) -> [u8; N] {
            let mut out = [0u8; N];
            out.copy_from_slice(context.finish().as_ref());
            out
        }
        ExactHashes {
            blake3: *self.blake3.finalize().as_bytes(),
            md5: self.md5.map(|m| m.finalize().into()),
            sha1: self.sha1.map(fixed::<20>),
            sha256: self.sha256.map(fixed::<32>),
        }
    }
}

/// Hashes `bytes` in one pass.
pub fn exact_hashes(bytes: &[u8], request: ExactHashRequest) -> ExactHashes {
    let mut hasher = ExactHasher::new(request);
    hasher.update(bytes);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers_for_abc() {
        let h = exact_hashes(b"abc", ExactHashRequest::ALL);
        assert_eq!(crate::hex::encode(&h.blake3), "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85");
        assert_eq!(crate::hex::encode(&h.md5.unwrap()), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(crate::hex::encode(&h.sha1.unwrap()), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            crate::hex::encode(&h.sha256.unwrap()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn only_requested_hashes_are_computed() {
        let h = exact_hashes(b"abc", ExactHashRequest { md5: false, sha1: true, sha256: false });
        assert!(h.md5.is_none() && h.sha256.is_none());
        assert!(h.sha1.is_some());
    }

    #[test]
    fn pieces_give_the_same_result_as_one_call() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 31 % 251) as u8).collect();
        let whole = exact_hashes(&data, ExactHashRequest::ALL);
        let mut hasher = ExactHasher::new(ExactHashRequest::ALL);
        for piece in data.chunks(7919) {
            hasher.update(piece);
        }
        assert!(hasher.finish() == whole);
    }
}
