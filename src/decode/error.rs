//! The typed failures of decoding, each with a message an app developer can act on.

/// Why an image could not be decoded. No variant carries pixel data or hashes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the input is empty")]
    Empty,
    #[error("unsupported image format: expected JPEG, PNG, WebP, GIF or BMP")]
    UnsupportedFormat,
    #[error("the input is {bytes} bytes, over the limit of {max}")]
    InputTooLarge { bytes: u64, max: u64 },
    #[error("the image is {width}x{height}, over the limit of {max_pixels} pixels")]
    TooManyPixels { width: u64, height: u64, max_pixels: u64 },
    #[error("decoding would need more than the {max_bytes}-byte memory limit")]
    MemoryLimit { max_bytes: u64 },
    #[error("the image would expand {ratio}x from its file size, over the limit of {max}x (a decompression bomb)")]
    ExpansionRatio { ratio: u64, max: u32 },
    #[error("the JPEG has more than {max} scans (a CPU bomb, or a broken encoder)")]
    TooManyScans { max: u32 },
    #[error("the image data ends too early (truncated file)")]
    Truncated,
    #[error("the image data is corrupt: {0}")]
    Corrupt(String),
    #[error("unsupported image feature: {0}")]
    UnsupportedFeature(String),
    #[error("bad pixel buffer: {0}")]
    BadBuffer(String),
    #[error("could not read the file: {0}")]
    Io(String),
}
