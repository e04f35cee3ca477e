//! Decoding: end-to-end hashes against the reference, the JPEG fast path, raw buffers, limits and
//! malformed input.

mod common;

use imageguard::decode::{self, BufferError, DecodeError, DecodeLimits, ImageFormat, PixelBuffer, PixelFormat, PlatformDecodeReason};
use imageguard::hashing::{self, HashOptions};
use imageguard::pdq::{self, PdqHash};
use imageguard_test_support::synthetic;

fn jpeg_bytes(image: &synthetic::RgbImage, quality: u8) -> Vec<u8> {
    image.to_jpeg(quality)
}

fn png_bytes(image: &synthetic::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut out),
        &image.pixels,
        image.width as u32,
        image.height as u32,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    out
}

fn median(values: &mut [u32]) -> u32 {
    values.sort_unstable();
    values[values.len() / 2]
}

#[test]
fn end_to_end_hashes_match_the_reference() {
    let Some(dir) = common::vectors_dir() else { return };
    let rows = common::read_csv(&dir.join("manifest.csv"));
    let (mut fast, mut full, mut fast_vs_full) = (Vec::new(), Vec::new(), Vec::new());
    let mut failures = Vec::new();
    for row in &rows {
        let path = dir.join(&row["file"]);
        let expected = PdqHash::from_hex(&row["expected_hash"]).unwrap();
        let expected_quality: u8 = row["expected_quality"].parse().unwrap();
        let fast_hashes = hashing::hash_file(&path, &HashOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", row["file"]));
        let full_hashes =
            hashing::hash_file(&path, &full_decode()).unwrap();
        if expected_quality < 80 {
            continue;
        }
        let (d_fast, d_full) = (fast_hashes.pdq.hash().distance(&expected), full_hashes.pdq.hash().distance(&expected));
        println!("{:48} full {d_full:3}  fast {d_fast:3}", row["file"]);
        if d_fast > 10 || d_full > 10 {
            failures.push(format!("{}: full {d_full}, fast {d_fast}", row["file"]));
        }
        fast.push(d_fast);
        full.push(d_full);
        fast_vs_full.push(fast_hashes.pdq.hash().distance(&full_hashes.pdq.hash()));
    }
    let (max_fast, max_full, max_gap) =
        (*fast.iter().max().unwrap(), *full.iter().max().unwrap(), *fast_vs_full.iter().max().unwrap());
    println!(
        "end to end vs reference over {} images with quality >= 80: full decode median {} max {}; \
         JPEG fast path median {} max {}; fast vs full median {} max {}",
        fast.len(),
        median(&mut full),
        max_full,
        median(&mut fast),
        max_fast,
        median(&mut fast_vs_full),
        max_gap
    );
    assert!(failures.is_empty(), "over 10 bits from the reference: {failures:?}");
}

#[test]
fn formats_are_detected_from_content() {
    let image = synthetic::photo(5, 96, 64);
    let jpeg = jpeg_bytes(&image, 90);
    let png = png_bytes(&image);
    let limits = DecodeLimits::default();
    assert_eq!(decode::decode_for_hashing(&jpeg, &limits).unwrap().format, ImageFormat::Jpeg);
    assert_eq!(decode::decode_for_hashing(&png, &limits).unwrap().format, ImageFormat::Png);
    // A PNG and a lossless decode of the same pixels hash identically to the raw-pixel path.
    let from_png = pdq::compute(decode::decode_for_hashing(&png, &limits).unwrap().luma);
    let raw = PixelBuffer::new(&image.pixels, 96, 64, 96 * 3, PixelFormat::Rgb8);
    let from_pixels = hashing::hash_pixels(&raw, &limits).unwrap();
    assert_eq!(from_png.hash(), from_pixels.hash());
    assert_eq!(from_png.quality(), from_pixels.quality());
}

#[test]
fn every_raw_pixel_layout_gives_the_same_hash() {
    let image = synthetic::photo(9, 700, 530); // over 512: exercises the resampling
    let (w, h) = (image.width, image.height);
    let limits = DecodeLimits::default();
    let reference = hashing::hash_pixels(&PixelBuffer::new(&image.pixels, w, h, w * 3, PixelFormat::Rgb8), &limits).unwrap();

    let stride = w * 4 + 12; // padded rows, as Android bitmaps may have
    let mut rgba = vec![0u8; stride * h];
    let mut bgra = vec![0u8; stride * h];
    for y in 0..h {
        for x in 0..w {
            let p = &image.pixels[(y * w + x) * 3..][..3];
            rgba[y * stride + x * 4..][..4].copy_from_slice(&[p[0], p[1], p[2], 255]);
            bgra[y * stride + x * 4..][..4].copy_from_slice(&[p[2], p[1], p[0], 255]);
        }
    }
    for (data, format) in [(&rgba, PixelFormat::Rgba8), (&bgra, PixelFormat::Bgra8)] {
        let features = hashing::hash_pixels(&PixelBuffer::new(data, w, h, stride, format), &limits).unwrap();
        assert_eq!(features.hash(), reference.hash(), "{format:?}");
    }
    // Gray: every channel equal gives the luma of that value.
    let gray: Vec<u8> = (0..w * h).map(|i| image.pixels[i * 3]).collect();
    let gray_rgb: Vec<u8> = gray.iter().flat_map(|&v| [v, v, v]).collect();
    let a = hashing::hash_pixels(&PixelBuffer::new(&gray, w, h, w, PixelFormat::Gray8), &limits).unwrap();
    let b = hashing::hash_pixels(&PixelBuffer::new(&gray_rgb, w, h, w * 3, PixelFormat::Rgb8), &limits).unwrap();
    assert_eq!(a.hash(), b.hash());
}

#[test]
fn bad_pixel_buffers_are_typed_errors() {
    let data = [0u8; 200];
    let limits = DecodeLimits::default();
    let bad = |w, h, stride, len: usize| {
        let buffer = PixelBuffer::new(&data[..len], w, h, stride, PixelFormat::Rgba8);
        match decode::luma_from_pixels(&buffer, &limits) {
            Err(DecodeError::BadBuffer(error)) => error,
            other => panic!("expected BadBuffer for {w}x{h} stride {stride} len {len}, got {other:?}"),
        }
    };
    assert_eq!(bad(0, 5, 0, 100), BufferError::ZeroSize { width: 0, height: 5 });
    assert_eq!(bad(5, 5, 0, 100), BufferError::StrideTooShort { stride: 0, width: 5, row_bytes: 20 });
    assert!(bad(5, 5, 19, 100).to_string().contains("shorter than a row"));
    assert_eq!(bad(5, 5, 20, 99), BufferError::TooShort { given: 99, needed: 100, width: 5, height: 5, stride: 20 });
    assert_eq!(bad(usize::MAX / 2, 2, usize::MAX, 100), BufferError::Overflow);
    // Exactly enough (the last row without padding) is fine.
    let ok = PixelBuffer::new(&data[..4 * 24 + 20], 5, 5, 24, PixelFormat::Rgba8);
    assert!(decode::luma_from_pixels(&ok, &limits).is_ok());
}

#[test]
fn malformed_encoded_input_gets_typed_errors() {
    let limits = DecodeLimits::default();
    let image = synthetic::photo(7, 300, 200);
    let jpeg = jpeg_bytes(&image, 85);
    let png = png_bytes(&image);
    let decode = |bytes: &[u8]| decode::decode_for_hashing(bytes, &limits).map(|_| ());

    assert_eq!(decode(b""), Err(DecodeError::Empty));
    let unknown = DecodeError::NeedsPlatformDecode { reason: PlatformDecodeReason::UnknownFormat };
    assert_eq!(decode(b"hello, this is not an image"), Err(unknown));
    // Cut inside the pixel data, a file shows its first rows (as in viewers); cut before, it fails.
    assert_eq!(decode(&png[..png.len() / 2]), Ok(()));
    assert_eq!(decode(&png[..20]), Err(DecodeError::Truncated));
    assert_eq!(decode(&jpeg[..jpeg.len() / 3]), Ok(()));
    assert_eq!(decode(&jpeg[..10]), Err(DecodeError::Truncated));
    // Every truncation length and a byte flip at every position: an error or an image, never a panic.
    for cut in (0..png.len()).step_by(97).chain((0..jpeg.len()).step_by(89)) {
        let _ = decode(&png[..cut.min(png.len())]);
        let _ = decode(&jpeg[..cut.min(jpeg.len())]);
    }
    let mut flipped = jpeg.clone();
    for i in (0..flipped.len()).step_by(31) {
        flipped[i] ^= 0x5A;
        let _ = decode(&flipped);
        flipped[i] ^= 0x5A;
    }
}

/// A real JPEG whose frame header (SOF0) is patched to declare `width x height`.
fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut bytes = jpeg_bytes(&synthetic::photo(1, 64, 64), 80);
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).expect("baseline JPEG");
    bytes[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    bytes
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn bomb_headers_fail_fast_without_allocating() {
    let limits = DecodeLimits::default();
    let too_many = |result: Result<decode::Decoded, DecodeError>| {
        assert!(matches!(result, Err(DecodeError::TooManyPixels { width: 65535, height: 65535, .. })), "{result:?}")
    };
    let start = std::time::Instant::now();
    too_many(decode::decode_for_hashing(&jpeg_claiming(65535, 65535), &limits));
    // Within the pixel limit but with almost no data behind the header: the decoder pads the missing
    // blocks as libjpeg does, at 1/8 scale on the fast path, never allocating the 64 MP the header claims.
    let within = decode::decode_for_hashing(&jpeg_claiming(8000, 8000), &limits).unwrap();
    assert_eq!((within.luma.width(), within.luma.height()), (512, 512));
    assert!(start.elapsed().as_secs() < 5, "bomb headers must fail fast");

    // A valid PNG signature and IHDR chunk for 65535x65535 RGBA (16 GiB decoded).
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&65535u32.to_be_bytes());
    ihdr.extend_from_slice(&65535u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    let idat = b"IDAT\x78\x9c\x01\x00\x00\xff\xff";
    png.extend_from_slice(&((idat.len() - 4) as u32).to_be_bytes());
    png.extend_from_slice(idat);
    png.extend_from_slice(&crc32(idat).to_be_bytes());
    // On 32-bit targets the PNG decoder itself refuses first: 16 GiB does not fit in a usize.
    let result = decode::decode_for_hashing(&png, &limits);
    assert!(
        matches!(result, Err(DecodeError::TooManyPixels { width: 65535, height: 65535, .. } | DecodeError::MemoryLimit { .. })),
        "{result:?}"
    );

    // A GIF whose logical screen and first frame claim 65535x65535.
    let mut gif = b"GIF89a".to_vec();
    gif.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00]);
    gif.extend_from_slice(&[0x2C, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B]);
    let result = decode::decode_for_hashing(&gif, &limits);
    assert!(matches!(result, Err(DecodeError::TooManyPixels { .. } | DecodeError::MemoryLimit { .. })), "{result:?}");
}

