//! JPEG through `jpeg-decoder`, with DCT-domain scaling, so that a photo too large for the full-resolution
//! luma path is never decoded at full size; also every JPEG that path does not take (CMYK, arithmetic
//! coding, a file its decoder gives up on), with the typed errors.

use crate::decode::sample::{self, Window};
use crate::decode::{Corruption, DecodeError, DecodeLimits, Decoded, ImageFormat, JpegPath, PlatformDecodeReason, HASH_SIDE};
use crate::pdq::luma_from_rgb;
use jpeg_decoder::{Decoder, PixelFormat, UnsupportedFeature};

/// The largest DCT reduction (8, 4, 2 or 1) that keeps the short side at or above [`HASH_SIDE`].
pub(crate) fn reduction_for(width: u32, height: u32) -> u32 {
    let short_side = width.min(height);
    [8, 4, 2].into_iter().find(|&d| short_side.div_ceil(d) >= HASH_SIDE as u32).unwrap_or(1)
}

/// Decodes a JPEG whose markers passed the checks in `jpeg::decode`: at full size for [`JpegPath::Full`],
/// else DCT-scaled.
pub(super) fn decode(bytes: &[u8], limits: &DecodeLimits, path: JpegPath, window: Option<Window>) -> Result<Decoded, DecodeError> {
    let mut decoder = Decoder::new(bytes);
    decoder.read_info().map_err(map_error)?;
    let info = decoder.info().ok_or(DecodeError::Truncated)?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    limits.check_dimensions(width.into(), height.into())?;

    let window = window.unwrap_or(Window::full(width as usize, height as usize)).clipped(width as usize, height as usize);
    // The DCT scale keeps the window's short side (the whole image's, usually) at or above 512.
    let mut reduction = 1;
    let (out_width, out_height) = match path {
        JpegPath::Full => (width, height),
        JpegPath::Fast | JpegPath::Scaled => {
            let d = reduction_for(window.width as u32, window.height as u32);
            reduction = d as usize;
            // Asking for exactly ceil(side / d) makes the decoder pick the 1/d scale.
            let (w, h) = decoder
                .scale(width.div_ceil(d) as u16, height.div_ceil(d) as u16)
                .map_err(map_error)?;
            (u32::from(w), u32::from(h))
        }
    };
    // The decoder holds one output-size plane per component: refused here, with a typed error, before
    // the decoder's own check (same formula) would refuse it with text.
    let components: u64 = match info.pixel_format {
        PixelFormat::L8 | PixelFormat::L16 => 1,
        PixelFormat::RGB24 => 3,
        PixelFormat::CMYK32 => 4,
    };
    limits.check_decoded_bytes(components.saturating_mul(u64::from(out_width)).saturating_mul(u64::from(out_height)))?;
    decoder.set_max_decoding_buffer_size(usize::try_from(limits.max_decoded_bytes).unwrap_or(usize::MAX));
    let data = decoder.decode().map_err(map_error)?;

    let (w, h) = (out_width as usize, out_height as usize);
    let bpp = info.pixel_format.pixel_bytes();
    if data.len() < w * h * bpp {
        return Err(DecodeError::Corrupt { what: Corruption::MissingPixels });
    }
    let at = |x: usize, y: usize| (y * w + x) * bpp;
    let scaled = Window {
        x: window.x / reduction,
        y: window.y / reduction,
        width: window.width.div_ceil(reduction),
        height: window.height.div_ceil(reduction),
    }
    .clipped(w, h);
    let luma = match info.pixel_format {
        PixelFormat::RGB24 => sample::sample_luma_in(scaled, |x, y| sample::rgb_luma(&data, at(x, y))),
        // 16-bit samples are big-endian: the first byte is the 8-bit value.
        PixelFormat::L8 | PixelFormat::L16 => sample::sample_luma_in(scaled, |x, y| sample::gray_luma(&data, at(x, y))),
        // The decoder hands out CMYK as stored (Adobe files store it inverted, which it undoes).
        PixelFormat::CMYK32 => sample::sample_luma_in(scaled, |x, y| match data.get(at(x, y)..at(x, y) + 4) {
            Some(&[c, m, y, k]) => {
                let white = 255 - u32::from(k);
                let channel = |v: u8| ((255 - u32::from(v)) * white / 255) as u8;
                luma_from_rgb(channel(c), channel(m), channel(y))
            }
            _ => 0.0,
        }),
    };
    Ok(Decoded { luma, alternates: Vec::new(), averaged: None, format: ImageFormat::Jpeg, source_width: width, source_height: height })
}

fn map_error(error: jpeg_decoder::Error) -> DecodeError {
    match error {
        jpeg_decoder::Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => DecodeError::Truncated,
        jpeg_decoder::Error::Unsupported(
            UnsupportedFeature::ArithmeticEntropyCoding | UnsupportedFeature::Hierarchical,
        ) => DecodeError::NeedsPlatformDecode { reason: PlatformDecodeReason::JpegCoding },
        jpeg_decoder::Error::Unsupported(_) => {
            DecodeError::NeedsPlatformDecode { reason: PlatformDecodeReason::UnsupportedFeature }
        }
        // The decoder's text can quote values read from the image (markers, lengths): never pass it on.
        _ => DecodeError::Corrupt { what: Corruption::MalformedData },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_largest_reduction_keeping_the_short_side() {
        assert_eq!(reduction_for(4000, 3000), 4); // 750 short side at 1/4; 375 at 1/8
        assert_eq!(reduction_for(8000, 6000), 8); // 750 at 1/8
        assert_eq!(reduction_for(1600, 1004), 1); // 502 at 1/2 is too small
        assert_eq!(reduction_for(1024, 1024), 2);
        assert_eq!(reduction_for(300, 5000), 1);
    }
}
