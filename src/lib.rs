//! imageguard: on-device detection of *known* images by hash, with signed filters and minimal reports.
//!
//! This crate is the pure core: no FFI, no networking. Modules, one concern each:
//! - [`pdq`]: the PDQ perceptual hash, bit-exact with Meta's reference, and its 8 rotations/flips.

pub mod pdq;
