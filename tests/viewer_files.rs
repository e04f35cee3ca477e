//! Files that viewers show: each kind is generated here from synthetic photos (nothing committed), then
//! checked to hash within a stated bound of the reference hash of what a viewer shows (the picture's
//! own pixels through the raw-pixel path), and to match a bundle that lists that picture.
//!
//! Kinds: a JPEG without EOI, a progressive JPEG with 300 scans, a PNG without IEND, a PNG whose IDAT CRC
//! is wrong, a transparent PNG that shows its picture only on white, an animated GIF / APNG / animated
//! WebP whose second frame is the picture (after a decoy), and undecodable listed files (exact match).

use imageguard::bundle::{sign_bundle, TrustConfig};
use imageguard::decode::{DecodeError, PixelBuffer, PixelFormat, PlatformDecodeReason};
use imageguard::exact::{self, ExactHashRequest, HashKind};
use imageguard::hashing::{self, HashOptions, ImageHashes};
use imageguard::lists::BundleSpec;
use imageguard::pdq::PdqHash;
use imageguard::confirm::PlatformLists;
use imageguard::report::DeviceKey;
use imageguard::scanner::{MatchKind, ScanError, ScanOutcome, Scanner, ScannerConfig};
use imageguard::signing::SigningKey;
use imageguard_test_support::synthetic::{self, RgbImage};

use imageguard_test_support::fixtures::{self, NOW};
/// Lossless files must hash exactly as their picture; lossy or partial ones within this many bits.
const LOSSY_BOUND: u32 = 10;

fn reference(image: &RgbImage) -> PdqHash {
    let buffer = PixelBuffer::new(&image.pixels, image.width, image.height, image.width * 3, PixelFormat::Rgb8);
    hashing::hash_pixels(&buffer, &Default::default()).unwrap().hash()
}

fn gray(image: &RgbImage) -> RgbImage {
    let mut out = image.clone();
    for p in out.pixels.chunks_mut(3) {
        let v = ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8;
        p.copy_from_slice(&[v, v, v]);
    }
    out
}

fn hashes(bytes: &[u8]) -> ImageHashes {
    hashing::hash_bytes(bytes, &HashOptions::default()).unwrap()
}

/// The smallest distance from `expected` over every picture the file shows.
fn closest(bytes: &[u8], expected: PdqHash) -> u32 {
    let hashes = hashes(bytes);
    std::iter::once(&hashes.pdq).chain(&hashes.alternates).map(|f| f.hash().distance(&expected)).min().unwrap()
}

fn jpeg(image: &RgbImage, quality: u8, progressive: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    encoder.set_progressive(progressive);
    encoder.encode(&image.pixels, image.width as u16, image.height as u16, jpeg_encoder::ColorType::Rgb).unwrap();
    out
}

fn png(pixels: &[u8], width: usize, height: usize, color: png::ColorType) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width as u32, height as u32);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(pixels).unwrap();
    writer.finish().unwrap();
    out
}

/// Offset of the 4-byte type of the first chunk named `name`.
fn chunk(bytes: &[u8], name: &[u8; 4]) -> usize {
    bytes.windows(4).position(|w| w == name).unwrap()
}

fn photo(seed: u64) -> RgbImage {
    synthetic::photo(seed, 640, 480)
}

// --- the kinds ---

fn jpeg_without_eoi(image: &RgbImage) -> Vec<u8> {
    let full = jpeg(image, 90, false);
    full[..full.len() - 2].to_vec()
}

fn jpeg_cut_short(image: &RgbImage) -> Vec<u8> {
    let full = jpeg(image, 90, false);
    full[..full.len() * 97 / 100].to_vec()
}

