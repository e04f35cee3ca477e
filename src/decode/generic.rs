//! BMP through the `image` crate, with its limits set from ours so that
//! a bomb header fails before any pixel buffer is allocated.

use super::sample::Window;
use super::{sample, Corruption, DecodeError, DecodeLimits, Decoded, ImageFormat, PlatformDecodeReason};
use image::{ImageDecoder, ImageError};
use std::io::Cursor;

pub(super) fn decode(
    bytes: &[u8],
    format: ImageFormat,
    limits: &DecodeLimits,
    window: Option<Window>,
) -> Result<Decoded, DecodeError> {
    let mut decoder = open(bytes, format).map_err(|e| map_error(e, limits))?;
    let (width, height) = decoder.dimensions();
    limits.check_dimensions(width.into(), height.into())?;

    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(width);
    image_limits.max_image_height = Some(height);
    image_limits.max_alloc = Some(limits.max_decoded_bytes);
    decoder.set_limits(image_limits).map_err(|e| map_error(e, limits))?;
    limits.check_decoded_bytes(decoder.total_bytes())?;
    let image = image::DynamicImage::from_decoder(decoder).map_err(|e| map_error(e, limits))?;
    // 8-bit RGB(A) and gray are read in place; anything else (16-bit, float) is converted once.
    let (w, h) = (width as usize, height as usize);
    let window = window.unwrap_or(Window::full(w, h)).clipped(w, h);
    let luma = match &image {
        image::DynamicImage::ImageLuma8(gray) => {
            let data = gray.as_raw();
            sample::sample_luma_in(window, |x, y| sample::gray_luma(data, y * w + x))
        }
        image::DynamicImage::ImageRgb8(rgb) => rgb_luma(rgb.as_raw(), w, window, 3),
        image::DynamicImage::ImageRgba8(rgba) => rgb_luma(rgba.as_raw(), w, window, 4),
        other => {
            let rgb = other.to_rgb8();
            rgb_luma(rgb.as_raw(), w, window, 3)
        }
    };
    Ok(Decoded { luma, alternates: Vec::new(), averaged: None, format, source_width: width, source_height: height })
}

fn rgb_luma(data: &[u8], w: usize, window: Window, bpp: usize) -> crate::pdq::LumaImage {
    sample::sample_luma_in(window, |x, y| sample::rgb_luma(data, (y * w + x) * bpp))
}

fn open(bytes: &[u8], format: ImageFormat) -> image::ImageResult<Box<dyn ImageDecoder + '_>> {
    match format {
        ImageFormat::Bmp => Ok(Box::new(image::codecs::bmp::BmpDecoder::new(Cursor::new(bytes))?)),
        other => Err(std::io::Error::other(format!("{} takes its own decode path", other.name())).into()),
    }
}

fn map_error(error: ImageError, limits: &DecodeLimits) -> DecodeError {
    match error {
        ImageError::Limits(_) => DecodeError::MemoryLimit { max_bytes: limits.max_decoded_bytes },
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => DecodeError::Truncated,
        ImageError::Unsupported(_) => DecodeError::NeedsPlatformDecode { reason: PlatformDecodeReason::UnsupportedFeature },
        // The BMP decoder's own errors never mean truncation (that arrives as UnexpectedEof above), and
        // their text can quote values read from the image: never passed on, never read.
        _ => DecodeError::Corrupt { what: Corruption::MalformedData },
    }
}
