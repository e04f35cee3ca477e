//! GIF through the `gif` crate, every frame composited into the sampled canvas as viewers do
//! (transparency, disposal), and collected by [`Pictures`]: a known picture in a later frame matches.

use super::animation::Pictures;
use super::canvas::SampledCanvas;
use super::sample::Window;
use super::{Corruption, DecodeError, DecodeLimits, Decoded, ImageFormat};
use gif::{ColorOutput, DecodeOptions, DisposalMethod, MemoryLimit};

pub(super) fn decode(bytes: &[u8], limits: &DecodeLimits, window: Option<Window>) -> Result<Decoded, DecodeError> {
    let mut options = DecodeOptions::new();
    options.set_color_output(ColorOutput::Indexed);
    // One frame's indices at a time; the sum over frames is bounded below.
    options.set_memory_limit(MemoryLimit::Bytes(limits.max_decoded_bytes.try_into().unwrap_or(std::num::NonZeroU64::MIN)));
    let mut decoder = options.read_info(bytes).map_err(|e| map_error(e, limits))?;
    let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    limits.check_dimensions(width.into(), height.into())?;
    let global_palette = decoder.global_palette().map(<[u8]>::to_vec).unwrap_or_default();

    let window = window.unwrap_or(Window::full(width as usize, height as usize));
    let mut canvas = SampledCanvas::with_area_in(width as usize, height as usize, window);
    let mut averaged = None;
    let mut pictures = Pictures::default();
    let mut left = limits.max_decoded_bytes;
    loop {
        let frame = match decoder.read_next_frame() {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            // A cut or broken file keeps the frames read so far, as viewers show them; with none, it fails.
            Err(e) if pictures.is_empty() => return Err(map_error(e, limits)),
            Err(_) => break,
        };
        let (x0, y0, w, h) = (usize::from(frame.left), usize::from(frame.top), usize::from(frame.width), usize::from(frame.height));
        let work = (w * h) as u64 + canvas.look_cost();
        // Past the work bound a long animation keeps the frames seen so far (like the frame bound).
        match left.checked_sub(work) {
            Some(rest) => left = rest,
            None if pictures.is_empty() => return Err(DecodeError::MemoryLimit { max_bytes: limits.max_decoded_bytes }),
            None => break,
        }
        let palette = frame.palette.as_deref().unwrap_or(&global_palette);
        let before = (frame.dispose == DisposalMethod::Previous).then(|| canvas.clone());
        for (y, row) in frame.buffer.chunks(w.max(1)).take(h).enumerate() {
            canvas.write_row(y0 + y, x0, w, |i| color(row, i, palette, frame.transparent), true);
        }
        let more = pictures.add(&canvas);
        // The first frame's average; the canvas stops averaging after it.
        if averaged.is_none() {
            averaged = canvas.take_area_luma();
        }
        match (frame.dispose, before) {
            (DisposalMethod::Background, _) => canvas.fill_rect(x0, y0, w, h, [0; 4]),
            (DisposalMethod::Previous, Some(before)) => canvas = before,
            _ => {}
        }
        if !more {
            break;
        }
    }
    let (luma, alternates) = pictures.finish().ok_or(DecodeError::Truncated)?;
    Ok(Decoded { luma, alternates, averaged, format: ImageFormat::Gif, source_width: width, source_height: height })
}

/// The RGBA of palette index `row[i]`; the transparent index is fully transparent.
fn color(row: &[u8], i: usize, palette: &[u8], transparent: Option<u8>) -> [u8; 4] {
    let index = row.get(i).copied().unwrap_or(0);
    if Some(index) == transparent {
        return [0; 4];
    }
    let at = |k: usize| palette.get(3 * usize::from(index) + k).copied().unwrap_or(0);
    [at(0), at(1), at(2), 255]
}

fn map_error(error: gif::DecodingError, limits: &DecodeLimits) -> DecodeError {
    match error {
        gif::DecodingError::MemoryLimit | gif::DecodingError::OutOfMemory => {
            DecodeError::MemoryLimit { max_bytes: limits.max_decoded_bytes }
        }
        gif::DecodingError::UnexpectedEof => DecodeError::Truncated,
        gif::DecodingError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => DecodeError::Truncated,
        // Decoding reads from memory: any other failure is malformed data. The decoder's own text can
        // quote values computed from the image (a PNG chunk's CRC, lengths): it is never passed on.
        _ => DecodeError::Corrupt { what: Corruption::MalformedData },
    }
}
