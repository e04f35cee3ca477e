//! The picture a viewer shows, kept only at the pixels that the reference's resampling reads.
//!
//! PNG rows, GIF and APNG frames and WebP canvases are written into this canvas instead of a full-size
//! buffer: it holds RGBA for the (at most 512x512) source pixels that nearest-neighbour resampling samples
//! (see `sample`), so streaming a 100 MP PNG or compositing an animation costs 1 MiB whatever the image
//! size. Compositing is per pixel, so doing it on the sampled pixels only gives exactly the sampled pixels
//! of the full-size composite.

use super::area::AreaSums;
use super::sample::{self, Window};
use crate::pdq::{luma_from_rgb, LumaImage};

/// An RGBA picture of `width x height`, stored at its sampled positions only.
#[derive(Clone)]
pub(crate) struct SampledCanvas {
    width: usize,
    height: usize,
    /// The part of the source that is resampled (the whole of it, or a picture inside its borders).
    window: Window,
    out_width: usize,
    out_height: usize,
    /// `out_width x out_height` RGBA pixels, row by row; starts fully transparent black.
    pixels: Vec<[u8; 4]>,
    /// Every pixel averaged per output cell, for the first picture of a reduced image (see `area`).
    area: Option<AreaSums>,
}

/// The output indices that sample source index `source` (of `len`, resampled to `out`): the `j` with
/// `floor(j * len / out) == source`, which is `ceil(source * out / len) .. ceil((source + 1) * out / len)`.
fn outputs_of(source: usize, len: usize, out: usize) -> std::ops::Range<usize> {
    let start = (source.saturating_mul(out)).div_ceil(len.max(1)).min(out);
    let end = ((source.saturating_add(1)).saturating_mul(out)).div_ceil(len.max(1)).min(out);
    start..end
}

impl SampledCanvas {
    #[cfg(test)]
    pub(crate) fn new(width: usize, height: usize) -> SampledCanvas {
        SampledCanvas::new_in(width, height, Window::full(width, height))
    }

    /// A canvas that keeps the sampled pixels of `window` (clipped to the source) only.
    pub(crate) fn new_in(width: usize, height: usize, window: Window) -> SampledCanvas {
        let window = window.clipped(width, height);
        let (out_width, out_height) = sample::output_size(window.width, window.height);
        SampledCanvas { width, height, window, out_width, out_height, pixels: vec![[0; 4]; out_width * out_height], area: None }
    }

    /// [`SampledCanvas::new_in`] that also averages every pixel written per output cell, when the window is
    /// the whole image and it is reduced on both sides: for the first picture of a file, see
    /// [`SampledCanvas::take_area_luma`].
    pub(crate) fn with_area_in(width: usize, height: usize, window: Window) -> SampledCanvas {
        let mut canvas = SampledCanvas::new_in(width, height, window);
        if canvas.window == Window::full(width, height) {
            canvas.area = AreaSums::new(width, height, canvas.out_width, canvas.out_height);
        }
        canvas
    }

    /// The averaged picture written so far (on white), and stop averaging: later frames composite over
    /// earlier ones, which the sums cannot follow.
    pub(crate) fn take_area_luma(&mut self) -> Option<LumaImage> {
        self.area.take()?.luma()
    }

    /// The same canvas, cleared (fully transparent black), without averaging.
    pub(crate) fn cleared(&self) -> SampledCanvas {
        SampledCanvas::new_in(self.width, self.height, self.window)
    }

    /// Writes the row segment of source row `y` that starts at column `x0` and has `len` pixels; `pixel(i)`
    /// gives its `i`-th pixel (read only where sampled). With `blend`, the pixel is drawn over what is
    /// there (straight alpha, as APNG, GIF and WebP composite); without, it replaces it.
    pub(crate) fn write_row(&mut self, y: usize, x0: usize, len: usize, mut pixel: impl FnMut(usize) -> [u8; 4], blend: bool) {
        // Only the first picture is averaged, drawn on a fresh canvas: blending over nothing is the pixel.
        if let Some(area) = &mut self.area {
            area.add_row(y, x0, len, &mut pixel);
        }
        self.write_sampled(y, x0, len, pixel, blend);
    }