/// Small files of large flat images are not bombs by their size alone: a photo of fog is as small per
/// pixel. They decode within the work bounds; what is refused is work over the bounds (pixels produced,
/// memory held, JPEG blocks decoded over all scans).
#[test]
fn flat_images_decode_and_work_over_the_bounds_is_refused() {
    use image::ImageEncoder;
    let limits = DecodeLimits::default();
    let zeros = vec![0u8; 5000 * 5000];
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png).write_image(&zeros, 5000, 5000, image::ExtendedColorType::L8).unwrap();
    decode::decode_for_hashing(&png, &limits).expect("a flat 25 MP PNG decodes, row by row");
    let few_bytes = { let mut l = limits; l.max_decoded_bytes = 20 << 20; l };
    let result = decode::decode_for_hashing(&png, &few_bytes);
    assert!(matches!(result, Err(DecodeError::MemoryLimit { .. })), "PNG: {result:?}");
    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .write_image(&zeros[..3000 * 3000], 3000, 3000, image::ExtendedColorType::L8)
        .unwrap();
    decode::decode_for_hashing(&webp, &limits).expect("a flat 9 MP WebP decodes");
    let result = decode::decode_for_hashing(&webp, &few_bytes);
    assert!(matches!(result, Err(DecodeError::MemoryLimit { .. })), "WebP: {result:?}");

    // A progressive JPEG with its last scan repeated 300 times: a valid file (libjpeg-turbo and PIL decode
    // it) that decodes, unless its blocks over all scans pass the work bound.
    let image = synthetic::photo(5, 256, 256);
    let mut progressive = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut progressive, 80);
    encoder.set_progressive(true);
    encoder.encode(&image.pixels, 256, 256, jpeg_encoder::ColorType::Rgb).unwrap();
    let last_scan = progressive.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
    let eoi = progressive.len() - 2;
    let mut many_scans = progressive[..eoi].to_vec();
    for _ in 0..300 {
        many_scans.extend_from_slice(&progressive[last_scan..eoi]);
    }
    many_scans.extend_from_slice(&[0xFF, 0xD9]);
    decode::decode_for_hashing(&many_scans, &limits).expect("300 scans over 256x256 decode");
    let low_work = { let mut l = limits; l.max_jpeg_scan_blocks = 50_000; l };
    decode::decode_for_hashing(&progressive, &low_work).expect("the original is within the bound");
    let result = decode::decode_for_hashing(&many_scans, &low_work);
    assert!(matches!(result, Err(DecodeError::JpegWorkLimit { max: 50_000, .. })), "JPEG: {result:?}");
}

