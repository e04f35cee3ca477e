//! The hashing pipeline: encoded bytes, a file or raw pixels in; PDQ features and exact hashes out.
//!
//! This is what the scanner and the CLI call. It reads the bytes once for the exact hashes and once in the
//! decoder; the results stay inside the caller, which decides what (if anything) leaves the device.

use crate::decode::{self, DecodeError, DecodeLimits, ImageFormat, PixelBuffer};
use crate::exact::{self, ExactHashRequest, ExactHashes};
use crate::pdq::{self, PdqFeatures};
use std::io::Read as _;
use std::path::Path;

/// How to hash an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashOptions {
    pub limits: DecodeLimits,
    /// Which legacy exact hashes to compute besides BLAKE3.
    pub exact: ExactHashRequest,
    /// Decode JPEGs with DCT scaling (the default). Off gives the full decode, for comparison.
    pub jpeg_fast_path: bool,
}

impl Default for HashOptions {
    fn default() -> Self {
        HashOptions { limits: DecodeLimits::default(), exact: ExactHashRequest::BLAKE3_ONLY, jpeg_fast_path: true }
    }
}

/// Everything imageguard computes about one encoded image.
pub struct ImageHashes {
    pub pdq: PdqFeatures,
    pub exact: ExactHashes,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

/// Hashes encoded image bytes.
pub fn hash_bytes(bytes: &[u8], options: &HashOptions) -> Result<ImageHashes, DecodeError> {
    let decoded = if options.jpeg_fast_path {
        decode::decode_for_hashing(bytes, &options.limits)?
    } else {
        decode::decode_full_for_hashing(bytes, &options.limits)?
    };
    Ok(ImageHashes {
        pdq: pdq::compute(decoded.luma),
        exact: exact::exact_hashes(bytes, options.exact),
        format: decoded.format,
        width: decoded.source_width,
        height: decoded.source_height,
    })
}

/// Reads a file (refusing it before reading if it is over the size limit) and hashes it.
pub fn hash_file(path: &Path, options: &HashOptions) -> Result<ImageHashes, DecodeError> {
    hash_bytes(&read_file(path, &options.limits)?, options)
}

/// Reads a whole file within the encoded-size limit.
pub fn read_file(path: &Path, limits: &DecodeLimits) -> Result<Vec<u8>, DecodeError> {
    let file = std::fs::File::open(path).map_err(|e| DecodeError::Io(e.to_string()))?;
    let len = file.metadata().map_err(|e| DecodeError::Io(e.to_string()))?.len();
    limits.check_encoded_len(len)?;
    let mut bytes = Vec::with_capacity(len as usize);
    // `take` guards against a file that grows while being read.
    file.take(limits.max_encoded_bytes + 1).read_to_end(&mut bytes).map_err(|e| DecodeError::Io(e.to_string()))?;
    limits.check_encoded_len(bytes.len() as u64)?;
    Ok(bytes)
}

/// PDQ features of a raw pixel buffer (no exact hashes: there are no encoded bytes).
pub fn hash_pixels(buffer: &PixelBuffer<'_>, limits: &DecodeLimits) -> Result<PdqFeatures, DecodeError> {
    Ok(pdq::compute(decode::luma_from_pixels(buffer, limits)?))
}