fn jpeg_300_scans(image: &RgbImage) -> Vec<u8> {
    let base = jpeg(image, 90, true);
    let last_scan = base.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
    let eoi = base.len() - 2;
    let mut out = base[..eoi].to_vec();
    let scans = base.windows(2).filter(|w| *w == [0xFF, 0xDA]).count();
    for _ in scans..300 {
        out.extend_from_slice(&base[last_scan..eoi]);
    }
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

fn png_without_iend(image: &RgbImage) -> Vec<u8> {
    let full = png(&image.pixels, image.width, image.height, png::ColorType::Rgb);
    full[..chunk(&full, b"IEND") - 4].to_vec()
}

fn png_with_bad_idat_crc(image: &RgbImage) -> Vec<u8> {
    let mut bytes = png(&image.pixels, image.width, image.height, png::ColorType::Rgb);
    let idat = chunk(&bytes, b"IDAT");
    let len = u32::from_be_bytes(bytes[idat - 4..idat].try_into().unwrap()) as usize;
    bytes[idat + 4 + len] ^= 0xFF;
    bytes
}

/// Black ink whose alpha carries the picture: on white it shows the (inverted-luma) picture, while its
/// colour channels alone are all black. Returns the file and what it shows on white.
fn png_visible_on_white(image: &RgbImage) -> (Vec<u8>, RgbImage) {
    let g = gray(image);
    let mut rgba = Vec::new();
    let mut on_white = g.clone();
    for (p, shown) in g.pixels.chunks(3).zip(on_white.pixels.chunks_mut(3)) {
        let alpha = 255 - p[0];
        rgba.extend_from_slice(&[0, 0, 0, alpha]);
        shown.copy_from_slice(&[p[0]; 3]); // 0 * a + 255 * (255 - a) / 255 = 255 - a = p
    }
    (png(&rgba, image.width, image.height, png::ColorType::Rgba), on_white)
}

fn apng(decoy: &RgbImage, hidden: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, decoy.width as u32, decoy.height as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_animated(2, 0).unwrap();
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&decoy.pixels).unwrap();
    writer.write_image_data(&hidden.pixels).unwrap();
    writer.finish().unwrap();
    out
}

/// A GIF with a 256-gray palette (so the gray pictures are stored exactly): decoy, then hidden.
fn gif(decoy: &RgbImage, hidden: &RgbImage) -> Vec<u8> {
    let palette: Vec<u8> = (0..=255u8).flat_map(|v| [v, v, v]).collect();
    let mut out = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut out, decoy.width as u16, decoy.height as u16, &palette).unwrap();
        for image in [decoy, hidden] {
            let indices: Vec<u8> = gray(image).pixels.chunks(3).map(|p| p[0]).collect();
            let frame = gif::Frame {
                width: image.width as u16,
                height: image.height as u16,
                buffer: indices.into(),
                delay: 10,
                ..gif::Frame::default()
            };
            encoder.write_frame(&frame).unwrap();
        }
    }
    out
}