#[test]
fn limits_are_configurable() {
    let image = synthetic::photo(11, 200, 100);
    let jpeg = jpeg_bytes(&image, 80);
    let small_input = { let mut l = DecodeLimits::default(); l.max_encoded_bytes = 100; l };
    assert!(matches!(decode::decode_for_hashing(&jpeg, &small_input), Err(DecodeError::InputTooLarge { max: 100, .. })));
    let few_pixels = { let mut l = DecodeLimits::default(); l.max_pixels = 10_000; l };
    assert!(matches!(decode::decode_for_hashing(&jpeg, &few_pixels), Err(DecodeError::TooManyPixels { .. })));
    let raw = PixelBuffer::new(&image.pixels, 200, 100, 600, PixelFormat::Rgb8);
    assert!(matches!(decode::luma_from_pixels(&raw, &few_pixels), Err(DecodeError::TooManyPixels { .. })));
    // Errors read well.
    let message = decode::decode_for_hashing(&jpeg, &few_pixels).unwrap_err().to_string();
    assert_eq!(message, "the image is 200x100, over the limit of 10000 pixels");
}

#[test]
fn jpeg_fast_path_stays_close_to_the_full_decode() {
    // A 2048x1536 synthetic photo decodes at 1/2 on the fast path.
    let image = synthetic::photo(13, 2048, 1536);
    let jpeg = jpeg_bytes(&image, 90);
    let fast = hashing::hash_bytes(&jpeg, &HashOptions::default()).unwrap();
    let full = hashing::hash_bytes(&jpeg, &full_decode()).unwrap();
    assert_eq!((fast.width, fast.height), (2048, 1536));
    let distance = fast.pdq.hash().distance(&full.pdq.hash());
    assert!(distance <= 8, "fast path moved the hash by {distance} bits");
}

