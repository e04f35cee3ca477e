//! Raw pixel buffers handed over by the platform (Android `Bitmap`, iOS `CGImage`), read in place.

use super::sample::Window;
use super::{sample, BufferError, DecodeError};
use crate::pdq::LumaImage;

/// Layout of one pixel in a raw buffer. Alpha is ignored, as the reference ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    Rgba8,
    Bgra8,
    Rgb8,
    Gray8,
}

impl PixelFormat {
    pub fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Rgba8 | PixelFormat::Bgra8 => 4,
            PixelFormat::Rgb8 => 3,
            PixelFormat::Gray8 => 1,
        }
    }
}

/// A borrowed pixel buffer: `height` rows of `stride` bytes, each starting with `width` pixels.
#[derive(Debug, Clone, Copy)]
pub struct PixelBuffer<'a> {
    data: &'a [u8],
    width: usize,
    height: usize,
    stride: usize,
    format: PixelFormat,
}

impl<'a> PixelBuffer<'a> {
    /// Describes a buffer; [`PixelBuffer::validate`] (called by every consumer) checks the geometry.
    pub fn new(data: &'a [u8], width: usize, height: usize, stride: usize, format: PixelFormat) -> Self {
        PixelBuffer { data, width, height, stride, format }
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn stride(&self) -> usize {
        self.stride
    }

    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// The bytes as given (check [`PixelBuffer::validate`] before indexing rows).
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Checks that the geometry is consistent and that the data covers it (the last row may omit its padding).
    pub fn validate(&self) -> Result<(), DecodeError> {
        if self.width == 0 || self.height == 0 {
            return Err(BufferError::ZeroSize { width: self.width, height: self.height }.into());
        }
        let row_bytes = self
            .width
            .checked_mul(self.format.bytes_per_pixel())
            .ok_or(BufferError::Overflow)?;
        if self.stride < row_bytes {
            return Err(BufferError::StrideTooShort { stride: self.stride, width: self.width, row_bytes }.into());
        }
        let needed = (self.height - 1)
            .checked_mul(self.stride)
            .and_then(|rows| rows.checked_add(row_bytes))
            .ok_or(BufferError::Overflow)?;
        if self.data.len() < needed {
            let (given, width, height, stride) = (self.data.len(), self.width, self.height, self.stride);
            return Err(BufferError::TooShort { given, needed, width, height, stride }.into());
        }
        Ok(())
    }
}

/// Samples the luma image from a buffer that passed [`PixelBuffer::validate`].
pub(crate) fn sample_luma(buffer: &PixelBuffer<'_>) -> LumaImage {
    sample_luma_in(buffer, Window::full(buffer.width, buffer.height))
}

/// Samples the luma image of `window` (clipped to the buffer) from a buffer that passed
/// [`PixelBuffer::validate`].
pub(crate) fn sample_luma_in(buffer: &PixelBuffer<'_>, window: Window) -> LumaImage {
    let PixelBuffer { data, width, height, stride, format } = *buffer;
    let window = window.clipped(width, height);
    let bpp = format.bytes_per_pixel();
    let at = |x: usize, y: usize| y * stride + x * bpp;
    match format {
        PixelFormat::Rgba8 | PixelFormat::Rgb8 => sample::sample_luma_in(window, |x, y| sample::rgb_luma(data, at(x, y))),
        PixelFormat::Bgra8 => sample::sample_luma_in(window, |x, y| sample::bgr_luma(data, at(x, y))),
        PixelFormat::Gray8 => sample::sample_luma_in(window, |x, y| sample::gray_luma(data, at(x, y))),
    }
}
