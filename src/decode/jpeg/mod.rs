//! JPEG, the format of nearly every photo: bounded by its markers, then decoded by the path that keeps the
//! reference's pixels where memory allows.
//!
//! - [`full_luma`]: the luma plane at full resolution (`zune-jpeg`), sampled exactly as the reference
//!   samples; the default for photos up to [`full_luma::FULL_LUMA_MAX_BYTES`].
//! - [`scaled`]: DCT-domain scaling (`jpeg-decoder`) for larger photos and for what the first path does
//!   not take, and the full colour decode used to measure both.
//!
//! Work is bounded before either decoder runs, from one walk over the markers ([`markers`]): the frame
//! size, the blocks the scans visit, and the coefficient memory of a progressive file.

mod full_luma;
mod markers;
mod scaled;

use super::sample::Window;
use super::{DecodeError, DecodeLimits, Decoded, JpegPath};

pub(super) fn decode(bytes: &[u8], limits: &DecodeLimits, path: JpegPath, window: Option<Window>) -> Result<Decoded, DecodeError> {
    let markers = markers::summarize_markers(bytes, limits.max_jpeg_scan_blocks);
    if let Some((width, height)) = markers.frame {
        limits.check_dimensions(width, height)?;
    }
    // Time: every scan visits every block of its components, even at 1/8 scale and even for a flat image.
    if markers.scan_blocks > limits.max_jpeg_scan_blocks {
        return Err(DecodeError::JpegWorkLimit { max: limits.max_jpeg_scan_blocks });
    }
    // Memory: a progressive decode keeps every coefficient of the full-size image, whatever the output scale.
    limits.check_decoded_bytes(markers.progressive_coefficient_bytes)?;
    if path == JpegPath::Fast {
        if let Some(decoded) = full_luma::decode(bytes, limits, &markers, window) {
            return Ok(decoded);
        }
    }
    match scaled::decode(bytes, limits, path, window) {
        // A file cut inside its entropy-coded data (no EOI): decode what is there, as libjpeg and viewers
        // do, by ending it with EOI; the decoder reads the missing bits as zeros.
        Err(DecodeError::Truncated) if markers.scans > 0 => {
            let mut ended = Vec::with_capacity(bytes.len() + 2);
            ended.extend_from_slice(bytes);
            ended.extend_from_slice(&[0xFF, 0xD9]);
            scaled::decode(&ended, limits, path, window)
        }
        other => other,
    }
}
