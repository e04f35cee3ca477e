//! Nearest-neighbour resampling to the hashing size, fused with the luma conversion.
//!
//! The reference resizes any image with a side over 512 to exactly 512x512, sampling source pixel
//! `floor(i * W / 512)` for output column `i` (and likewise for rows): checked pixel for pixel against the
//! reference's own resized pixels in the conformance vectors. Luma is a per-pixel function,
//! so converting only the sampled pixels gives the same result as converting everything and then sampling,
//! while touching at most 512x512 source pixels.

use super::HASH_SIDE;
use crate::pdq::{luma_from_rgb, LumaImage};

/// Output size for a `width x height` source: unchanged up to 512 on both sides, else 512x512.
pub(crate) fn output_size(width: usize, height: usize) -> (usize, usize) {
    if width > HASH_SIDE || height > HASH_SIDE {
        (HASH_SIDE, HASH_SIDE)
    } else {
        (width, height)
    }
}

/// For each output index, the source index it samples: `floor(i * source / output)`, exactly, in integers.
pub(crate) fn nearest_indices(source: usize, output: usize) -> Vec<usize> {
    (0..output).map(|i| (i * source) / output).collect()
}

/// The rectangle of a source image that is resampled: the whole image, or the picture found inside its
/// borders (hashed as if it were the whole image: same resize rule on the crop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) x: usize,
    pub(crate) y: usize,
    pub(crate) width: usize,
    pub(crate) height: usize,
}

impl Window {
    pub(crate) fn full(width: usize, height: usize) -> Window {
        Window { x: 0, y: 0, width, height }
    }

    /// The window clipped to a `width x height` source (empty if it lies outside).
    pub(crate) fn clipped(self, width: usize, height: usize) -> Window {
        let x = self.x.min(width);
        let y = self.y.min(height);
        Window { x, y, width: self.width.min(width - x), height: self.height.min(height - y) }
    }
}

/// Builds the luma image for a `width x height` source, reading only sampled pixels through `luma_at(x, y)`.
#[cfg(test)]
pub(crate) fn sample_luma(width: usize, height: usize, luma_at: impl FnMut(usize, usize) -> f32) -> LumaImage {
    sample_luma_in(Window::full(width, height), luma_at)
}

/// Like [`sample_luma`] for the `window` of the source only (which the caller clipped to the source).
pub(crate) fn sample_luma_in(window: Window, mut luma_at: impl FnMut(usize, usize) -> f32) -> LumaImage {
    let (out_width, out_height) = output_size(window.width, window.height);
    let xs: Vec<usize> = nearest_indices(window.width, out_width).into_iter().map(|x| x + window.x).collect();
    let ys: Vec<usize> = nearest_indices(window.height, out_height).into_iter().map(|y| y + window.y).collect();
    let index = |indices: &[usize], i: usize| indices.get(i).copied().unwrap_or(0);
    LumaImage::from_fn(out_width, out_height, |x, y| luma_at(index(&xs, x), index(&ys, y)))
}

// Pixel readers for buffers whose geometry was validated. They cannot fail in practice; a read past the end
// (which validation rules out) yields black instead of a panic.

/// Luma of the RGB triple at byte `i`.
#[inline(always)]
pub(crate) fn rgb_luma(data: &[u8], i: usize) -> f32 {
    match data.get(i..i + 3) {
        Some(&[r, g, b]) => luma_from_rgb(r, g, b),
        _ => 0.0,
    }
}

/// Luma of the BGR triple at byte `i`.
#[inline(always)]
pub(crate) fn bgr_luma(data: &[u8], i: usize) -> f32 {
    match data.get(i..i + 3) {
        Some(&[b, g, r]) => luma_from_rgb(r, g, b),
        _ => 0.0,
    }
}

/// Luma of the gray value at byte `i`.
#[inline(always)]
pub(crate) fn gray_luma(data: &[u8], i: usize) -> f32 {
    data.get(i).map_or(0.0, |&v| luma_from_rgb(v, v, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_follow_the_reference_formula() {
        for (source, output) in [(1024, 512), (1000, 512), (513, 512), (300, 512), (4032, 512)] {
            let indices = nearest_indices(source, output);
            for (i, &index) in indices.iter().enumerate() {
                let expected = (i as f64 * source as f64 / output as f64).floor() as usize;
                assert_eq!(index, expected, "source {source} output {output} index {i}");
                assert!(index < source);
            }
        }
    }

    #[test]
    fn small_images_are_not_resized() {
        assert_eq!(output_size(512, 300), (512, 300));
        assert_eq!(output_size(513, 300), (512, 512));
        let image = sample_luma(7, 5, |x, y| (x + 10 * y) as f32);
        assert_eq!((image.width(), image.height()), (7, 5));
        assert_eq!(image.pixels()[7 + 3], 13.0); // x = 3, y = 1
    }

    #[test]
    fn a_window_is_sampled_as_if_it_were_the_whole_image() {
        let source = |x: usize, y: usize| ((x * 7 + y * 13) % 251) as f32;
        let window = Window { x: 100, y: 40, width: 1500, height: 900 };
        let windowed = sample_luma_in(window, source);
        let cropped = sample_luma(1500, 900, |x, y| source(x + 100, y + 40));
        assert_eq!(windowed.pixels(), cropped.pixels());
        assert_eq!(Window { x: 10, y: 10, width: 50, height: 50 }.clipped(30, 100), Window { x: 10, y: 10, width: 20, height: 50 });
        assert_eq!(Window { x: 40, y: 0, width: 5, height: 5 }.clipped(30, 100).width, 0);
    }
}
