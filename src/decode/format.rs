//! Which decoder to use, from the first bytes of the content: never from a file name.

use super::PlatformDecodeReason;

/// The encoded formats imageguard decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
    WebP,
    Gif,
    Bmp,
}

impl ImageFormat {
    /// Detects the format from its magic bytes.
    pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
        match bytes {
            [0xFF, 0xD8, 0xFF, ..] => Some(ImageFormat::Jpeg),
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(ImageFormat::Png),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(ImageFormat::WebP),
            [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some(ImageFormat::Gif),
            [b'B', b'M', ..] => Some(ImageFormat::Bmp),
            _ => None,
        }
    }

    /// For content the core does not decode: which kind of file it is, so that the app's platform
    /// decoder can take over (see [`super::DecodeError::NeedsPlatformDecode`]).
    pub fn platform_reason(bytes: &[u8]) -> PlatformDecodeReason {
        match bytes {
            [_, _, _, _, b'f', b't', b'y', b'p', brand @ ..] => match brand.get(..4) {
                Some(b"avif" | b"avis") => PlatformDecodeReason::Avif,
                Some(b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1") => PlatformDecodeReason::Heif,
                _ => PlatformDecodeReason::UnknownFormat,
            },
            [b'I', b'I', 0x2A, 0x00, ..] | [b'M', b'M', 0x00, 0x2A, ..] => PlatformDecodeReason::Tiff,
            [0xFF, 0x0A, ..] | [0, 0, 0, 0x0C, b'J', b'X', b'L', b' ', ..] => PlatformDecodeReason::JpegXl,
            _ => PlatformDecodeReason::UnknownFormat,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Png => "PNG",
            ImageFormat::WebP => "WebP",
            ImageFormat::Gif => "GIF",
            ImageFormat::Bmp => "BMP",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_bytes_only() {
        assert_eq!(ImageFormat::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ImageFormat::Jpeg));
        assert_eq!(ImageFormat::sniff(b"\x89PNG\r\n\x1a\nrest"), Some(ImageFormat::Png));
        assert_eq!(ImageFormat::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageFormat::WebP));
        assert_eq!(ImageFormat::sniff(b"GIF89a"), Some(ImageFormat::Gif));
        assert_eq!(ImageFormat::sniff(b"BM\0\0"), Some(ImageFormat::Bmp));
        assert_eq!(ImageFormat::sniff(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(ImageFormat::sniff(&[0xFF, 0xD8]), None);
        assert_eq!(ImageFormat::sniff(b""), None);
    }

    #[test]
    fn names_what_the_platform_should_decode() {
        assert_eq!(ImageFormat::platform_reason(b"\0\0\0\x18ftypheic\0\0\0\0"), PlatformDecodeReason::Heif);
        assert_eq!(ImageFormat::platform_reason(b"\0\0\0\x1cftypavif\0\0\0\0"), PlatformDecodeReason::Avif);
        assert_eq!(ImageFormat::platform_reason(b"II*\0\x08\0\0\0"), PlatformDecodeReason::Tiff);
        assert_eq!(ImageFormat::platform_reason(b"\xff\x0a\x00"), PlatformDecodeReason::JpegXl);
        assert_eq!(ImageFormat::platform_reason(b"\0\0\0\x18ftypmp42"), PlatformDecodeReason::UnknownFormat);
        assert_eq!(ImageFormat::platform_reason(b"hello"), PlatformDecodeReason::UnknownFormat);
    }
}
