//! Turned and framed copies of a listed picture (issue 17): mirrored or turned a quarter, with a uniform
//! border, letterboxed, or inside a phone screenshot, a copy is a strong perceptual hit through the
//! hashes of its really flipped pixels or of the photo found inside its frame; an unrelated picture is
//! not, and an ordinary photo gets no extra query picture.

use imageguard::bundle::sign_bundle;
use imageguard::filter::{MatchStrength, PerceptualFilter, PerceptualParams};
use imageguard::hashing::{self, HashOptions, PictureHashes};
use imageguard::lists::BundleSpec;
use imageguard::pdq::PdqHash;
use imageguard::policy::Policy;
use imageguard::scanner::{MatchKind, ScanOutcome, Scanner, ScannerConfig};
use imageguard::signing::SigningKey;
use imageguard_test_support::fixtures::{self, NOW};
use imageguard_test_support::synthetic::{self, RgbImage};
use imageguard_test_support::with;

const SALT: [u8; 32] = [7; 32];

fn pictures(file: &[u8]) -> PictureHashes {
    hashing::exact_then_pictures(file, &HashOptions::default()).1.expect("decodes")
}

fn png(image: &RgbImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::write_buffer_with_format(&mut out, &image.pixels, image.width as u32, image.height as u32, image::ExtendedColorType::Rgb8, image::ImageFormat::Png)
        .expect("encodes");
    out.into_inner()
}

struct Listed {
    originals: Vec<RgbImage>,
    hashes: Vec<PdqHash>,
    filter: PerceptualFilter,
}

fn listed() -> Listed {
    let originals: Vec<RgbImage> = (300..306u64).map(|seed| synthetic::photo(seed, 1600, 1200)).collect();
    let hashes: Vec<PdqHash> = originals.iter().map(|image| pictures(&image.to_jpeg(92)).pdq.hash()).collect();
    let filter = PerceptualFilter::build(&SALT, PerceptualParams::default(), &hashes).expect("filter");
    Listed { originals, hashes, filter }
}

/// The strongest hit over every picture the scanner would query.
fn strongest(filter: &PerceptualFilter, pictures: &PictureHashes) -> Option<MatchStrength> {
    pictures.queries().filter_map(|features| filter.query(features)).map(|hit| hit.strength).max_by_key(|s| *s == MatchStrength::Strong)
}

/// The nearest any queried hash comes to `listed`.
fn nearest(pictures: &PictureHashes, listed: &PdqHash) -> u32 {
    pictures.queries().flat_map(|features| features.oriented_hashes()).map(|h| h.distance(listed)).min().unwrap_or(256)
}

#[test]
fn mirrored_and_quarter_turned_copies_are_strong_hits_near_the_listed_hash() {
    let l = listed();
    for (image, listed) in l.originals.iter().zip(&l.hashes) {
        for copy in [image.flip_horizontal(), image.rotate_90()] {
            let copy = pictures(&copy.to_jpeg(90));
            assert_eq!(strongest(&l.filter, &copy), Some(MatchStrength::Strong));
            assert!(nearest(&copy, listed) <= 16, "{}", nearest(&copy, listed));
        }
    }
}

#[test]
fn bordered_letterboxed_and_screenshotted_copies_are_strong_hits() {
    let l = listed();
    for (i, (image, listed)) in l.originals.iter().zip(&l.hashes).enumerate() {
        let colour = [[255, 255, 255], [0, 0, 0], [120, 60, 200]][i % 3];
        let copies = [
            ("border", image.with_border(0.05, colour).to_jpeg(90)),
            ("letterbox", image.letterboxed(9.0 / 16.0).to_jpeg(90)),
            ("screenshot", png(&image.in_phone_screenshot(i % 2 == 1))),
        ];
        for (name, file) in copies {
            let copy = pictures(&file);
            assert!(!copy.framed.is_empty(), "{name} {i}: the inner picture is found");
            // The whole copy's hash is far from the listed one; the framed picture's is near.
            assert!(copy.pdq.hash().distance(listed) > 40, "{name} {i}");
            assert!(nearest(&copy, listed) <= 16, "{name} {i}: {}", nearest(&copy, listed));
            assert_eq!(strongest(&l.filter, &copy), Some(MatchStrength::Strong), "{name} {i}");
        }
    }
}

