//! JPEG through `jpeg-decoder`, with DCT-domain scaling so that large photos are never decoded at full size.

use super::sample::Window;
use super::{sample, Corruption, DecodeError, DecodeLimits, Decoded, ImageFormat, JpegPath, PlatformDecodeReason, HASH_SIDE};
use crate::pdq::luma_from_rgb;
use jpeg_decoder::{Decoder, PixelFormat, UnsupportedFeature};

/// The largest DCT reduction (8, 4, 2 or 1) that keeps the short side at or above [`HASH_SIDE`].
pub(crate) fn reduction_for(width: u32, height: u32) -> u32 {
    let short_side = width.min(height);
    [8, 4, 2].into_iter().find(|&d| short_side.div_ceil(d) >= HASH_SIDE as u32).unwrap_or(1)
}

/// What the marker walk learns before any decoding.
#[derive(Debug, Default, PartialEq)]
struct MarkerSummary {
    /// Start-of-scan markers seen.
    scans: u32,
    /// 8x8 blocks the scans decode, summed over scans: each scan visits every block of its components
    /// (the walk stops once past the limit).
    scan_blocks: u64,
    /// For a progressive frame: the bytes of the coefficient buffer a decoder keeps for the whole
    /// image (one i16 per sample per 8x8 block, with the MCU padding).
    progressive_coefficient_bytes: u64,
    /// Width and height from the frame header, checked before the decoder sees the file.
    frame: Option<(u64, u64)>,
}

/// Walks the marker segments of a JPEG, skipping entropy-coded data: one pass over the bytes.
fn summarize_markers(bytes: &[u8], max_scan_blocks: u64) -> MarkerSummary {
    let mut summary = MarkerSummary::default();
    let mut components: Vec<(u8, u64)> = Vec::new();
    let mut i = 2; // after SOI
    while let Some(&[0xFF, marker]) = bytes.get(i..i + 2) {
        match marker {
            0xFF => i += 1, // fill byte
            0xD8 | 0x01 | 0xD0..=0xD7 => i += 2,
            0xD9 => break,
            _ => {
                let Some(&[high, low]) = bytes.get(i + 2..i + 4) else { break };
                let end = i + 2 + usize::from(u16::from_be_bytes([high, low]));
                let segment = bytes.get(i + 4..end.min(bytes.len())).unwrap_or_default();
                i = end;
                if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) && summary.frame.is_none() {
                    if let Some(&[_, hh, hl, wh, wl]) = segment.get(..5) {
                        let side = |high, low| u64::from(u16::from_be_bytes([high, low]));
                        summary.frame = Some((side(wh, wl), side(hh, hl)));
                        components = frame_components(segment);
                        if marker == 0xC2 {
                            summary.progressive_coefficient_bytes = components.iter().map(|c| c.1 * 64 * 2).sum();
                        }
                    }
                }
                if marker == 0xDA {
                    summary.scans += 1;
                    let count = segment.first().map_or(0, |&n| usize::from(n));
                    let ids = (0..count).filter_map(|c| segment.get(1 + 2 * c));
                    summary.scan_blocks += ids
                        .filter_map(|id| components.iter().find(|c| c.0 == *id).map(|c| c.1))
                        .sum::<u64>();
                    if summary.scan_blocks > max_scan_blocks {
                        break;
                    }
                    // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart.
                    while let Some(offset) = bytes.get(i..).and_then(|rest| rest.iter().position(|&b| b == 0xFF)) {
                        i += offset;
                        match bytes.get(i + 1) {
                            Some(0x00 | 0xD0..=0xD7 | 0xFF) => i += 1,
                            _ => break,
                        }
                    }
                }
            }
        }
    }
    summary
}

