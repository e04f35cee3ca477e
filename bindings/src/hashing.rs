//! PDQ hashing of pixels or encoded images, for platform-side tools and for apps that hash without scanning.

use crate::{guard, ImageGuardError};
use imageguard::decode::{self, DecodeLimits, PixelBuffer};
use imageguard::hashing::{self, HashOptions};
use imageguard::pdq::PdqFeatures;

/// Layout of one pixel in a raw buffer (alpha is ignored). Android `ARGB_8888` bitmaps are `Rgba8` in
/// memory; iOS `CGImage`s are usually `Bgra8` or `Rgba8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PixelFormat {
    Rgba8,
    Bgra8,
    Rgb8,
    Gray8,
}

impl From<PixelFormat> for decode::PixelFormat {
    fn from(format: PixelFormat) -> Self {
        match format {
            PixelFormat::Rgba8 => decode::PixelFormat::Rgba8,
            PixelFormat::Bgra8 => decode::PixelFormat::Bgra8,
            PixelFormat::Rgb8 => decode::PixelFormat::Rgb8,
            PixelFormat::Gray8 => decode::PixelFormat::Gray8,
        }
    }
}

/// A PDQ hash (64 hex digits) and its quality (0..=100; below 50 the hash is unreliable).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PdqRecord {
    pub hash_hex: String,
    pub quality: u8,
}

impl From<&PdqFeatures> for PdqRecord {
    fn from(features: &PdqFeatures) -> Self {
        PdqRecord { hash_hex: features.hash().to_hex(), quality: features.quality() }
    }
}

/// The core's view of the foreign caller's pixels: `height` rows of `stride` bytes, each starting with
/// `width` pixels (checked when it is used). Every export that takes raw pixels goes through here.
pub(crate) fn pixel_buffer(pixels: &[u8], width: u32, height: u32, stride: u32, format: PixelFormat) -> PixelBuffer<'_> {
    PixelBuffer::new(pixels, width as usize, height as usize, stride as usize, format.into())
}

/// PDQ of a raw pixel buffer: `height` rows of `stride` bytes, each starting with `width` pixels.
#[uniffi::export]
pub fn pdq_hash_pixels(
    pixels: &[u8],
    width: u32,
    height: u32,
    stride: u32,
    format: PixelFormat,
) -> Result<PdqRecord, ImageGuardError> {
    guard::call(|| {
        let buffer = pixel_buffer(pixels, width, height, stride, format);
        Ok(PdqRecord::from(&hashing::hash_pixels(&buffer, &DecodeLimits::default())?))
    })
}

/// PDQ of an encoded image (JPEG, PNG, WebP, GIF or BMP).
#[uniffi::export]
pub fn pdq_hash_image(bytes: &[u8]) -> Result<PdqRecord, ImageGuardError> {
    guard::call(|| Ok(PdqRecord::from(&hashing::hash_bytes(bytes, &HashOptions::default())?.pdq)))
}