/// An animated WebP container (VP8X + ANIM + one ANMF per frame) around lossless frames.
fn animated_webp(frames: &[&RgbImage]) -> Vec<u8> {
    let (w, h) = (frames[0].width as u32, frames[0].height as u32);
    let le24 = |v: u32| v.to_le_bytes()[..3].to_vec();
    let mut body = b"WEBP".to_vec();
    let push_chunk = |body: &mut Vec<u8>, name: &[u8], payload: &[u8]| {
        body.extend_from_slice(name);
        body.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        body.extend_from_slice(payload);
        if payload.len() % 2 == 1 {
            body.push(0);
        }
    };
    let mut vp8x = vec![0x02, 0, 0, 0];
    vp8x.extend(le24(w - 1));
    vp8x.extend(le24(h - 1));
    push_chunk(&mut body, b"VP8X", &vp8x);
    push_chunk(&mut body, b"ANIM", &[255, 255, 255, 255, 0, 0]);
    for image in frames {
        let mut still = Vec::new();
        image_webp::WebPEncoder::new(&mut still).encode(&image.pixels, w, h, image_webp::ColorType::Rgb8).unwrap();
        let mut anmf = [le24(0), le24(0), le24(w - 1), le24(h - 1), le24(100)].concat();
        anmf.push(0x02); // no blending, no disposal
        anmf.extend_from_slice(&still[12..]); // the VP8L chunk, header included
        push_chunk(&mut body, b"ANMF", &anmf);
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

// --- hashing what is seen ---

#[test]
fn damaged_files_hash_as_what_viewers_show() {
    let image = photo(31);
    let expected = reference(&image);
    assert_eq!(hashes(&png_without_iend(&image)).pdq.hash(), expected, "PNG without IEND");
    assert_eq!(hashes(&png_with_bad_idat_crc(&image)).pdq.hash(), expected, "PNG with a wrong IDAT CRC");
    let intact = hashes(&jpeg(&image, 90, false)).pdq.hash();
    assert_eq!(hashes(&jpeg_without_eoi(&image)).pdq.hash(), intact, "JPEG without EOI");
    let cut = hashes(&jpeg_cut_short(&image)).pdq.hash().distance(&expected);
    assert!(cut <= LOSSY_BOUND + 6, "JPEG missing its last 3%: {cut} bits from the picture");
    let scans = jpeg_300_scans(&image);
    assert!(scans.windows(2).filter(|w| *w == [0xFF, 0xDA]).count() >= 300);
    let d = hashes(&scans).pdq.hash().distance(&expected);
    assert!(d <= LOSSY_BOUND, "progressive JPEG with 300 scans: {d} bits");
}

#[test]
fn transparent_images_hash_the_picture_on_white_and_on_black() {
    let image = photo(32);
    let (file, on_white) = png_visible_on_white(&image);
    let hashes = hashes(&file);
    assert!(!hashes.alternates.is_empty(), "a transparent PNG has composites");
    assert_eq!(closest(&file, reference(&on_white)), 0, "the white composite is the picture shown");
    // Its colour channels are all black, which is what the reference pipeline alone would hash.
    assert!(hashes.pdq.hash().distance(&reference(&on_white)) > 32);
    // An opaque image has a single picture.
    assert!(self::hashes(&png(&image.pixels, image.width, image.height, png::ColorType::Rgb)).alternates.is_empty());
}

#[test]
fn every_distinct_animation_frame_is_hashed() {
    let (decoy, hidden) = (gray(&photo(33)), gray(&photo(34)));
    let expected = reference(&hidden);
    for (kind, file) in [("GIF", gif(&decoy, &hidden)), ("APNG", apng(&decoy, &hidden)), ("WebP", animated_webp(&[&decoy, &decoy, &hidden]))] {
        let hashes = hashes(&file);
        assert_eq!(hashes.pdq.hash().distance(&reference(&decoy)), 0, "{kind}: the first frame stays the reference");
        assert_eq!(hashes.alternates.len(), 1, "{kind}: one more distinct frame (repeats dropped)");
        assert_eq!(hashes.alternates[0].hash().distance(&expected), 0, "{kind}: the hidden frame");
    }
}

#[test]
fn many_tiny_frames_are_bounded_work_not_a_refusal() {
    // 20000 one-pixel frames over a 600x400 screen: each frame is charged its pixels plus a look at the
    // sampled canvas, so decoding stops within the work bound and keeps the frames seen so far.
    let palette: Vec<u8> = (0..=255u8).flat_map(|v| [v, v, v]).collect();
    let mut file = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut file, 600, 400, &palette).unwrap();
        let background = gif::Frame { width: 600, height: 400, buffer: vec![128; 600 * 400].into(), ..gif::Frame::default() };
        encoder.write_frame(&background).unwrap();
        for i in 0..20_000u32 {
            let frame = gif::Frame {
                left: (i % 600) as u16,
                top: (i / 600 % 400) as u16,
                width: 1,
                height: 1,
                buffer: vec![(i % 256) as u8].into(),
                ..gif::Frame::default()
            };
            encoder.write_frame(&frame).unwrap();
        }
    }
    let start = std::time::Instant::now();
    let hashes = hashes(&file);
    assert!(hashes.alternates.len() < 2 * imageguard::decode::animation::MAX_HASHED_FRAMES);
    println!("20000-frame GIF hashed in {:?}", start.elapsed());
}

// --- matching ---

struct Bundle {
    provider: SigningKey,
    spec: BundleSpec,
}

fn bundle(pdq: Vec<PdqHash>, exact: Vec<Vec<u8>>) -> Bundle {
    let header = fixtures::header("viewer", "synthetic", 1);
    let mut spec = BundleSpec::new(header);
    spec.pdq = pdq;
    spec.exact.push((HashKind::Blake3, exact));
    Bundle { provider: SigningKey::generate().unwrap(), spec }
}

/// A scanner over the bundle (the default policy: every hit is confirmed), and the platform's lists that
/// answer its confirmation requests.
fn scanner(b: &Bundle) -> (Scanner, PlatformLists) {
    let config = ScannerConfig::new(TrustConfig::new(vec![b.provider.verifying_key()], 1).unwrap(), vec!["viewer".into()], "en");
    let (unsigned, lists) = b.spec.build_with_lists().unwrap();
    let signed = sign_bundle(&unsigned, &b.provider).unwrap();
    (Scanner::new_at(signed, config, &[], &[], Some(DeviceKey::generate().unwrap()), NOW).unwrap(), lists)
}

