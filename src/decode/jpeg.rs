//! JPEG through `jpeg-decoder`, with DCT-domain scaling so that large photos are never decoded at full size.

use super::{sample, DecodeError, DecodeLimits, Decoded, ImageFormat, JpegPath, HASH_SIDE};
use crate::pdq::luma_from_rgb;
use jpeg_decoder::{Decoder, PixelFormat};

/// The largest DCT reduction (8, 4, 2 or 1) that keeps the short side at or above [`HASH_SIDE`].
pub(crate) fn reduction_for(width: u32, height: u32) -> u32 {
    let short_side = width.min(height);
    [8, 4, 2].into_iter().find(|&d| short_side.div_ceil(d) >= HASH_SIDE as u32).unwrap_or(1)
}

pub(super) fn decode(bytes: &[u8], limits: &DecodeLimits, path: JpegPath) -> Result<Decoded, DecodeError> {
    let mut decoder = Decoder::new(bytes);
    decoder.read_info().map_err(|e| map_error(e, limits))?;
    let info = decoder.info().ok_or(DecodeError::Truncated)?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    limits.check_dimensions(width.into(), height.into())?;

    let (out_width, out_height) = match path {
        JpegPath::Full => (width, height),
        JpegPath::Scaled => {
            let d = reduction_for(width, height);
            // Asking for exactly ceil(side / d) makes the decoder pick the 1/d scale.
            let (w, h) = decoder
                .scale(width.div_ceil(d) as u16, height.div_ceil(d) as u16)
                .map_err(|e| map_error(e, limits))?;
            (u32::from(w), u32::from(h))
        }
    };
    decoder.set_max_decoding_buffer_size(usize::try_from(limits.max_decoded_bytes).unwrap_or(usize::MAX));
    let data = decoder.decode().map_err(|e| map_error(e, limits))?;

    let (w, h) = (out_width as usize, out_height as usize);
    let bpp = info.pixel_format.pixel_bytes();
    if data.len() < w * h * bpp {
        return Err(DecodeError::Corrupt("the decoder returned fewer pixels than declared".into()));
    }
    let at = |x: usize, y: usize| (y * w + x) * bpp;
    let luma = match info.pixel_format {
        PixelFormat::RGB24 => sample::sample_luma(w, h, |x, y| sample::rgb_luma(&data, at(x, y))),
        // 16-bit samples are big-endian: the first byte is the 8-bit value.
        PixelFormat::L8 | PixelFormat::L16 => sample::sample_luma(w, h, |x, y| sample::gray_luma(&data, at(x, y))),
        // The decoder hands out CMYK as stored (Adobe files store it inverted, which it undoes).
        PixelFormat::CMYK32 => sample::sample_luma(w, h, |x, y| match data.get(at(x, y)..at(x, y) + 4) {
            Some(&[c, m, y, k]) => {
                let white = 255 - u32::from(k);
                let channel = |v: u8| ((255 - u32::from(v)) * white / 255) as u8;
                luma_from_rgb(channel(c), channel(m), channel(y))
            }
            _ => 0.0,
        }),
    };
    Ok(Decoded { luma, format: ImageFormat::Jpeg, source_width: width, source_height: height })
}

fn map_error(error: jpeg_decoder::Error, limits: &DecodeLimits) -> DecodeError {
    match error {
        jpeg_decoder::Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => DecodeError::Truncated,
        jpeg_decoder::Error::Io(io) => DecodeError::Io(io.to_string()),
        jpeg_decoder::Error::Unsupported(feature) => DecodeError::UnsupportedFeature(format!("JPEG {feature:?}")),
        jpeg_decoder::Error::Format(text) if text.contains("exceeds maximum allowed size") => {
            DecodeError::MemoryLimit { max_bytes: limits.max_decoded_bytes }
        }
        jpeg_decoder::Error::Format(text) => DecodeError::Corrupt(format!("JPEG: {text}")),
        other => DecodeError::Corrupt(format!("JPEG: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::reduction_for;

    #[test]
    fn picks_the_largest_reduction_keeping_the_short_side() {
        assert_eq!(reduction_for(4000, 3000), 4); // 750 short side at 1/4; 375 at 1/8
        assert_eq!(reduction_for(8000, 6000), 8); // 750 at 1/8
        assert_eq!(reduction_for(1600, 1004), 1); // 502 at 1/2 is too small
        assert_eq!(reduction_for(1024, 1024), 2);
        assert_eq!(reduction_for(300, 5000), 1);
    }
}
