//! Writes the fixtures the Kotlin, Swift and Python suites scan: a list provider's public key, signed
//! bundles v1 and v2 (and the delta between them), and synthetic images (never real photos).
//!
//! Usage: make-test-fixtures OUT_DIR. Files:
//! - `provider.pub`: the provider's 32-byte Ed25519 public key (trust it with threshold 1);
//! - `bundle-v1.bin` (bundle id "fixtures", list "synthetic-known", sequence 1, valid 30 days from now):
//!   `known.jpg` by BLAKE3 and its PDQ hash; `bundle-v2.bin` (sequence 2) adds `known-v2.jpg`;
//!   `delta-v1-v2.bin` turns v1 into v2;
//!   These use a policy that acts without confirmation (as `list build --no-confirmation` does);
//! - `bundle-confirm.bin` (bundle id "fixtures-confirm", sequence 1, the default policy: every hit needs
//!   the platform's confirmation) holding `known.jpg`, and `platform-lists.bin`, the platform's lists
//!   that answer its confirmation requests (`platform_answer`);
//! - `known.jpg` (exact match), `known-rotated.jpg` (the same photo turned 90°: a perceptual match),
//!   `known.rgba` (its raw 800x600 RGBA pixels, no row padding), `known-v2.jpg`, `unrelated.jpg` (no match);
//! - `video-frames.rgba`: four distinct 320x240 RGBA frames of a "known video", one after the other, and
//!   `bundle-video.bin` (bundle id "fixtures-video", acting without confirmation) listing their frame
//!   hashes, as `list build --videos` would: fed one a second they are a video match (policy: 3 distinct
//!   frames).

use imageguard::bundle::{make_delta, sign_bundle, BundleHeader};
use imageguard::decode::{DecodeLimits, PixelBuffer, PixelFormat};
use imageguard::exact::{self, ExactHashRequest, HashKind};
use imageguard::hashing::{self, HashOptions};
use imageguard::lists::BundleSpec;
use imageguard::policy::Policy;
use imageguard::signing::SigningKey;
use imageguard_test_support::synthetic::{self, RgbImage};
use std::path::Path;

type Error = Box<dyn std::error::Error>;

fn jpeg(image: &RgbImage) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let (w, h) = (u16::try_from(image.width)?, u16::try_from(image.height)?);
    jpeg_encoder::Encoder::new(&mut out, 92).encode(&image.pixels, w, h, jpeg_encoder::ColorType::Rgb)?;
    Ok(out)
}

fn spec(bundle_id: &str, sequence: u64, now: u64, files: &[&[u8]]) -> Result<BundleSpec, Error> {
    let header = BundleHeader {
        bundle_id: bundle_id.into(),
        list_ids: vec!["synthetic-known".into()],
        sequence,
        created: now - 60,
        expires: now + 30 * 86400,
        salt: [7; 32],
    };
    let mut spec = BundleSpec::new(header);
    let blake3 = files.iter().map(|f| exact::exact_hashes(f, ExactHashRequest::BLAKE3_ONLY).blake3.to_vec()).collect();
    spec.exact.push((HashKind::Blake3, blake3));
    spec.pdq = files
        .iter()
        .map(|f| Ok(hashing::hash_bytes(f, &HashOptions::default())?.pdq.hash()))
        .collect::<Result<_, Error>>()?;
    Ok(spec)
}

fn bundle(provider: &SigningKey, sequence: u64, now: u64, files: &[&[u8]]) -> Result<Vec<u8>, Error> {
    let mut spec = spec("fixtures", sequence, now, files)?;
    spec.policy = no_confirmation();
    Ok(sign_bundle(&spec.build()?, provider)?)
}

fn no_confirmation() -> Policy {
    Policy { confirm_exact: false, confirm_perceptual_strong: false, confirm_perceptual_weak: false, ..Policy::default() }
}

/// Four distinct RGBA frames of a known video (concatenated) and its signed bundle of frame hashes.
fn video(provider: &SigningKey, now: u64) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let (width, height) = (320, 240);
    let frames: Vec<u8> = (0..4)
        .flat_map(|i| synthetic::photo(300 + i, width, height).pixels.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect::<Vec<u8>>())
        .collect();
    let mut spec = spec("fixtures-video", 1, now, &[])?;
    spec.pdq = frames
        .chunks_exact(width * height * 4)
        .map(|frame| {
            let buffer = PixelBuffer::new(frame, width, height, width * 4, PixelFormat::Rgba8);
            Ok(imageguard::video::hash_frame(&buffer, &DecodeLimits::default())?.hash())
        })
        .collect::<Result<_, Error>>()?;
    spec.policy = no_confirmation();
    Ok((frames, sign_bundle(&spec.build()?, provider)?))
}

fn main() -> Result<(), Error> {
    let out = std::env::args().nth(1).ok_or("usage: make-test-fixtures OUT_DIR")?;
    let out = Path::new(&out);
    std::fs::create_dir_all(out)?;
    let now = imageguard::clock::unix_seconds();

    let known = synthetic::photo(100, 800, 600);
    let known_file = jpeg(&known)?;
    let known_v2 = jpeg(&synthetic::photo(101, 800, 600))?;
    let provider = SigningKey::generate()?;
    let v1 = bundle(&provider, 1, now, &[&known_file])?;
    let v2 = bundle(&provider, 2, now, &[&known_file, &known_v2])?;

    let (confirm_bundle, platform_lists) = spec("fixtures-confirm", 1, now, &[&known_file])?.build_with_lists()?;
    let confirm_bundle = sign_bundle(&confirm_bundle, &provider)?;

    let (video_frames, video_bundle) = video(&provider, now)?;

    let rgba: Vec<u8> = known.pixels.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect();
    let files: [(&str, Vec<u8>); 13] = [
        ("bundle-video.bin", video_bundle),
        ("video-frames.rgba", video_frames),
        ("bundle-confirm.bin", confirm_bundle),
        ("platform-lists.bin", platform_lists.to_bytes()),
        ("provider.pub", provider.public_key().to_vec()),
        ("delta-v1-v2.bin", make_delta(&v1, &v2)?),
        ("bundle-v1.bin", v1),
        ("bundle-v2.bin", v2),
        ("known.jpg", known_file),
        ("known-rotated.jpg", jpeg(&known.rotate_90())?),
        ("known.rgba", rgba),
        ("known-v2.jpg", known_v2),
        ("unrelated.jpg", jpeg(&synthetic::photo(200, 800, 600))?),
    ];
    for (name, bytes) in files {
        std::fs::write(out.join(name), bytes)?;
    }
    println!("fixtures written to {}", out.display());
    Ok(())
}
