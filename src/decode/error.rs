//! The typed failures of decoding, each with a message an app developer can act on.
//!
//! No variant carries pixel data, hashes or any value computed from the image's content (a decoder's own
//! error text can quote CRCs, marker bytes or lengths it read: it is never passed on). Limit errors say
//! the limit; `TooManyPixels` also gives the declared size, which the app needs to decide what to do.

use std::sync::Arc;

/// Why an image could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    #[error("the input is empty")]
    Empty,
    /// The core cannot decode this file but the platform's decoder may (HEIC, AVIF, DNG, arithmetic-coded
    /// JPEG...): apps hand it to BitmapFactory/ImageDecoder or ImageIO and scan the pixels.
    #[error("the image needs the platform's decoder: {reason}")]
    NeedsPlatformDecode { reason: PlatformDecodeReason },
    #[error("the input is {bytes} bytes, over the limit of {max}")]
    InputTooLarge { bytes: u64, max: u64 },
    #[error("the image is {width}x{height}, over the limit of {max_pixels} pixels")]
    TooManyPixels { width: u64, height: u64, max_pixels: u64 },
    #[error("decoding would need more than the {max_bytes}-byte memory limit")]
    MemoryLimit { max_bytes: u64 },
    #[error("the JPEG's scans would decode more than {max} blocks (a CPU bomb, or a broken encoder)")]
    JpegWorkLimit { max: u64 },
    #[error("the image data ends too early (truncated file)")]
    Truncated,
    #[error("the image data is corrupt: {what}")]
    Corrupt { what: Corruption },
    /// The app's pixel buffer is inconsistent (its geometry, not its pixels).
    #[error("bad pixel buffer: {0}")]
    BadBuffer(#[from] BufferError),
    /// The file could not be read (missing, unreadable): nothing about its content.
    #[error("could not read the file: {0}")]
    Io(#[from] IoError),
}

/// What is wrong with a corrupt image, in words that quote nothing from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Corruption {
    #[error("a zero width or height")]
    ZeroSize,
    #[error("the decoder found malformed data")]
    MalformedData,
    #[error("the decoder returned fewer pixels than declared")]
    MissingPixels,
    #[error("the decoder failed on malformed data")]
    DecoderFailed,
}

/// Why an app's pixel buffer was refused. The numbers are the buffer's geometry, as the app passed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BufferError {
    #[error("zero size {width}x{height}")]
    ZeroSize { width: usize, height: usize },
    #[error("the geometry overflows")]
    Overflow,
    #[error("stride {stride} is shorter than a row of {width} pixels ({row_bytes} bytes)")]
    StrideTooShort { stride: usize, width: usize, row_bytes: usize },
    #[error("{given} bytes given, {needed} needed for {width}x{height} with stride {stride}")]
    TooShort { given: usize, needed: usize, width: usize, height: usize, stride: usize },
}

/// A failed file read, with the operating system's error as its source. Two are equal when their
/// kinds are (the OS error itself is not comparable).
#[derive(Debug, Clone)]
pub struct IoError(Arc<std::io::Error>);

impl std::fmt::Display for IoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for IoError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

impl IoError {
    /// What kind of failure (not found, permission denied...).
    pub fn kind(&self) -> std::io::ErrorKind {
        self.0.kind()
    }
}

impl From<std::io::Error> for IoError {
    fn from(error: std::io::Error) -> Self {
        IoError(Arc::new(error))
    }
}

impl PartialEq for IoError {
    fn eq(&self, other: &Self) -> bool {
        self.kind() == other.kind()
    }
}

impl Eq for IoError {}

impl From<std::io::Error> for DecodeError {
    fn from(error: std::io::Error) -> Self {
        DecodeError::Io(error.into())
    }
}

/// Why the core hands an image to the platform's decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PlatformDecodeReason {
    /// HEIF/HEIC (an ISO-BMFF `ftyp` with a HEIF brand).
    Heif,
    /// AVIF (an ISO-BMFF `ftyp` with an AVIF brand).
    Avif,
    /// TIFF, which includes DNG and most camera RAW files.
    Tiff,
    /// JPEG XL.
    JpegXl,
    /// A JPEG coded with arithmetic coding or hierarchically.
    JpegCoding,
    /// A feature of a supported format that the core's decoder does not implement.
    UnsupportedFeature,
    /// Not a format the core recognises.
    UnknownFormat,
}

impl std::fmt::Display for PlatformDecodeReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PlatformDecodeReason::Heif => "HEIF/HEIC",
            PlatformDecodeReason::Avif => "AVIF",
            PlatformDecodeReason::Tiff => "TIFF/DNG/RAW",
            PlatformDecodeReason::JpegXl => "JPEG XL",
            PlatformDecodeReason::JpegCoding => "JPEG with arithmetic or hierarchical coding",
            PlatformDecodeReason::UnsupportedFeature => "an unsupported feature of the format",
            PlatformDecodeReason::UnknownFormat => "unsupported image format (the core decodes JPEG, PNG, WebP, GIF, BMP)",
        })
    }
}