/// Scans `file` and, on a filter hit, runs the confirmation round trip: the final outcome.
fn scan(s: &(Scanner, PlatformLists), file: &[u8]) -> Result<ScanOutcome, ScanError> {
    match s.0.scan_bytes_at(file, NOW)? {
        ScanOutcome::NeedsConfirmation(pending) => {
            let response = s.1.answer_bytes(pending.request_bytes()).unwrap();
            s.0.confirm_at(&pending, &response, NOW)
        }
        outcome => Ok(outcome),
    }
}

#[test]
fn a_bundle_listing_what_is_seen_matches_every_kind() {
    let known = photo(40);
    let known_gray = gray(&known);
    let (transparent, on_white) = png_visible_on_white(&photo(41));
    let decoy = gray(&photo(42));
    let listed = vec![reference(&known), reference(&known_gray), reference(&on_white)];
    let s = scanner(&bundle(listed, Vec::new()));
    let files = [
        ("JPEG without EOI", jpeg_without_eoi(&known)),
        ("JPEG with 300 scans", jpeg_300_scans(&known)),
        ("PNG without IEND", png_without_iend(&known)),
        ("PNG with a wrong CRC", png_with_bad_idat_crc(&known)),
        ("transparent PNG", transparent),
        ("GIF, second frame", gif(&decoy, &known_gray)),
        ("APNG, second frame", apng(&decoy, &known_gray)),
        ("animated WebP, second frame", animated_webp(&[&decoy, &known_gray])),
    ];
    for (kind, file) in files {
        assert!(matches!(scan(&s, &file).unwrap(), ScanOutcome::Match(_)), "{kind} did not match");
    }
    // The decoy alone is not listed.
    let decoy_only = png(&decoy.pixels, decoy.width, decoy.height, png::ColorType::Rgb);
    assert_eq!(scan(&s, &decoy_only).unwrap(), ScanOutcome::NoMatch);
}

#[test]
fn listed_files_match_exactly_before_any_decoding() {
    let mut heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    heic.extend((0..5000u32).map(|i| (i * 7919 % 251) as u8));
    let mut corrupt_jpeg = vec![0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x03];
    corrupt_jpeg.extend((0..5000u32).map(|i| (i * 31 % 256) as u8));
    let blake3 = |bytes: &[u8]| exact::exact_hashes(bytes, ExactHashRequest::BLAKE3_ONLY).blake3.to_vec();
    let s = scanner(&bundle(Vec::new(), vec![blake3(&heic), blake3(&corrupt_jpeg)]));
    for (kind, file) in [("HEIC", &heic), ("corrupt JPEG", &corrupt_jpeg)] {
        match scan(&s, file).unwrap() {
            ScanOutcome::Match(info) => assert_eq!(info.kind, MatchKind::Exact { algorithm: HashKind::Blake3 }, "{kind}"),
            other => panic!("a listed {kind} did not match: {other:?}"),
        }
    }
    // Unlisted, the same kinds of file are typed errors: the HEIC one tells the app to use its platform decoder.
    heic[40] ^= 1;
    let error = scan(&s, &heic).unwrap_err();
    assert_eq!(error, ScanError::Image(DecodeError::NeedsPlatformDecode { reason: PlatformDecodeReason::Heif }));
    corrupt_jpeg[40] ^= 1;
    assert!(matches!(scan(&s, &corrupt_jpeg), Err(ScanError::Image(_))));
}

#[test]
fn arithmetic_coded_jpeg_is_a_typed_platform_fallback() {
    // A baseline JPEG whose frame marker says arithmetic coding (SOF9): the core's decoder does not
    // implement it, and says so with a reason the platform helpers act on.
    let mut file = jpeg(&photo(43), 90, false);
    let sof = file.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    file[sof + 1] = 0xC9;
    let result = hashing::hash_bytes(&file, &HashOptions::default()).map(|_| ());
    assert_eq!(result, Err(DecodeError::NeedsPlatformDecode { reason: PlatformDecodeReason::JpegCoding }));
}

