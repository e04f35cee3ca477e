//! From untrusted image bytes or raw pixel buffers to the luma image that PDQ hashes.
//!
//! The pipeline follows Meta's reference so that hashes agree with server-side lists: decode the stored
//! pixels (EXIF orientation is ignored, as the reference does; a rotated copy still matches through PDQ's
//! dihedral variants), and if either side is over 512, resample to exactly 512x512 by nearest neighbour
//! (source index `floor(i * W / 512)`, aspect ratio not kept). Luma is computed only for the pixels
//! that are sampled, so no full-size luma or RGB copy is made on the raw-pixel path.
//!
//! JPEG, the format of nearly every photo, takes a fast path: the decoder's DCT-domain scaling (1/2, 1/4,
//! 1/8) at the largest reduction that keeps the short side >= 512, then the same resampling. A 48 MP photo
//! thus never exists at full size in memory. The hash moves by a few bits at most (see BENCHMARKS.md).
//!
//! Everything here treats its input as hostile: sizes are checked against [`DecodeLimits`] from the header
//! before any pixel buffer is allocated, third-party decoder panics are caught, and every failure is a
//! typed [`DecodeError`].

// Untrusted input flows through here: no panicking shortcuts outside tests (checked by clippy in CI).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod error;
mod format;
mod generic;
mod jpeg;
mod pixels;
mod sample;

pub use error::DecodeError;
pub use format::ImageFormat;
pub use pixels::{PixelBuffer, PixelFormat};

use crate::pdq::LumaImage;

/// The side that images larger than it are resampled to, as in the reference pipeline.
pub const HASH_SIDE: usize = 512;

/// Bounds on what a decode may cost. The defaults admit any real photo (up to 100 MP, 64 MiB files).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Largest encoded input accepted, in bytes.
    pub max_encoded_bytes: u64,
    /// Largest image accepted, in pixels (width x height as the header declares them).
    pub max_pixels: u64,
    /// Largest pixel buffer a decoder may allocate, in bytes (formats without scaled decoding decode in full).
    pub max_decoded_bytes: u64,
    /// Most scans a JPEG may have. Each progressive scan is another pass over the whole image, so a small
    /// file with thousands of scans is a CPU bomb; real encoders write about 10.
    pub max_jpeg_scans: u32,
    /// Most bytes a decoder may allocate per encoded byte, once it allocates more than
    /// [`RATIO_FREE_BYTES`]: a small file that expands to hundreds of megabytes (flat PNG, lossless WebP,
    /// progressive JPEG coefficients) is a decompression bomb, not a photo. Photos expand 2-30x.
    pub max_expansion_ratio: u32,
}

/// Decoded buffers up to this size are allowed whatever the input's size.
pub const RATIO_FREE_BYTES: u64 = 16 << 20;

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_encoded_bytes: 64 << 20,
            max_pixels: 100_000_000,
            max_decoded_bytes: 512 << 20,
            max_jpeg_scans: 100,
            max_expansion_ratio: 64,
        }
    }
}

impl DecodeLimits {
    pub(crate) fn check_encoded_len(&self, len: u64) -> Result<(), DecodeError> {
        if len > self.max_encoded_bytes {
            return Err(DecodeError::InputTooLarge { bytes: len, max: self.max_encoded_bytes });
        }
        Ok(())
    }

    /// Refuses a buffer of `decoded` bytes made from `encoded` bytes when it is a bomb (see
    /// [`DecodeLimits::max_expansion_ratio`]) or over [`DecodeLimits::max_decoded_bytes`].
    pub(crate) fn check_allocation(&self, decoded: u64, encoded: usize) -> Result<(), DecodeError> {
        if decoded > self.max_decoded_bytes {
            return Err(DecodeError::MemoryLimit { max_bytes: self.max_decoded_bytes });
        }
        self.check_expansion(decoded, encoded)
    }

    /// Refuses `decoded` bytes of output from `encoded` bytes of input beyond the expansion ratio: for
    /// scaled JPEG decoding, where the full size is never allocated but its decoding work is still done.
    pub(crate) fn check_expansion(&self, decoded: u64, encoded: usize) -> Result<(), DecodeError> {
        let ratio = decoded / (encoded as u64).max(1);
        if decoded > RATIO_FREE_BYTES && ratio > u64::from(self.max_expansion_ratio) {
            return Err(DecodeError::ExpansionRatio { ratio, max: self.max_expansion_ratio });
        }
        Ok(())
    }

    pub(crate) fn check_dimensions(&self, width: u64, height: u64) -> Result<(), DecodeError> {
        if width == 0 || height == 0 {
            return Err(DecodeError::Corrupt("the image has a zero width or height".into()));
        }
        let pixels = width.saturating_mul(height);
        if pixels > self.max_pixels {
            return Err(DecodeError::TooManyPixels { width, height, max_pixels: self.max_pixels });
        }
        Ok(())
    }
}

/// What a decode produced: the luma image for PDQ plus facts about the source.
#[derive(Debug)]
pub struct Decoded {
    pub luma: LumaImage,
    pub format: ImageFormat,
    /// Width and height of the stored image, before any reduction.
    pub source_width: u32,
    pub source_height: u32,
}

/// Decodes encoded image bytes (format detected from the content) into the luma image PDQ hashes, using
/// the JPEG DCT-scaled fast path.
pub fn decode_for_hashing(bytes: &[u8], limits: &DecodeLimits) -> Result<Decoded, DecodeError> {
    decode_with(bytes, limits, JpegPath::Scaled)
}

/// Like [`decode_for_hashing`] but decoding JPEGs at full size: slower, for measuring the fast path.
pub fn decode_full_for_hashing(bytes: &[u8], limits: &DecodeLimits) -> Result<Decoded, DecodeError> {
    decode_with(bytes, limits, JpegPath::Full)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JpegPath {
    Scaled,
    Full,
}

fn decode_with(bytes: &[u8], limits: &DecodeLimits, jpeg_path: JpegPath) -> Result<Decoded, DecodeError> {
    limits.check_encoded_len(bytes.len() as u64)?;
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let format = ImageFormat::sniff(bytes).ok_or(DecodeError::UnsupportedFormat)?;
    // Third-party decoders are not ours to audit line by line: a panic in one is a corrupt input to us.
    let decoded = std::panic::catch_unwind(|| match format {
        ImageFormat::Jpeg => jpeg::decode(bytes, limits, jpeg_path),
        other => generic::decode(bytes, other, limits),
    })
    .map_err(|_| DecodeError::Corrupt(format!("the {} decoder failed on malformed data", format.name())))??;
    Ok(Decoded { format, ..decoded })
}

/// Reduces a raw pixel buffer (an Android Bitmap, an iOS CGImage) to the luma image PDQ hashes. Only the
/// sampled pixels are read; nothing is copied at full size.
pub fn luma_from_pixels(buffer: &PixelBuffer<'_>, limits: &DecodeLimits) -> Result<LumaImage, DecodeError> {
    buffer.validate()?;
    limits.check_dimensions(buffer.width() as u64, buffer.height() as u64)?;
    Ok(pixels::sample_luma(buffer))
}
