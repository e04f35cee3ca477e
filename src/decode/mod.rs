//! From untrusted image bytes or raw pixel buffers to the luma image that PDQ hashes.
//!
//! The pipeline follows Meta's reference so that hashes agree with server-side lists: decode the stored
//! pixels (EXIF orientation is ignored, as the reference does; a rotated copy still matches through PDQ's
//! dihedral variants), and if either side is over 512, resample to exactly 512x512 by nearest neighbour
//! (source index `floor(i * W / 512)`, aspect ratio not kept). Luma is computed only for the pixels
//! that are sampled, so no full-size luma or RGB copy is made on the raw-pixel path.
//!
//! JPEG, the format of nearly every photo, takes a fast path (`jpeg`): only its luma plane is decoded, at
//! full resolution, and sampled as the reference samples, which keeps the reference's hash on fine texture
//! that any reduction changes. A photo whose plane would be over 32 MiB is decoded with DCT-domain
//! scaling instead (1/2, 1/4, 1/8, keeping the short side >= 512), so a 48 MP photo never exists at full
//! size in memory. How far each path lands from the reference: BENCHMARKS.md.
//!
//! Files are read as viewers show them: a JPEG without EOI or a PNG without IEND or with a wrong CRC
//! decodes; a transparent image is also hashed on white and on black, and every distinct frame of an
//! animation is hashed ([`Decoded::alternates`], [`animation`]). PNG rows and GIF/APNG frames go into a
//! canvas kept only at the sampled pixels (`canvas`), so they need no full-size buffer. Files the core
//! cannot decode but a platform decoder may (HEIC, AVIF, DNG, arithmetic-coded JPEG) fail with
//! [`DecodeError::NeedsPlatformDecode`].
//!
//! Everything here treats its input as hostile: sizes are checked against [`DecodeLimits`] from the header
//! before any pixel buffer is allocated, third-party decoder panics are caught, and every failure is a
//! typed [`DecodeError`].

// Untrusted input flows through here: no panicking shortcuts outside tests (checked by clippy in CI).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod animation;
mod area;
pub mod borders;
mod canvas;
mod error;
mod format;
mod generic;
mod gif;
mod jpeg;
mod pixels;
mod png;
mod sample;
mod webp;

pub use borders::SourceRegion;
pub use error::{BufferError, Corruption, DecodeError, IoError, PlatformDecodeReason};
pub use format::ImageFormat;
pub use pixels::{PixelBuffer, PixelFormat};

use crate::pdq::LumaImage;

/// The side that images larger than it are resampled to, as in the reference pipeline.
pub const HASH_SIDE: usize = 512;

/// Bounds on what a decode may cost. The defaults admit any real photo up to 100 MP that the decoders can
/// read without a full-size buffer (JPEG scales in the DCT domain, PNG streams rows), and any photo up to
/// 40-48 MP in the formats that need one (WebP, BMP, progressive JPEG coefficients, interlaced PNG).
///
/// There is no ratio between file size and image size: a photo of fog saved at q30 is as small per pixel
/// as a bomb. What is bounded is the work itself, whatever the file looks like: the pixels declared, the
/// bytes of pixel data a decoder produces or holds, and the blocks a progressive JPEG's scans revisit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeLimits {
    /// Largest encoded input accepted, in bytes.
    pub max_encoded_bytes: u64,
    /// Largest image accepted, in pixels (width x height as the header declares them).
    pub max_pixels: u64,
    /// Most bytes of pixel data a decoder may hold at once (a full-size buffer, progressive JPEG
    /// coefficients) or produce in total (rows streamed out of a PNG, every frame of an animation).
    pub max_decoded_bytes: u64,
    /// Most 8x8 blocks a JPEG's scans may decode, summed over scans: each progressive scan is another pass
    /// over the blocks of its components, so this bounds the CPU time of a file with thousands of scans
    /// while admitting any number of scans over a smaller image.
    pub max_jpeg_scan_blocks: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_encoded_bytes: 64 << 20,
            max_pixels: 100_000_000,
            // A 48 MP RGB (40 MP RGBA) picture, or a 48 MP 4:2:0 progressive JPEG's coefficients; a 100 MP
            // flat bomb that would need a full-size buffer is refused before it is allocated.
            max_decoded_bytes: 160 << 20,
            // Seven full passes over a 100 MP 4:2:0 image (2.3M blocks each), 30 over a 12 MP one: real
            // progressive files need 3-6. Progressive refinement costs about 70 ns per block visited
            // (scripts/bombs), so this bounds a file's scans at about 1 s of decoding.
            max_jpeg_scan_blocks: 16_000_000,
        }
    }
}

impl DecodeLimits {
    /// For app extensions (a share extension has about 120 MB, a notification service extension about
    /// 24 MB): 20 MiB files, 50 MP declared, 40 MiB of decoder buffers, a quarter of the default JPEG scan
    /// work. A JPEG's luma is decoded at full resolution only up to 10 MiB (a quarter of the buffers; 10 MP),
    /// larger baseline JPEGs DCT-scaled (a 12 MP one adds about 5 MiB); a progressive JPEG holds all
    /// its coefficients (75 MiB measured for a 12 MP one) and is refused under this preset: fail closed.
    /// Pair it with `max_concurrent_scans = 1`. Measured figures: BENCHMARKS.md (`scripts/bench-memory`).
    pub fn low_memory() -> DecodeLimits {
        DecodeLimits {
            max_encoded_bytes: 20 << 20,
            max_pixels: 50_000_000,
            max_decoded_bytes: 40 << 20,
            max_jpeg_scan_blocks: 4_000_000,
        }
    }