/// Writes small files of every kind above as seeds for the decode fuzz target, so that its corpus and
/// `tests/fuzz_regressions.rs` reach the new paths. Run once: `cargo test -p imageguard --test
/// viewer_files -- --ignored write_fuzz_seeds`.
#[test]
#[ignore]
fn write_fuzz_seeds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions/decode");
    let small = |seed| synthetic::photo(seed, 24, 16);
    let (image, other) = (small(1), gray(&small(2)));
    let mut arithmetic = jpeg(&image, 80, false);
    let sof = arithmetic.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    arithmetic[sof + 1] = 0xC9;
    let mut many_scans = jpeg(&image, 80, true);
    let last_scan = many_scans.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
    let tail = many_scans[last_scan..many_scans.len() - 2].to_vec();
    many_scans.truncate(many_scans.len() - 2);
    for _ in 0..120 {
        many_scans.extend_from_slice(&tail);
    }
    many_scans.extend_from_slice(&[0xFF, 0xD9]);
    let seeds: [(&str, Vec<u8>); 10] = [
        ("seed-no-eoi.jpg", jpeg_without_eoi(&image)),
        ("seed-120-scans.jpg", many_scans),
        ("seed-arithmetic.jpg", arithmetic),
        ("seed-no-iend.png", png_without_iend(&image)),
        ("seed-bad-crc.png", png_with_bad_idat_crc(&image)),
        ("seed-alpha-ink.png", png_visible_on_white(&image).0),
        ("seed-animated.gif", gif(&gray(&image), &other)),
        ("seed-animated.png", apng(&image, &small(3))),
        ("seed-animated.webp", animated_webp(&[&image, &small(3)])),
        ("seed-header.heic", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec()),
    ];
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// A large PNG or JPEG whose pixels at the reference's sample positions (`floor(i * W / 512)`) are a
/// decoy's: the sampled hash is the decoy's, but what the file shows, averaged over each cell, is the
/// known picture, and that is queried too. (A JPEG's luma is decoded at full resolution and sampled as
/// the reference samples, so at high quality it can be steered like a PNG.)
#[test]
fn a_file_whose_sampled_pixels_are_a_decoy_still_matches_what_it_shows() {
    let (width, height) = (2048, 1536);
    let known = synthetic::photo(50, width, height);
    let decoy = synthetic::photo(51, width, height);
    let mut steered = known.clone();
    for j in 0..512 {
        for i in 0..512 {
            let at = ((j * height / 512) * width + i * width / 512) * 3;
            steered.pixels[at..at + 3].copy_from_slice(&decoy.pixels[at..at + 3]);
        }
    }
    let listed = reference(&known);
    for (kind, file) in [("PNG", png(&steered.pixels, width, height, png::ColorType::Rgb)), ("JPEG q100", jpeg(&steered, 100, false))] {
        let seen = hashes(&file);
        assert!(seen.pdq.hash().distance(&reference(&decoy)) <= LOSSY_BOUND, "{kind}: the sampled pixels hash as the decoy");
        assert!(seen.pdq.hash().distance(&listed) > 31, "{kind}: sampling alone would miss the known picture");
        assert!(closest(&file, listed) <= 31, "{kind}: the averaged picture is within the match distance");
        // Matched end to end. The averaged picture is ~12 bits from the listed hash (sampling and
        // averaging differ on this photo's grain), which this filter finds as a weak hit: the bundle acts
        // on confirmed weak hits here, so that what is tested is the steering, not the filter's recall.
        let mut acting_on_weak = bundle(vec![listed], Vec::new());
        acting_on_weak.spec.policy.perceptual_weak = imageguard::policy::Action::Prompt;
        let s = scanner(&acting_on_weak);
        let outcome = scan(&s, &file).unwrap();
        assert!(matches!(outcome, ScanOutcome::Match(_)), "{kind}: {outcome:?}, averaged picture {} bits away", closest(&file, listed));
    }

    // An ordinary large PNG or JPEG: sampling and averaging agree, so nothing more is queried.
    for (kind, file) in [("PNG", png(&known.pixels, width, height, png::ColorType::Rgb)), ("JPEG", jpeg(&known, 90, false))] {
        assert!(hashes(&file).alternates.is_empty(), "{kind}");
        assert!(hashes(&file).pdq.hash().distance(&listed) <= LOSSY_BOUND, "{kind}");
    }
}