    /// [`SampledCanvas::write_row`] for 8-bit RGB (`channels` 3) or RGBA (4) bytes, the common case: every
    /// pixel is read for the averaged picture, so this avoids a call per pixel.
    pub(crate) fn write_row_bytes(&mut self, y: usize, x0: usize, bytes: &[u8], channels: usize, blend: bool) {
        if let Some(area) = &mut self.area {
            area.add_row_bytes(y, x0, bytes, channels);
        }
        let len = bytes.len() / channels.max(1);
        let at = |i: usize, k: usize| bytes.get(channels * i + k).copied().unwrap_or(0);
        self.write_sampled(y, x0, len, |i| [at(i, 0), at(i, 1), at(i, 2), if channels == 4 { at(i, 3) } else { 255 }], blend);
    }

    /// Writes the sampled pixels of a row segment (see [`SampledCanvas::write_row`]).
    fn write_sampled(&mut self, y: usize, x0: usize, len: usize, mut pixel: impl FnMut(usize) -> [u8; 4], blend: bool) {
        let window = self.window;
        // The segment's part inside the window, in window coordinates.
        let start = x0.max(window.x);
        let end = x0.saturating_add(len).min(window.x + window.width);
        if start >= end || y < window.y || y >= window.y + window.height {
            return;
        }
        let columns = outputs_of(start - window.x, window.width, self.out_width).start
            ..outputs_of(end - 1 - window.x, window.width, self.out_width).end;
        for j in outputs_of(y - window.y, window.height, self.out_height) {
            for i in columns.clone() {
                let source_x = window.x + i * window.width / self.out_width;
                let Some(offset) = source_x.checked_sub(x0).filter(|&o| o < len) else { continue };
                let value = pixel(offset);
                if let Some(dst) = self.pixels.get_mut(j * self.out_width + i) {
                    *dst = if blend { over(value, *dst) } else { value };
                }
            }
        }
    }

    /// Sets a rectangle (clipped to the canvas) to `value`: frame disposal.
    pub(crate) fn fill_rect(&mut self, x0: usize, y0: usize, w: usize, h: usize, value: [u8; 4]) {
        for y in y0..y0.saturating_add(h).min(self.height) {
            self.write_row(y, x0, w, |_| value, false);
        }
    }

    /// The work of looking at the picture once (luma, composites, comparison: about four passes over the
    /// <= 512x512 kept pixels), in bytes of pixel data: every animation frame is charged this on top of
    /// its own pixels, so that a million 1-pixel frames are bounded work.
    pub(crate) fn look_cost(&self) -> u64 {
        4 * self.pixels.len() as u64
    }

    /// True when any sampled pixel is not fully opaque: the picture then depends on the background.
    pub(crate) fn has_transparency(&self) -> bool {
        self.pixels.iter().any(|p| p[3] != 255)
    }

    /// The colour channels as stored, alpha ignored: what the reference pipeline hashes.
    pub(crate) fn luma_ignoring_alpha(&self) -> LumaImage {
        self.luma(|[r, g, b, _]| luma_from_rgb(r, g, b))
    }

    /// The picture composited on a gray `background` (255 white, 0 black), as a viewer shows it.
    pub(crate) fn luma_on(&self, background: u8) -> LumaImage {
        let mix = |c: u8, a: u8| ((u32::from(c) * u32::from(a) + u32::from(background) * (255 - u32::from(a)) + 127) / 255) as u8;
        self.luma(|[r, g, b, a]| luma_from_rgb(mix(r, a), mix(g, a), mix(b, a)))
    }