    pub(crate) fn check_encoded_len(&self, len: u64) -> Result<(), DecodeError> {
        if len > self.max_encoded_bytes {
            return Err(DecodeError::InputTooLarge { bytes: len, max: self.max_encoded_bytes });
        }
        Ok(())
    }

    /// Refuses holding or producing more than [`DecodeLimits::max_decoded_bytes`] of pixel data.
    pub(crate) fn check_decoded_bytes(&self, decoded: u64) -> Result<(), DecodeError> {
        if decoded > self.max_decoded_bytes {
            return Err(DecodeError::MemoryLimit { max_bytes: self.max_decoded_bytes });
        }
        Ok(())
    }

    pub(crate) fn check_dimensions(&self, width: u64, height: u64) -> Result<(), DecodeError> {
        if width == 0 || height == 0 {
            return Err(DecodeError::Corrupt { what: Corruption::ZeroSize });
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
    /// The picture as the reference pipeline sees it (colour channels as stored, first frame).
    pub luma: LumaImage,
    /// Other pictures a viewer may show, each already reduced: the image composited on white and on black
    /// when it has transparency, and later distinct frames of an animation (see [`animation`]).
    pub alternates: Vec<LumaImage>,
    /// For a PNG, WebP, GIF or full-resolution JPEG reduced on both sides: its first picture averaged
    /// over each output cell, which cannot be steered by replacing the few pixels the reference samples
    /// (see [`area`]).
    pub averaged: Option<LumaImage>,
    pub format: ImageFormat,
    /// Width and height of the stored image, before any reduction.
    pub source_width: u32,
    pub source_height: u32,
}

/// Decodes encoded image bytes (format detected from the content) into the luma image PDQ hashes, using
/// the JPEG fast path.
pub fn decode_for_hashing(bytes: &[u8], limits: &DecodeLimits) -> Result<Decoded, DecodeError> {
    decode_with(bytes, limits, JpegPath::Fast, None)
}

/// Like [`decode_for_hashing`] but decoding JPEGs in colour at full size: slower, for measuring the fast path.
pub fn decode_full_for_hashing(bytes: &[u8], limits: &DecodeLimits) -> Result<Decoded, DecodeError> {
    decode_with(bytes, limits, JpegPath::Full, None)
}

/// Like [`decode_for_hashing`] but always DCT-scaling JPEGs (the fast path above 32 MiB of luma): for
/// measuring that path on photos of every size.
pub fn decode_scaled_for_hashing(bytes: &[u8], limits: &DecodeLimits) -> Result<Decoded, DecodeError> {
    decode_with(bytes, limits, JpegPath::Scaled, None)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JpegPath {
    /// Full-resolution luma where it fits its memory budget, else DCT-scaled.
    Fast,
    /// DCT-scaled whatever the size.
    Scaled,
    /// Full-size colour decode.
    Full,
}

/// Decodes only `region` of the image (the picture found inside its borders) and resamples it as the
/// reference resamples a whole image: the crop at full resolution, not a crop of the reduced picture.
/// Only the reference picture (first frame, colours as stored) is returned.
pub(crate) fn decode_region_for_hashing(
    bytes: &[u8],
    limits: &DecodeLimits,
    region: SourceRegion,
    jpeg_path: JpegPath,
) -> Result<LumaImage, DecodeError> {
    Ok(decode_with(bytes, limits, jpeg_path, Some(region.window()))?.luma)
}

/// Like [`luma_from_pixels`] for `region` of the buffer only.
pub(crate) fn luma_from_pixels_in(buffer: &PixelBuffer<'_>, limits: &DecodeLimits, region: SourceRegion) -> Result<LumaImage, DecodeError> {
    buffer.validate()?;
    limits.check_dimensions(buffer.width() as u64, buffer.height() as u64)?;
    Ok(pixels::sample_luma_in(buffer, region.window()))
}

fn decode_with(bytes: &[u8], limits: &DecodeLimits, jpeg_path: JpegPath, window: Option<sample::Window>) -> Result<Decoded, DecodeError> {
    limits.check_encoded_len(bytes.len() as u64)?;
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let format = ImageFormat::sniff(bytes)
        .ok_or_else(|| DecodeError::NeedsPlatformDecode { reason: ImageFormat::platform_reason(bytes) })?;
    // Third-party decoders are not ours to audit line by line: a panic in one is a corrupt input to us.
    let decoded = std::panic::catch_unwind(|| match format {
        ImageFormat::Jpeg => jpeg::decode(bytes, limits, jpeg_path, window),
        ImageFormat::Png => png::decode(bytes, limits, window),
        ImageFormat::Gif => gif::decode(bytes, limits, window),
        ImageFormat::WebP => webp::decode(bytes, limits, window),
        ImageFormat::Bmp => generic::decode(bytes, format, limits, window),
    })
    .map_err(|_| DecodeError::Corrupt { what: Corruption::DecoderFailed })??;
    Ok(Decoded { format, ..decoded })
}

/// Reduces a raw pixel buffer (an Android Bitmap, an iOS CGImage) to the luma image PDQ hashes. Only the
/// sampled pixels are read; nothing is copied at full size.
pub fn luma_from_pixels(buffer: &PixelBuffer<'_>, limits: &DecodeLimits) -> Result<LumaImage, DecodeError> {
    buffer.validate()?;
    limits.check_dimensions(buffer.width() as u64, buffer.height() as u64)?;
    Ok(pixels::sample_luma(buffer))
}
