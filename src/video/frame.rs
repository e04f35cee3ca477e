//! A video frame's PDQ hash, as the vPDQ hasher computes it.
//!
//! vPDQ converts each sampled frame to RGB24 at the video's own size (ffmpeg's swscale with the area
//! filter, which only matters when the decoder's pixel format is subsampled YUV) and hashes that RGB
//! buffer with PDQ directly: luma `0.299 R + 0.587 G + 0.114 B` at full size, then the Jarosz blur with
//! window `ceil(side / 128)` down to 64x64. There is no 512x512 pre-resize, unlike the still-image tool,
//! so frames are *not* fed through [`crate::decode`]'s sampling canvas: hashing them that way would give
//! hashes a few bits away from the reference's.
//!
//! The platform (or the CLI, through ffmpeg) decodes and converts; the core only ever sees pixels.

use crate::decode::{BufferError, DecodeError, DecodeLimits, PixelBuffer, PixelFormat};
use crate::pdq::{self, luma_from_rgb, LumaImage, PdqFeatures};

/// Which frames vPDQ hashes at one hash per second: every `floor(fps)`-th frame, counting from 0 (frame
/// 0, 29, 58... at 29.97 fps), and every frame below 2 fps. Unusable rates (0, negative, NaN) give 1.
pub fn frame_step(frames_per_second: f64) -> u64 {
    if frames_per_second.is_finite() && frames_per_second >= 1.0 {
        // Truncation toward zero, as the reference's `static_cast<int>`; capped far above any real rate.
        (frames_per_second.min(1e6) as u64).max(1)
    } else {
        1
    }
}

/// The PDQ features of one frame's pixels at full size. Refuses a buffer whose geometry is inconsistent,
/// whose pixel count is over `limits` or whose float copies would pass its memory limit (a 1080p frame
/// needs 16 MB), before any allocation.
pub fn hash_frame(buffer: &PixelBuffer<'_>, limits: &DecodeLimits) -> Result<PdqFeatures, DecodeError> {
    buffer.validate()?;
    let (width, height) = (buffer.width(), buffer.height());
    limits.check_dimensions(width as u64, height as u64)?;
    // The luma image and the blur's scratch copy, 4 bytes a pixel each.
    limits.check_decoded_bytes((width as u64).saturating_mul(height as u64).saturating_mul(8))?;
    let (data, stride, format) = (buffer.data(), buffer.stride(), buffer.format());
    let bpp = format.bytes_per_pixel();
    let mut pixels = Vec::with_capacity(width * height);
    for row in 0..height {
        let start = row * stride;
        let line = data.get(start..start + width * bpp).ok_or(DecodeError::BadBuffer(BufferError::Overflow))?;
        match format {
            PixelFormat::Rgb8 | PixelFormat::Rgba8 => {
                pixels.extend(line.chunks_exact(bpp).map(|p| luma_of(p, 0, 1, 2)));
            }
            PixelFormat::Bgra8 => pixels.extend(line.chunks_exact(bpp).map(|p| luma_of(p, 2, 1, 0))),
            PixelFormat::Gray8 => pixels.extend(line.iter().map(|&v| luma_from_rgb(v, v, v))),
        }
    }
    let luma = LumaImage::new(width, height, pixels).ok_or(DecodeError::BadBuffer(BufferError::Overflow))?;
    Ok(pdq::compute(luma))
}

#[inline]
fn luma_of(pixel: &[u8], r: usize, g: usize, b: usize) -> f32 {
    let channel = |i: usize| pixel.get(i).copied().unwrap_or(0);
    luma_from_rgb(channel(r), channel(g), channel(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_step_is_the_floored_frame_rate() {
        assert_eq!(frame_step(29.97), 29);
        assert_eq!(frame_step(30.0), 30);
        assert_eq!(frame_step(25.0), 25);
        assert_eq!(frame_step(1.5), 1);
        for unusable in [0.0, 0.5, -3.0, f64::NAN, f64::INFINITY] {
            assert_eq!(frame_step(unusable), 1, "{unusable}");
        }
    }

    fn scene(width: usize, height: usize) -> Vec<u8> {
        (0..width * height)
            .flat_map(|i| {
                let (x, y) = (i % width, i / width);
                [((x * 7) ^ (y * 3)) as u8, (x * y / 31) as u8, ((x + 2 * y) % 251) as u8]
            })
            .collect()
    }

    #[test]
    fn frames_hash_at_full_size_like_a_luma_image() {
        let (w, h) = (720, 404);
        let rgb = scene(w, h);
        let buffer = PixelBuffer::new(&rgb, w, h, w * 3, PixelFormat::Rgb8);
        let features = hash_frame(&buffer, &DecodeLimits::default()).unwrap();
        let direct = pdq::compute(LumaImage::from_fn(w, h, |x, y| {
            let p = &rgb[(y * w + x) * 3..];
            luma_from_rgb(p[0], p[1], p[2])
        }));
        assert_eq!(features.hash(), direct.hash());
        assert_eq!(features.quality(), direct.quality());
        // BGRA with padding gives the same hash.
        let stride = w * 4 + 12;
        let mut bgra = vec![0u8; stride * h];
        for y in 0..h {
            for x in 0..w {
                let (s, d) = ((y * w + x) * 3, y * stride + x * 4);
                bgra[d..d + 4].copy_from_slice(&[rgb[s + 2], rgb[s + 1], rgb[s], 255]);
            }
        }
        let padded = PixelBuffer::new(&bgra, w, h, stride, PixelFormat::Bgra8);
        assert_eq!(hash_frame(&padded, &DecodeLimits::default()).unwrap().hash(), direct.hash());
    }

    #[test]
    fn bad_buffers_and_huge_frames_are_refused() {
        let rgb = scene(10, 10);
        let short = PixelBuffer::new(&rgb[..200], 10, 10, 30, PixelFormat::Rgb8);
        assert!(matches!(hash_frame(&short, &DecodeLimits::default()), Err(DecodeError::BadBuffer(_))));
        let limits = DecodeLimits { max_pixels: 99, ..DecodeLimits::default() };
        let ok = PixelBuffer::new(&rgb, 10, 10, 30, PixelFormat::Rgb8);
        assert!(matches!(hash_frame(&ok, &limits), Err(DecodeError::TooManyPixels { .. })));
    }
}