#[test]
fn chat_screenshots_with_a_caption_under_the_photo_are_strong_hits() {
    let l = listed();
    for (i, (image, listed)) in l.originals.iter().zip(&l.hashes).enumerate() {
        let dark = i % 2 == 1;
        let copy = pictures(&png(&image.in_messenger_screenshot(dark)));
        assert!(copy.pdq.hash().distance(listed) > 40, "{i}");
        assert!(nearest(&copy, listed) <= 16, "{i} dark={dark}: {}", nearest(&copy, listed));
        assert_eq!(strongest(&l.filter, &copy), Some(MatchStrength::Strong), "{i} dark={dark}");
    }
}

#[test]
fn unrelated_pictures_miss_and_plain_photos_get_no_extra_query_picture() {
    let l = listed();
    for seed in 400..412u64 {
        let image = synthetic::photo(seed, 1600, 1200);
        for file in [image.to_jpeg(90), image.flip_horizontal().to_jpeg(60), png(&image.shrink(4))] {
            let copy = pictures(&file);
            assert!(copy.framed.is_empty(), "seed {seed}: no frame to find");
            assert_eq!(strongest(&l.filter, &copy), None, "seed {seed}");
        }
        // Framed, an unrelated photo is still unrelated.
        let framed = pictures(&png(&image.in_phone_screenshot(false)));
        assert!(!framed.framed.is_empty());
        assert_eq!(strongest(&l.filter, &framed), None, "seed {seed} framed");
    }
}

#[test]
fn the_scanner_matches_a_screenshot_and_a_mirror_of_a_listed_picture_perceptually() {
    let l = listed();
    let provider = SigningKey::generate().expect("key");
    let mut spec = BundleSpec::new(with(fixtures::header("test", "framed", 1), |h| h.expires = NOW + 30 * fixtures::DAY));
    spec.pdq = l.hashes.clone();
    spec.policy = Policy { confirm_exact: false, confirm_perceptual_strong: false, confirm_perceptual_weak: false, ..Policy::default() };
    let trust = imageguard::bundle::TrustConfig::new(vec![provider.verifying_key()], 1).expect("trust");
    let config = ScannerConfig::new(trust, vec!["test".into()], "en");
    let bundle = sign_bundle(&spec.build().expect("bundle"), &provider).expect("signed");
    let scanner = Scanner::new_at(bundle, config, &[], &[], Some(imageguard::report::DeviceKey::generate().expect("device key")), NOW).expect("scanner");
    let image = &l.originals[1];
    for file in [png(&image.in_phone_screenshot(false)), image.flip_horizontal().to_jpeg(85)] {
        match scanner.scan_bytes_at(&file, NOW).expect("scans") {
            ScanOutcome::Match(info) => assert!(matches!(info.kind, MatchKind::Perceptual { .. }), "{:?}", info.kind),
            other => panic!("expected a match, got {other:?}"),
        }
    }
    // Raw pixels of a bordered copy match too (the inner picture is cropped from the buffer).
    let bordered = image.with_border(0.06, [255, 255, 255]);
    let pixels = imageguard::decode::PixelBuffer::new(&bordered.pixels, bordered.width, bordered.height, bordered.width * 3, imageguard::decode::PixelFormat::Rgb8);
    assert!(matches!(scanner.scan_pixels_at(&pixels, NOW).expect("scans"), ScanOutcome::Match(_)));
    let unrelated = synthetic::photo(999, 1600, 1200);
    assert_eq!(scanner.scan_bytes_at(&png(&unrelated.in_phone_screenshot(true)), NOW).expect("scans"), ScanOutcome::NoMatch);
}
