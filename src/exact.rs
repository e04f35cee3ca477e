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

/// One running hash of a file's bytes, for each kind a file can be hashed to. This match is the one place
/// that says how a kind is computed: a new kind (say SHA-512) is a `HashKind` variant, its length and name
/// above, an entry in [`HashKind::FILE_KINDS`] and an arm here.
enum Running {
    Blake3(Box<blake3::Hasher>),
    Md5(md5::Md5),
    Ring(ring::digest::Context),
}

impl Running {
    fn start(kind: HashKind) -> Option<Running> {
        match kind {
            HashKind::Blake3 => Some(Running::Blake3(Box::new(blake3::Hasher::new()))),
            HashKind::Md5 => Some(Running::Md5(md5::Md5::new())),
            HashKind::Sha1 => Some(Running::Ring(ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY))),
            HashKind::Sha256 => Some(Running::Ring(ring::digest::Context::new(&ring::digest::SHA256))),
            // Computed from the decoded picture, not from the file's bytes.
            HashKind::PdqExact => None,
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Running::Blake3(hasher) => {
                hasher.update(bytes);
            }
            Running::Md5(hasher) => hasher.update(bytes),
            Running::Ring(context) => context.update(bytes),
        }
    }

    fn finish(self) -> Vec<u8> {
        match self {
            Running::Blake3(hasher) => hasher.finalize().as_bytes().to_vec(),
            Running::Md5(hasher) => hasher.finalize().to_vec(),
            Running::Ring(context) => context.finish().as_ref().to_vec(),
        }
    }
}

impl HashKind {
    /// The kinds computed from a file's bytes, BLAKE3 (always computed) first; the order of the CLI's
    /// columns.
    pub const FILE_KINDS: [HashKind; 4] = [HashKind::Blake3, HashKind::Md5, HashKind::Sha1, HashKind::Sha256];

    fn bit(self) -> u32 {
        1 << self.id()
    }
}

/// Which hashes of the file's bytes to compute: BLAKE3 always, others of [`HashKind::FILE_KINDS`] on
/// request. The default is [`ExactHashRequest::BLAKE3_ONLY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExactHashRequest {
    /// One bit per kind, at its id.
    kinds: u32,
}

impl ExactHashRequest {
    /// BLAKE3 only.
    pub const BLAKE3_ONLY: ExactHashRequest = ExactHashRequest { kinds: 1 << HashKind::Blake3 as u8 };
    /// Every kind of [`HashKind::FILE_KINDS`].
    pub const ALL: ExactHashRequest = {
        let mut kinds = 0;
        let mut i = 0;
        while i < HashKind::FILE_KINDS.len() {
            kinds |= 1 << HashKind::FILE_KINDS[i] as u8;
            i += 1;
        }
        ExactHashRequest { kinds }
    };

    /// This request and `kind` too (no effect for a kind not computed from the file's bytes).
    pub fn with(self, kind: HashKind) -> ExactHashRequest {
        if HashKind::FILE_KINDS.contains(&kind) {
            ExactHashRequest { kinds: self.kinds | kind.bit() }
        } else {
            self
        }
    }

    /// Whether `kind` will be computed.
    pub fn includes(self, kind: HashKind) -> bool {
        self.kinds & kind.bit() != 0
    }
}

impl Default for ExactHashRequest {
    fn default() -> Self {
        ExactHashRequest::BLAKE3_ONLY
    }
}

/// The exact hashes of one byte string.
#[derive(Clone, PartialEq, Eq)]
pub struct ExactHashes {
    /// Always computed.
    pub blake3: [u8; 32],
    /// Every computed hash with its kind, in [`HashKind::FILE_KINDS`] order (BLAKE3 first).
    computed: Vec<(HashKind, Vec<u8>)>,
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
        self.computed.iter().map(|(kind, hash)| (*kind, &hash[..]))
    }

    /// The hash of `kind`, if it was computed.
    pub fn get(&self, kind: HashKind) -> Option<&[u8]> {
        self.iter().find(|(k, _)| *k == kind).map(|(_, hash)| hash)
    }
}

/// Incremental computation, for bytes that arrive in pieces.
pub struct ExactHasher {
    running: Vec<(HashKind, Running)>,
}

impl ExactHasher {
    pub fn new(request: ExactHashRequest) -> ExactHasher {
        let kinds = HashKind::FILE_KINDS.into_iter().filter(|kind| request.includes(*kind));
        ExactHasher { running: kinds.filter_map(|kind| Some((kind, Running::start(kind)?))).collect() }
    }

    /// Feeds the next piece of the input to every requested hash.
    pub fn update(&mut self, bytes: &[u8]) {
        // Chunks small enough to stay in L1/L2 while each hasher reads them.
        for chunk in bytes.chunks(32 * 1024) {
            for (_, running) in &mut self.running {
                running.update(chunk);
            }
        }
    }

    pub fn finish(self) -> ExactHashes {
        let computed: Vec<(HashKind, Vec<u8>)> =
            self.running.into_iter().map(|(kind, running)| (kind, running.finish())).collect();
        let mut blake3 = [0u8; 32];
        if let Some((_, hash)) = computed.iter().find(|(kind, _)| *kind == HashKind::Blake3) {
            blake3.copy_from_slice(hash);
        }
        ExactHashes { blake3, computed }
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
        assert_eq!(h.get(HashKind::Blake3), Some(&h.blake3[..]));
        assert_eq!(crate::hex::encode(h.get(HashKind::Md5).unwrap()), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(crate::hex::encode(h.get(HashKind::Sha1).unwrap()), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            crate::hex::encode(h.get(HashKind::Sha256).unwrap()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn only_requested_hashes_are_computed() {
        let h = exact_hashes(b"abc", ExactHashRequest::BLAKE3_ONLY.with(HashKind::Sha1));
        let kinds: Vec<HashKind> = h.iter().map(|(kind, _)| kind).collect();
        assert_eq!(kinds, [HashKind::Blake3, HashKind::Sha1]);
        assert!(h.iter().all(|(kind, hash)| hash.len() == kind.len()));
        assert_eq!(exact_hashes(b"abc", ExactHashRequest::ALL).iter().count(), HashKind::FILE_KINDS.len());
        assert_eq!(ExactHashRequest::BLAKE3_ONLY.with(HashKind::PdqExact), ExactHashRequest::BLAKE3_ONLY);
        let every = HashKind::FILE_KINDS.into_iter().fold(ExactHashRequest::default(), ExactHashRequest::with);
        assert_eq!(every, ExactHashRequest::ALL);
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