    fn luma(&self, luma_of: impl Fn([u8; 4]) -> f32) -> LumaImage {
        let pixels = &self.pixels;
        let width = self.out_width;
        LumaImage::from_fn(self.out_width, self.out_height, |x, y| pixels.get(y * width + x).map_or(0.0, |&p| luma_of(p)))
    }
}

/// `top` drawn over `bottom`, straight (non-premultiplied) alpha, rounded to the nearest value.
fn over(top: [u8; 4], bottom: [u8; 4]) -> [u8; 4] {
    let ta = u32::from(top[3]);
    if ta == 255 {
        return top;
    }
    if ta == 0 {
        return bottom;
    }
    let ba = u32::from(bottom[3]) * (255 - ta) / 255;
    let alpha = ta + ba;
    let mix = |t: u8, b: u8| ((u32::from(t) * ta + u32::from(b) * ba + alpha / 2) / alpha) as u8;
    [mix(top[0], bottom[0]), mix(top[1], bottom[1]), mix(top[2], bottom[2]), alpha as u8]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_ranges_invert_the_sampling_formula() {
        for (len, out) in [(1000, 512), (300, 512), (512, 512), (4096, 512), (7, 7)] {
            let mut seen = vec![0; out];
            for source in 0..len {
                for j in outputs_of(source, len, out) {
                    assert_eq!(j * len / out, source);
                    seen[j] += 1;
                }
            }
            assert!(seen.iter().all(|&n| n == 1), "every output index is sampled exactly once");
        }
    }

    #[test]
    fn rows_written_at_full_size_give_the_sampled_picture() {
        let (w, h) = (1200, 700);
        let mut canvas = SampledCanvas::new(w, h);
        let color = |x: usize, y: usize| [(x % 251) as u8, (y % 241) as u8, ((x + y) % 239) as u8, 255];
        for y in 0..h {
            // Two segments per row, as frames and streamed rows write them.
            canvas.write_row(y, 0, 500, |i| color(i, y), false);
            canvas.write_row(y, 500, w - 500, |i| color(500 + i, y), false);
        }
        let expected = sample::sample_luma(w, h, |x, y| {
            let [r, g, b, _] = color(x, y);
            luma_from_rgb(r, g, b)
        });
        assert_eq!(canvas.luma_ignoring_alpha().pixels(), expected.pixels());
        assert!(!canvas.has_transparency());

        // A window of the same rows gives the window's sampled picture.
        let window = Window { x: 130, y: 50, width: 900, height: 600 };
        let mut canvas = SampledCanvas::new_in(w, h, window);
        for y in 0..h {
            canvas.write_row(y, 0, 500, |i| color(i, y), false);
            canvas.write_row(y, 500, w - 500, |i| color(500 + i, y), false);
        }
        let expected = sample::sample_luma_in(window, |x, y| {
            let [r, g, b, _] = color(x, y);
            luma_from_rgb(r, g, b)
        });
        assert_eq!(canvas.luma_ignoring_alpha().pixels(), expected.pixels());
        assert!(!canvas.has_transparency());
    }

    #[test]
    fn alpha_composites_on_white_and_black() {
        let mut canvas = SampledCanvas::new(2, 1);
        canvas.write_row(0, 0, 2, |i| if i == 0 { [0, 0, 0, 0] } else { [200, 200, 200, 255] }, false);
        assert!(canvas.has_transparency());
        assert_eq!(canvas.luma_on(255).pixels()[0], luma_from_rgb(255, 255, 255));
        assert_eq!(canvas.luma_on(0).pixels()[0], luma_from_rgb(0, 0, 0));
        assert_eq!(canvas.luma_on(0).pixels()[1], luma_from_rgb(200, 200, 200));
        assert_eq!(over([100, 0, 0, 128], [0, 0, 100, 255]), [50, 0, 50, 255]);
        assert_eq!(over([9, 9, 9, 0], [1, 2, 3, 4]), [1, 2, 3, 4]);
    }
}
