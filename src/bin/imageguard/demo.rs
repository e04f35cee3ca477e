//! `imageguard demo`: the whole flow on generated data, in seconds, with no network.

use clap::Args;
use imageguard::hashing::{self, HashOptions};
use imageguard::synthetic::{self, RgbImage};
use std::process::ExitCode;

#[derive(Args)]
pub struct DemoArgs {}

fn jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(&image.pixels, image.width as u16, image.height as u16, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

pub fn run(_args: DemoArgs) -> Result<ExitCode, String> {
    println!("imageguard demo: hashing generated photo-like images (no real photos are used).\n");
    println!("{:<28} {:>8} {:>7}  PDQ hash", "image", "quality", "bits");
    for seed in 1..=4u64 {
        let original = synthetic::photo(seed, 1200, 900);
        let edits: [(&str, RgbImage, u8); 4] = [
            ("original (JPEG q92)", original.clone(), 92),
            ("re-encoded JPEG q60", original.clone(), 60),
            ("resized to 50%", original.shrink(2), 90),
            ("flipped left-right", original.flip_horizontal(), 90),
        ];
        let mut reference = None;
        for (name, image, quality) in edits {
            let hashes = hashing::hash_bytes(&jpeg(&image, quality)?, &HashOptions::default()).map_err(|e| e.to_string())?;
            let reference = *reference.get_or_insert(hashes.pdq.hash());
            let best = hashes.pdq.dihedral_hashes().iter().map(|h| h.distance(&reference)).min().unwrap_or(256);
            println!("photo {seed}: {name:<20} {:>8} {best:>7}  {}", hashes.pdq.quality(), hashes.pdq.hash().to_hex());
        }
    }
    println!("\n'bits' is the PDQ distance to the photo's original (min over rotations/flips); <= 31 is a match.");
    Ok(ExitCode::SUCCESS)
}
