//! The single-channel float image that PDQ hashes, and the reference's RGB-to-luma formula.

/// A luma image, row-major, one `f32` per pixel in 0.0..=255.0.
///
/// Producers (decoders, raw-pixel adapters) resize to the hashing size *before* building one of these,
/// so it is never larger than 512x512 in the normal pipeline.
#[derive(Clone, PartialEq)]
pub struct LumaImage {
    width: usize,
    height: usize,
    pixels: Vec<f32>,
}

impl std::fmt::Debug for LumaImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LumaImage({}x{})", self.width, self.height)
    }
}

impl LumaImage {
    /// Wraps `pixels` (row-major, `width * height` values). Returns `None` if the length does not match.
    pub fn new(width: usize, height: usize, pixels: Vec<f32>) -> Option<LumaImage> {
        (width.checked_mul(height)? == pixels.len()).then_some(LumaImage { width, height, pixels })
    }

    /// Builds an image by calling `pixel(x, y)` for every pixel, row by row.
    pub fn from_fn(width: usize, height: usize, mut pixel: impl FnMut(usize, usize) -> f32) -> LumaImage {
        let mut pixels = Vec::with_capacity(width * height);
        for y in 0..height {
            for x in 0..width {
                pixels.push(pixel(x, y));
            }
        }
        LumaImage { width, height, pixels }
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn pixels(&self) -> &[f32] {
        &self.pixels
    }

    pub(crate) fn into_pixels(self) -> Vec<f32> {
        self.pixels
    }
}

/// Luma of one RGB pixel exactly as the reference computes it: `0.299 R + 0.587 G + 0.114 B` in `f32`,
/// evaluated left to right with no fused multiply-add.
#[inline(always)]
pub fn luma_from_rgb(r: u8, g: u8, b: u8) -> f32 {
    const R: f32 = 0.299;
    const G: f32 = 0.587;
    const B: f32 = 0.114;
    R * r as f32 + G * g as f32 + B * b as f32
}