/// Each component's id and 8x8 block count (with the MCU padding), from a SOF segment (after the length).
fn frame_components(sof: &[u8]) -> Vec<(u8, u64)> {
    let (Some(&[hh, hl, wh, wl]), Some(&count)) = (sof.get(1..5), sof.get(5)) else { return Vec::new() };
    let (height, width) = (u64::from(u16::from_be_bytes([hh, hl])), u64::from(u16::from_be_bytes([wh, wl])));
    let factors: Vec<(u8, u64, u64)> = (0..usize::from(count))
        .filter_map(|c| sof.get(6 + 3 * c..8 + 3 * c))
        .filter_map(|c| match *c {
            [id, f] => Some((id, u64::from(f >> 4).max(1), u64::from(f & 15).max(1))),
            _ => None,
        })
        .collect();
    let h_max = factors.iter().map(|f| f.1).max().unwrap_or(1);
    let v_max = factors.iter().map(|f| f.2).max().unwrap_or(1);
    let (mcus_x, mcus_y) = (width.div_ceil(8 * h_max), height.div_ceil(8 * v_max));
    factors.iter().map(|&(id, h, v)| (id, mcus_x * h * mcus_y * v)).collect()
}

pub(super) fn decode(bytes: &[u8], limits: &DecodeLimits, path: JpegPath, window: Option<Window>) -> Result<Decoded, DecodeError> {
    let markers = summarize_markers(bytes, limits.max_jpeg_scan_blocks);
    if let Some((width, height)) = markers.frame {
        limits.check_dimensions(width, height)?;
    }
    // Time: every scan visits every block of its components, even at 1/8 scale and even for a flat image.
    if markers.scan_blocks > limits.max_jpeg_scan_blocks {
        return Err(DecodeError::JpegWorkLimit { max: limits.max_jpeg_scan_blocks });
    }
    // Memory: a progressive decode keeps every coefficient of the full-size image, whatever the output scale.
    limits.check_decoded_bytes(markers.progressive_coefficient_bytes)?;
    match decode_checked(bytes, limits, path, window) {
        // A file cut inside its entropy-coded data (no EOI): decode what is there, as libjpeg and viewers
        // do, by ending it with EOI; the decoder reads the missing bits as zeros.
        Err(DecodeError::Truncated) if markers.scans > 0 => {
            let mut ended = Vec::with_capacity(bytes.len() + 2);
            ended.extend_from_slice(bytes);
            ended.extend_from_slice(&[0xFF, 0xD9]);
            decode_checked(&ended, limits, path, window)
        }
        other => other,
    }
}

/// Decodes a JPEG whose markers passed the checks in [`decode`].
fn decode_checked(bytes: &[u8], limits: &DecodeLimits, path: JpegPath, window: Option<Window>) -> Result<Decoded, DecodeError> {
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
        JpegPath::Scaled => {
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
    fn marker_walk_counts_scan_blocks_and_sizes_progressive_coefficients() {
        // SOI, SOF2 (16x16, 3 components, 4:2:0), then two scans with stuffed and restart bytes, EOI.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xC2, 0, 17, 8, 0, 16, 0, 16, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
        for _ in 0..2 {
            jpeg.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        }
        jpeg.extend_from_slice(&[0xFF, 0xD9]);
        let summary = summarize_markers(&jpeg, 100);
        // One 16x16 MCU: 4 luma blocks + 1 + 1 chroma blocks, 128 bytes each; each scan covers the 4 luma.
        let expected = MarkerSummary { scans: 2, scan_blocks: 8, progressive_coefficient_bytes: 6 * 128, frame: Some((16, 16)) };
        assert_eq!(summary, expected);
        assert_eq!(summarize_markers(&jpeg, 3).scans, 1, "stops just past the limit");
        assert_eq!(summarize_markers(&jpeg[..30], 100).scans, 1, "a truncated file is not an error here");
    }

    #[test]
    fn picks_the_largest_reduction_keeping_the_short_side() {
        assert_eq!(reduction_for(4000, 3000), 4); // 750 short side at 1/4; 375 at 1/8
        assert_eq!(reduction_for(8000, 6000), 8); // 750 at 1/8
        assert_eq!(reduction_for(1600, 1004), 1); // 502 at 1/2 is too small
        assert_eq!(reduction_for(1024, 1024), 2);
        assert_eq!(reduction_for(300, 5000), 1);
    }
}
