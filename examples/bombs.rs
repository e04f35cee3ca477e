//! Decompression and CPU bombs in every supported format, for `scripts/bombs`.
//!
//! `bombs make DIR` writes the bombs (benign synthetic content; each a small file that claims or would
//! expand to far more than its size suggests), and ordinary files of the same shape that must decode (a
//! smooth photo saved small, a valid progressive JPEG with 300 scans). `bombs run FILE [--no-work-limit]`
//! hashes one with the default limits, in a fresh process so that its peak RSS is its own, and prints one JSON line: the error,
//! the milliseconds to fail and the process's peak RSS.

use image::{ImageEncoder, Luma, Rgba};
use imageguard::hashing::{self, HashOptions};
use std::io::Write;
use std::time::Instant;

mod common;


/// A real PNG of `side` x `side` zero pixels of `color` (fast deflate: about 1000:1).
fn png_zeros(side: u32, color: image::ExtendedColorType) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::NoFilter,
    );
    let pixels = vec![0u8; (side as usize) * (side as usize) * usize::from(color.bits_per_pixel() / 8)];
    encoder.write_image(&pixels, side, side, color).expect("png");
    out
}

/// A small GIF whose screen and frame claim 65535 x 65535, with the frame's real LZW data behind.
fn gif_huge() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut out);
        let frame = image::ImageBuffer::from_pixel(64, 64, Rgba([10u8, 20, 30, 255]));
        encoder.encode_frame(image::Frame::new(frame)).expect("gif");
    }
    // Logical screen width/height at 6..10; the image descriptor (0x2C) has its size at +5..+9.
    out[6..10].copy_from_slice(&[0xFF; 4]);
    let descriptor = out.iter().position(|&b| b == 0x2C).expect("image descriptor");
    out[descriptor + 5..descriptor + 9].copy_from_slice(&[0xFF; 4]);
    out
}

/// A real lossless WebP of `side` x `side` gray zeros: a few hundred bytes for 100 MP.
fn webp_zeros(side: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let pixels = vec![0u8; (side as usize) * (side as usize)];
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .write_image(&pixels, side, side, image::ExtendedColorType::L8)
        .expect("webp");
    out
}

/// A real JPEG of `side` x `side` flat gray: about 1 bit per 8x8 block.
fn jpeg_flat(side: u16, progressive: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 50);
    encoder.set_progressive(progressive);
    let pixels = vec![128u8; usize::from(side) * usize::from(side)];
    encoder.encode(&pixels, side, side, jpeg_encoder::ColorType::Luma).expect("jpeg");
    out
}

/// A lossless WebP whose VP8L header claims 16383 x 16383.
fn webp_huge() -> Vec<u8> {
    let mut out = Vec::new();
    let image = image::ImageBuffer::from_pixel(64, 64, Luma([128u8]));
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .write_image(image.as_raw(), 64, 64, image::ExtendedColorType::L8)
        .expect("webp");
    // RIFF(12) + "VP8L" chunk header(8) + signature 0x2F, then 14-bit width-1 and height-1.
    let at = out.windows(4).position(|w| w == b"VP8L").expect("VP8L") + 9;
    let packed: u32 = 0x3FFE | (0x3FFE << 14) | (u32::from(out[at + 3]) >> 4 << 28);
    out[at..at + 4].copy_from_slice(&packed.to_le_bytes());
    out
}

fn jpeg(width: u16, height: u16, progressive: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
    encoder.set_progressive(progressive);
    let photo = imageguard_test_support::synthetic::photo(3, width.into(), height.into());
    encoder.encode(&photo.pixels, width, height, jpeg_encoder::ColorType::Rgb).expect("jpeg");
    out
}

/// A baseline JPEG whose frame header claims 65500 x 65500.
fn jpeg_huge() -> Vec<u8> {
    let mut out = jpeg(64, 64, false);
    let sof = out.windows(2).position(|w| w == [0xFF, 0xC0]).expect("SOF0");
    out[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xDC, 0xFF, 0xDC]);
    out
}

/// A progressive JPEG with its last scan repeated `copies` times: each repeat is one more pass over the
/// whole coefficient buffer for a decoder that does not count scans.
fn jpeg_many_scans(copies: usize) -> Vec<u8> {
    let base = jpeg(1024, 1024, true);
    let last_scan = base.windows(2).rposition(|w| w == [0xFF, 0xDA]).expect("SOS");
    let eoi = base.len() - 2;
    let mut out = base[..eoi].to_vec();
    for _ in 0..copies {
        out.extend_from_slice(&base[last_scan..eoi]);
    }
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// A smooth synthetic photo (a sky-like gradient) saved as a progressive q30 JPEG: under 0.4 bits per
/// pixel, like the wallpapers and re-encoded copies that an expansion ratio refused.
fn jpeg_smooth(width: u16, height: u16) -> Vec<u8> {
    let (w, h) = (usize::from(width), usize::from(height));
    let mut pixels = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            let t = (x + y) * 255 / (w + h);
            pixels.extend_from_slice(&[(60 + t / 3) as u8, (120 + t / 4) as u8, (200 + t / 8) as u8]);
        }
    }
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 30);
    encoder.set_progressive(true);
    encoder.encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb).expect("jpeg");
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("make") => {
            let dir = std::path::Path::new(&args[2]);
            std::fs::create_dir_all(dir).expect("mkdir");
            let bombs: [(&str, Vec<u8>); 12] = [
                ("png-12000x12000-zeros.png", png_zeros(12_000, image::ExtendedColorType::L8)),
                // Within the pixel limit, over the decoded-memory limit.
                ("png-9000x9000-rgba16.png", png_zeros(9_000, image::ExtendedColorType::Rgba16)),
                ("gif-65535x65535.gif", gif_huge()),
                ("webp-16383x16383.webp", webp_huge()),
                ("webp-10000x10000-zeros.webp", webp_zeros(10_000)),
                ("jpeg-10000x10000-flat.jpg", jpeg_flat(10_000, false)),
                ("jpeg-10000x10000-flat-progressive.jpg", jpeg_flat(10_000, true)),
                ("png-10000x10000-zeros.png", png_zeros(10_000, image::ExtendedColorType::L8)),
                ("jpeg-65500x65500.jpg", jpeg_huge()),
                ("jpeg-progressive-5000-scans.jpg", jpeg_many_scans(5_000)),
                // Ordinary files that an expansion ratio or a scan count used to refuse.
                ("jpeg-progressive-300-scans.jpg", jpeg_many_scans(300)),
                ("jpeg-2560x3837-smooth-progressive-q30.jpg", jpeg_smooth(2560, 3837)),
            ];
            for (name, bytes) in bombs {
                std::fs::File::create(dir.join(name)).and_then(|mut f| f.write_all(&bytes)).expect("write");
            }
        }
        Some("run") => {
            let bytes = std::fs::read(&args[2]).expect("read");
            let start = Instant::now();
            let mut options = HashOptions::default();
            if args.iter().any(|a| a == "--no-work-limit") {
                options.limits.max_jpeg_scan_blocks = u64::MAX;
            }
            let result = hashing::hash_bytes(&bytes, &options);
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            let outcome = match result {
                Ok(_) => "decoded".to_string(),
                Err(e) => e.to_string(),
            };
            println!(
                "{{\"bytes\": {}, \"ms\": {ms:.2}, \"peak_rss_kib\": {}, \"outcome\": {:?}}}",
                bytes.len(),
                common::peak_rss_kib(),
                outcome
            );
        }
        _ => eprintln!("usage: bombs make DIR | bombs run FILE"),
    }
}
