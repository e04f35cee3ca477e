//! Resource control from Kotlin/Swift/Python: the core's decode limits as a record, and its presets.
//!
//! Apps in memory-constrained processes (share and notification extensions) pass
//! `ScannerConfig.decode_limits = low_memory_decode_limits()` and `max_concurrent_scans = 1`.

use imageguard::decode;

/// Bounds on the work of decoding one image (see the core's `DecodeLimits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct DecodeLimits {
    /// Largest encoded input accepted, in bytes.
    pub max_encoded_bytes: u64,
    /// Largest image accepted, in pixels (as the header declares them).
    pub max_pixels: u64,
    /// Most bytes of pixel data a decoder may hold at once or produce in total.
    pub max_decoded_bytes: u64,
    /// Most 8x8 blocks a JPEG's scans may decode, summed over scans.
    pub max_jpeg_scan_blocks: u64,
}

impl From<decode::DecodeLimits> for DecodeLimits {
    fn from(l: decode::DecodeLimits) -> Self {
        DecodeLimits {
            max_encoded_bytes: l.max_encoded_bytes,
            max_pixels: l.max_pixels,
            max_decoded_bytes: l.max_decoded_bytes,
            max_jpeg_scan_blocks: l.max_jpeg_scan_blocks,
        }
    }
}

impl From<DecodeLimits> for decode::DecodeLimits {
    fn from(l: DecodeLimits) -> Self {
        let mut limits = decode::DecodeLimits::default();
        limits.max_encoded_bytes = l.max_encoded_bytes;
        limits.max_pixels = l.max_pixels;
        limits.max_decoded_bytes = l.max_decoded_bytes;
        limits.max_jpeg_scan_blocks = l.max_jpeg_scan_blocks;
        limits
    }
}

/// The defaults (100 MP, 64 MiB files, 160 MiB of decoder buffers).
#[uniffi::export]
pub fn default_decode_limits() -> DecodeLimits {
    decode::DecodeLimits::default().into()
}

/// The preset for app extensions (20 MiB files, 50 MP, 40 MiB of decoder buffers); measured peak memory
/// per scan in BENCHMARKS.md. Use with `max_concurrent_scans = 1`.
#[uniffi::export]
pub fn low_memory_decode_limits() -> DecodeLimits {
    decode::DecodeLimits::low_memory().into()
}

/// The most scans `scanner` has run at once so far; the suites check `max_concurrent_scans` with it.
/// Test builds only (`test-hooks`).
#[cfg(feature = "test-hooks")]
#[uniffi::export]
pub fn debug_peak_concurrent_scans(scanner: std::sync::Arc<crate::Scanner>) -> u64 {
    scanner.core().peak_concurrent_scans() as u64
}