/// Fine texture near the sampling rate (wood grain, stripes, foliage) is where any reduction before the
/// reference's nearest-neighbour sampling changes the hash: moving the sampling grid by one source pixel
/// moves ~100 bits there. The fast path decodes luma at full resolution and samples the reference's pixels.
#[test]
fn jpeg_fast_path_keeps_the_reference_hash_on_fine_texture() {
    let (width, height) = (3000, 2000);
    let base = synthetic::photo(14, width, height);
    let mut texture = base.clone();
    for y in 0..height {
        for x in 0..width {
            // Stripes just over two per sampling step (5.86 source pixels): sampled, they alias to ~3 broad
            // bands across the picture, which PDQ sees; averaged, they vanish.
            let phase = x as f32 * 2.006 * 512.0 / width as f32;
            let stripe = if phase.fract() < 0.5 { 80 } else { -80 };
            for c in 0..3 {
                let at = (y * width + x) * 3 + c;
                texture.pixels[at] = (i16::from(base.pixels[at]) + stripe).clamp(0, 255) as u8;
            }
        }
    }
    let jpeg = jpeg_bytes(&texture, 95);
    let full = hashing::hash_bytes(&jpeg, &full_decode()).unwrap().pdq.hash();
    let fast = hashing::hash_bytes(&jpeg, &HashOptions::default()).unwrap().pdq.hash();
    let scaled = imageguard::pdq::compute(decode::decode_scaled_for_hashing(&jpeg, &DecodeLimits::default()).unwrap().luma).hash();
    assert!(scaled.distance(&full) > 16, "the texture is one that a reduction changes ({} bits)", scaled.distance(&full));
    assert!(fast.distance(&full) <= 4, "fast path {} bits from the full decode", fast.distance(&full));
}

/// Hashing with the full JPEG decode (no DCT scaling), to compare with the fast path.
fn full_decode() -> HashOptions {
    let mut options = HashOptions::default();
    options.jpeg_fast_path = false;
    options
}
