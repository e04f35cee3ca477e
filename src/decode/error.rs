//! The typed failures of decoding, each with a message an app developer can act on.

/// Why an image could not be decoded. No variant carries pixel data or hashes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
    #[error("the JPEG's scans would decode {blocks} blocks, over the limit of {max} (a CPU bomb, or a broken encoder)")]
    JpegWorkLimit { blocks: u64, max: u64 },
    #[error("the image data ends too early (truncated file)")]
    Truncated,
    #[error("the image data is corrupt: {0}")]
    Corrupt(String),
    #[error("bad pixel buffer: {0}")]
    BadBuffer(String),
    #[error("could not read the file: {0}")]
    Io(String),
}

/// Why the core hands an image to the platform's decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
