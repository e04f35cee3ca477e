//! JPEG at full resolution, luma only, through `zune-jpeg`: the reference's own pixels.
//!
//! The reference decodes the whole image and samples source pixel `floor(i * W / 512)`. Any reduction
//! before sampling (the DCT-scaled path) changes those pixels, and on fine texture (wood grain, stripes,
//! foliage) moving the sampling grid by one source pixel already moves the hash by ~100 bits: measured on
//! 106 photos at their own resolution, the DCT-scaled path lands a median 2 and up to 92 bits from the
//! reference, this path a median 0 and at most 8 (BENCHMARKS.md). Above [`COLOUR_MAX_PIXELS`] only the
//! luma component is decoded: the reference's `0.299 R + 0.587 G + 0.114 B` of the decoded colour is the
//! JPEG's own Y channel up to rounding and clamping (the YCbCr matrix is built that way), so the chroma
//! planes are parsed but never transformed, upsampled or converted, which is what makes this faster than a
//! full colour decode. Where R, G or B clamps (saturated colours, sharpened edges) Y differs from the
//! reference's luma; a small image, where a colour decode costs a few milliseconds, is decoded in colour.
//!
//! Memory is the luma plane (one byte per pixel) plus, for a progressive file, the coefficients every
//! decoder keeps; [`FULL_LUMA_MAX_BYTES`] bounds the plane so that larger photos take the DCT-scaled path
//! and a 48 MP photo stays within its memory budget.

use super::markers::MarkerSummary;
use crate::decode::sample::{self, Window};
use crate::decode::{area, DecodeLimits, Decoded, ImageFormat};
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

/// Largest luma plane decoded at full resolution: 32 MiB, a 33 MP photo, and at most a quarter of
/// [`DecodeLimits::max_decoded_bytes`] (so under `DecodeLimits::low_memory` a 12 MP photo is DCT-scaled,
/// adding ~5 MiB instead of ~14). Larger ones are DCT-scaled.
pub(super) const FULL_LUMA_MAX_BYTES: u64 = 32 << 20;
/// Images up to 2 MP are decoded in colour, for the reference's luma exactly: the conversion costs ~40%
/// more decode time, a few milliseconds at this size (measured in BENCHMARKS.md).
const COLOUR_MAX_PIXELS: u64 = 2_000_000;

/// The luma picture from a full-resolution decode, or `None` when this path does not apply (too large for
/// its memory budget, a colour model other than YCbCr or gray) or the decoder gave up; the caller then
/// takes the DCT-scaled path, which also gives the typed error for a file that is really broken.
pub(super) fn decode(bytes: &[u8], limits: &DecodeLimits, markers: &MarkerSummary, window: Option<Window>) -> Option<Decoded> {
    let (width, height) = markers.frame?;
    let pixels = width.checked_mul(height)?;
    let (output, channels) = if pixels <= COLOUR_MAX_PIXELS { (ColorSpace::RGB, 3) } else { (ColorSpace::Luma, 1) };
    let plane_bytes = pixels.checked_mul(channels)?;
    let held = plane_bytes.checked_add(markers.progressive_coefficient_bytes)?;
    if plane_bytes > FULL_LUMA_MAX_BYTES.min(limits.max_decoded_bytes / 4) || held > limits.max_decoded_bytes {
        return None;
    }
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(output)
        .set_max_width(usize::try_from(width).ok()?)
        .set_max_height(usize::try_from(height).ok()?)
        // Scans are bounded by the blocks they visit (`DecodeLimits::max_jpeg_scan_blocks`), not counted.
        .jpeg_set_max_scans(usize::try_from(markers.scans).ok()?.saturating_add(1))
        .set_strict_mode(false);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().ok()?;
    let input = decoder.input_colorspace()?;
    if !matches!(input, ColorSpace::YCbCr | ColorSpace::Luma) || decoder.output_colorspace()? != output {
        return None;
    }
    let (w, h) = decoder.dimensions()?;
    if (w as u64, h as u64) != (width, height) {
        return None;
    }
    let mut plane = vec![0u8; decoder.output_buffer_size()?];
    decoder.decode_into(&mut plane).ok()?;
    let (w, h) = (width as usize, height as usize);
    let window = window.unwrap_or(Window::full(w, h)).clipped(w, h);
    let whole = window == Window::full(w, h);
    let luma = if channels == 3 {
        sample::sample_luma_in(window, |x, y| sample::rgb_luma(&plane, (y * w + x) * 3))
    } else {
        sample::sample_luma_in(window, |x, y| sample::gray_luma(&plane, y * w + x))
    };
    // Sampling reads one pixel in each output cell of a large image: the averaged picture is what a
    // sender who replaces exactly those pixels cannot change (`area`). A colour image (at most 2 MP) is
    // averaged through its gray plane.
    let reduced = luma.width() < w && luma.height() < h;
    let averaged = match (whole && reduced, channels) {
        (false, _) => None,
        (true, 1) => area::average_plane(&plane, w, h, luma.width(), luma.height()),
        (true, _) => area::average_plane(&area::gray_plane(&plane), w, h, luma.width(), luma.height()),
    };
    Some(Decoded { luma, alternates: Vec::new(), averaged, format: ImageFormat::Jpeg, source_width: w as u32, source_height: h as u32 })
}
