//! imageguard: on-device detection of *known* images by hash, with signed filters and minimal reports.
//!
//! This crate is the pure core: no FFI, no networking, no command line. Modules, one concern each:
//! - [`bundle`]: signed filter bundles: format, k-of-n trust, anti-rollback, expiry and deltas.
//! - [`calibration`]: a bundle's false matches measured on photos known to be unrelated (platform side).
//! - [`confirm`]: confirming a filter hit against the platform's committed full lists (both sides).
//! - [`decode`]: untrusted image bytes or raw pixels to the 512x512 luma image PDQ hashes, within limits.
//! - [`entry_key`]: platform-independent 64-bit keys for list entries (keyed BLAKE3).
//! - [`exact`]: exact hashes of the encoded bytes (BLAKE3, and MD5/SHA-1/SHA-256 for legacy lists).
//! - [`filter`]: exact (Rice-coded fingerprint set) and perceptual (banded, multi-probe Bloom) membership filters.
//! - [`hashing`]: the whole pipeline, bytes or pixels to PDQ features plus exact hashes.
//! - [`hex`]: hex text of hashes, keys and ids (strict parsing, one place).
//! - [`lists`]: platform side: hash list parsing and bundle building.
//! - [`pdq`]: the PDQ perceptual hash, bit-exact with Meta's reference, and its 8 rotations/flips.
//! - [`policy`]: what a match leads to (prompt, report), thresholds, caps and the negative list.
//! - [`prompts`]: localized prompt content and help links, built in and per bundle.
//! - [`report`]: minimal signed reports of a match, and their verification.
//! - [`wire`]: bounds-checked little-endian reading and writing for every binary format.
//! - [`scanner`]: the SDK's main job: hash, match, confirm, decide, and return a prompt and/or a signed report.
//! - [`signing`]: Ed25519 keys (PKCS#8), key ids and domain-separated signatures.
//! - [`video`]: vPDQ-compatible video matching: hash files, frame hashing, the device's video session.
//! - [`store`]: the SDK's own persistence of bundle, trust and decision state in one directory, crash-safe.

pub mod bundle;
pub mod calibration;
pub mod clock;
pub mod confirm;
pub mod decode;
pub mod entry_key;
pub mod exact;
pub mod filter;
pub mod hashing;
pub mod hex;
pub mod lists;
pub mod pdq;
pub mod policy;
pub mod prompts;
pub mod report;
pub mod scanner;
pub mod signing;
pub mod video;
pub mod store;
pub mod wire;
