//! PNG and APNG through the `png` crate, row by row into the sampled canvas: no full-size buffer for
//! non-interlaced files, however large.
//!
//! Read as viewers read them: CRC and Adler-32 checksums are not verified (browsers and PIL show a file
//! whose IDAT CRC is wrong), and nothing after the image data is needed (a file without IEND decodes).
//! Every APNG frame is composited as the APNG spec says (blend and dispose ops) and collected by
//! [`Pictures`]; the default image is hashed too, whether or not it is part of the animation.

use super::animation::Pictures;
use super::canvas::SampledCanvas;
use super::sample::Window;
use super::{Corruption, DecodeError, DecodeLimits, Decoded, ImageFormat};
use png::{BlendOp, ColorType, DisposeOp, Transformations};
use std::io::Cursor;

pub(super) fn decode(bytes: &[u8], limits: &DecodeLimits, window: Option<Window>) -> Result<Decoded, DecodeError> {
    let png_limits = png::Limits { bytes: usize::try_from(limits.max_decoded_bytes).unwrap_or(usize::MAX) };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), png_limits);
    decoder.ignore_checksums(true);
    // Palette and low bit depths to 8 bits, tRNS to an alpha channel, 16 bits to their high byte.
    decoder.set_transformations(Transformations::EXPAND | Transformations::STRIP_16);
    let header = decoder.read_header_info().map_err(|e| map_error(e, limits))?;
    let (width, height) = (header.width, header.height);
    limits.check_dimensions(width.into(), height.into())?;
    let mut reader = decoder.read_info().map_err(|e| map_error(e, limits))?;
    let frames = reader.info().animation_control().map_or(1, |a| a.num_frames);
    let default_control = reader.info().frame_control().cloned();
    let default_in_animation = default_control.is_some();

    let mut budget = Budget { left: limits.max_decoded_bytes, limits };
    let window = window.unwrap_or(Window::full(width as usize, height as usize));
    let mut canvas = SampledCanvas::with_area_in(width as usize, height as usize, window);
    let mut pictures = Pictures::default();
    let full = Region { x: 0, y: 0, width: width as usize, height: height as usize };
    read_frame(&mut reader, &mut canvas, full, false, &mut budget)?;
    let mut more = pictures.add(&canvas);
    let averaged = canvas.take_area_luma();

    // APNG: the animation's canvas starts transparent unless the default image is its first frame.
    let mut decoded = u32::from(default_in_animation);
    // The first frame's "previous" disposal means "background", as the APNG spec says.
    if !matches!(&default_control, Some(c) if c.dispose_op == DisposeOp::None) {
        canvas = canvas.cleared();
    }
    while more && decoded < frames {
        // A broken or truncated animation keeps the frames read so far.
        let Ok(control) = reader.next_frame_info().cloned() else { break };
        let region = Region {
            x: control.x_offset as usize,
            y: control.y_offset as usize,
            width: control.width as usize,
            height: control.height as usize,
        };
        // Each frame is also charged the work of looking at the canvas (see `look_cost`).
        // Past the work bound a long animation keeps the frames seen so far (like the frame bound).
        if budget.spend(canvas.look_cost()).is_err() {
            break;
        }
        let before = (control.dispose_op == DisposeOp::Previous).then(|| canvas.clone());
        if read_frame(&mut reader, &mut canvas, region, control.blend_op == BlendOp::Over, &mut budget).is_err() {
            break;
        }
        decoded += 1;
        more = pictures.add(&canvas);
        match (control.dispose_op, before) {
            (DisposeOp::Background, _) => canvas.fill_rect(region.x, region.y, region.width, region.height, [0; 4]),
            (DisposeOp::Previous, Some(before)) => canvas = before,
            _ => {}
        }
    }
    let (luma, alternates) = pictures.finish().ok_or(DecodeError::Truncated)?;
    Ok(Decoded { luma, alternates, averaged, format: ImageFormat::Png, source_width: width, source_height: height })
}

#[derive(Debug, Clone, Copy)]
struct Region {
    x: usize,
    y: usize,
    width: usize,
    height: usize,
}

/// What is left of [`DecodeLimits::max_decoded_bytes`] for the rows of every frame together.
struct Budget<'a> {
    left: u64,
    limits: &'a DecodeLimits,
}

impl Budget<'_> {
    fn spend(&mut self, bytes: u64) -> Result<(), DecodeError> {
        self.left = self.left.checked_sub(bytes).ok_or(DecodeError::MemoryLimit { max_bytes: self.limits.max_decoded_bytes })?;
        Ok(())
    }
}

/// Reads the current frame's rows into `region` of the canvas. Interlaced frames are read whole (their
/// rows come in seven passes), within the memory limit.
fn read_frame(
    reader: &mut png::Reader<Cursor<&[u8]>>,
    canvas: &mut SampledCanvas,
    region: Region,
    blend: bool,
    budget: &mut Budget<'_>,
) -> Result<(), DecodeError> {
    let (color, _) = reader.output_color_type();
    let channels = color.samples();
    let row_len = region.width.saturating_mul(channels);
    let row_bytes = row_len as u64;
    budget.spend(row_bytes.saturating_mul(region.height as u64))?;
    let limits = budget.limits;
    let write = |canvas: &mut SampledCanvas, y: usize, row: &[u8]| match color {
        ColorType::Rgb | ColorType::Rgba => {
            canvas.write_row_bytes(region.y + y, region.x, row.get(..row_len).unwrap_or(row), channels, blend)
        }
        _ => canvas.write_row(region.y + y, region.x, region.width, |i| rgba(row, i, color), blend),
    };
    if reader.info().interlaced {
        let mut buffer = vec![0; reader.output_buffer_size().ok_or(DecodeError::MemoryLimit { max_bytes: limits.max_decoded_bytes })?];
        let info = reader.next_frame(&mut buffer).map_err(|e| map_error(e, limits))?;
        for (y, row) in buffer.chunks(info.line_size).take(region.height).enumerate() {
            write(canvas, y, row);
        }
        return Ok(());
    }
    let mut y = 0;
    while y < region.height {
        match reader.next_row() {
            Ok(Some(row)) => write(canvas, y, row.data()),
            Ok(None) => break,
            // A file cut inside its image data shows its first rows, as viewers do; with none, it fails.
            Err(e) if y == 0 => return Err(map_error(e, limits)),
            Err(_) => break,
        }
        y += 1;
    }
    Ok(())
}

fn rgba(row: &[u8], i: usize, color: ColorType) -> [u8; 4] {
    let at = |k: usize| row.get(k).copied().unwrap_or(0);
    match color {
        ColorType::Grayscale | ColorType::Indexed => [at(i), at(i), at(i), 255],
        ColorType::GrayscaleAlpha => [at(2 * i), at(2 * i), at(2 * i), at(2 * i + 1)],
        ColorType::Rgb => [at(3 * i), at(3 * i + 1), at(3 * i + 2), 255],
        ColorType::Rgba => [at(4 * i), at(4 * i + 1), at(4 * i + 2), at(4 * i + 3)],
    }
}

fn map_error(error: png::DecodingError, limits: &DecodeLimits) -> DecodeError {
    match error {
        png::DecodingError::LimitsExceeded => DecodeError::MemoryLimit { max_bytes: limits.max_decoded_bytes },
        png::DecodingError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => DecodeError::Truncated,
        // Decoding reads from memory: any other failure is malformed data. The decoder's own text can
        // quote values computed from the image (a PNG chunk's CRC, lengths): it is never passed on.
        _ => DecodeError::Corrupt { what: Corruption::MalformedData },
    }
}
