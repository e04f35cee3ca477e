//! Entry points shared by the fuzz targets (`fuzz/`) and their regression tests
//! (`tests/fuzz_regressions.rs`), so that every input a fuzzer ever found is replayed by `cargo test`
//! through exactly the code the fuzzer ran. Each function must return normally for any input: a panic
//! is the bug being hunted. Not part of the SDK's API.

use crate::decode::{self, DecodeLimits, PixelBuffer, PixelFormat};
use crate::hashing::{self, HashOptions};
use crate::report;

/// Encoded bytes through the whole hashing pipeline, with the default limits.
pub fn decode(data: &[u8]) {
    if let Ok(hashes) = hashing::hash_bytes(data, &HashOptions::default()) {
        assert!(hashes.pdq.quality() <= 100);
    }
}

/// A raw pixel buffer: the first 7 bytes choose width, height (u16 each, small), stride slack and the
/// pixel format; the rest is the buffer.
pub fn pixels(data: &[u8]) {
    let Some((header, buffer)) = data.split_first_chunk::<7>() else { return };
    let width = usize::from(u16::from_le_bytes([header[0], header[1]]) % 2048);
    let height = usize::from(u16::from_le_bytes([header[2], header[3]]) % 2048);
    let format = [PixelFormat::Rgba8, PixelFormat::Bgra8, PixelFormat::Rgb8, PixelFormat::Gray8][usize::from(header[6] % 4)];
    let slack = usize::from(u16::from_le_bytes([header[4], header[5]]));
    // Strides below a row, exactly a row, and padded.
    let stride = (width * format.bytes_per_pixel()).saturating_add(slack).saturating_sub(8);
    let buffer = PixelBuffer::new(buffer, width, height, stride, format);
    if let Ok(luma) = decode::luma_from_pixels(&buffer, &DecodeLimits::default()) {
        assert!(luma.width() <= decode::HASH_SIDE && luma.height() <= decode::HASH_SIDE);
    }
}

/// Report parsing, and verification against a key that never signed anything: nothing may verify.
pub fn report(data: &[u8]) {
    let _ = report::decode_unverified(data);
    let key = crate::signing::VerifyingKey::from_bytes(&[0x42; 32]);
    if let Ok(key) = key {
        assert!(report::verify_report(data, &[key]).is_err(), "an unsigned input verified");
    }
}
