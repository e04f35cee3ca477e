//! WebP (still and animated) through `image-webp`. The decoder composites an animation on a full-size
//! canvas, so WebP needs a full-size buffer (within [`DecodeLimits::max_decoded_bytes`]); each frame is
//! then sampled into the canvas that [`Pictures`] collects, so a known picture in a later frame matches.

use super::animation::Pictures;
use super::canvas::SampledCanvas;
use super::sample::Window;
use super::{Corruption, DecodeError, DecodeLimits, Decoded, ImageFormat};
use image_webp::{DecodingError, WebPDecoder};
use std::io::Cursor;

pub(super) fn decode(bytes: &[u8], limits: &DecodeLimits, window: Option<Window>) -> Result<Decoded, DecodeError> {
    let mut decoder = WebPDecoder::new(Cursor::new(bytes)).map_err(|e| map_error(e, limits))?;
    let (width, height) = decoder.dimensions();
    limits.check_dimensions(width.into(), height.into())?;
    let memory_error = DecodeError::MemoryLimit { max_bytes: limits.max_decoded_bytes };
    let size = decoder.output_buffer_size().ok_or(memory_error.clone())?;
    // The decoder's own canvas (animations) and ours.
    let held = if decoder.is_animated() { 2 * size as u64 } else { size as u64 };
    limits.check_decoded_bytes(held)?;
    decoder.set_memory_limit(usize::try_from(limits.max_decoded_bytes).unwrap_or(usize::MAX));
    let channels = if decoder.has_alpha() { 4 } else { 3 };
    let mut buffer = vec![0u8; size];
    let window = window.unwrap_or(Window::full(width as usize, height as usize));
    let mut canvas = SampledCanvas::with_area_in(width as usize, height as usize, window);
    let mut averaged = None;
    let mut pictures = Pictures::default();
    if decoder.is_animated() {
        let mut left = limits.max_decoded_bytes;
        for _ in 0..decoder.num_frames() {
            // Past the work bound a long animation keeps the frames seen so far (like the frame bound).
            match left.checked_sub(size as u64) {
                Some(rest) => left = rest,
                None if pictures.is_empty() => return Err(memory_error),
                None => break,
            }
            match decoder.read_frame(&mut buffer) {
                Ok(_) => {}
                Err(e) if pictures.is_empty() => return Err(map_error(e, limits)),
                Err(_) => break,
            }
            sample_into(&mut canvas, &buffer, width as usize, channels);
            let more = pictures.add(&canvas);
            if averaged.is_none() {
                averaged = canvas.take_area_luma();
            }
            if !more {
                break;
            }
        }
    } else {
        decoder.read_image(&mut buffer).map_err(|e| map_error(e, limits))?;
        sample_into(&mut canvas, &buffer, width as usize, channels);
        pictures.add(&canvas);
        averaged = canvas.take_area_luma();
    }
    let (luma, alternates) = pictures.finish().ok_or(DecodeError::Truncated)?;
    Ok(Decoded { luma, alternates, averaged, format: ImageFormat::WebP, source_width: width, source_height: height })
}

fn sample_into(canvas: &mut SampledCanvas, buffer: &[u8], width: usize, channels: usize) {
    for (y, row) in buffer.chunks(width * channels).enumerate() {
        canvas.write_row_bytes(y, 0, row, channels, false);
    }
}

fn map_error(error: DecodingError, limits: &DecodeLimits) -> DecodeError {
    match error {
        DecodingError::MemoryLimitExceeded | DecodingError::ImageTooLarge => {
            DecodeError::MemoryLimit { max_bytes: limits.max_decoded_bytes }
        }
        DecodingError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => DecodeError::Truncated,
        // Decoding reads from memory: any other failure is malformed data. The decoder's own text can
        // quote values computed from the image (a PNG chunk's CRC, lengths): it is never passed on.
        _ => DecodeError::Corrupt { what: Corruption::MalformedData },
    }
}
