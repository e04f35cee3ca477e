//! False positives per image, measured on real photos and compared with what `bundle inspect` predicts.
//!
//! The photos in DIR (JPEG/PNG/WebP over 100 kB; one file per wallpaper, the largest, when a package ships
//! several resolutions) are split in two halves by sorted path. The *listed* half yields ENTRIES PDQ hashes
//! (default 1M) from pseudo-random crops (30-100% of each side) at small scales: real-photo hashes, which
//! collide with each other far more than random ones. The *unrelated* half yields IMAGES crops likewise
//! (default 20,000), each scanned as the device scans: the perceptual filter (every probe, band and
//! orientation) and the exact filter (its PDQ hash in 8 orientations; file hashes are uniform digests,
//! measured with random keys in `examples/exact_filter_bench.rs`). Rates too small to observe at the
//! default parameters are checked at looser ones, where the prediction can be compared with a count.
//!
//!     cargo run --release --example fp_budget DIR [ENTRIES] [IMAGES]
use imageguard::decode::{decode_for_hashing, DecodeLimits};
use imageguard::entry_key::mix64;
use imageguard::exact::HashKind;
use imageguard::filter::exact::{ExactFilter, DEFAULT_FP_RATE};
use imageguard::filter::{PerceptualFilter, PerceptualParams};
use imageguard::pdq::{self, LumaImage, PdqFeatures, PdqHash};
use imageguard::report::MatchStrength;
use std::collections::BTreeMap;
use std::time::Instant;

/// The photos of DIR, one per wallpaper.
fn photos(dir: &str) -> Vec<String> {
    let mut largest: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(path) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.to_string_lossy().to_string();
            let lower = name.to_lowercase();
            let size = entry.metadata().map_or(0, |m| m.len());
            if size < 100_000 || ![".jpg", ".jpeg", ".png", ".webp"].iter().any(|ext| lower.ends_with(ext)) {
                continue;
            }
            let key = name.split("/contents/").next().unwrap_or(&name).to_string();
            if largest.get(&key).is_none_or(|(s, _)| size > *s) {
                largest.insert(key, (size, name));
            }
        }
    }
    largest.into_values().map(|(_, name)| name).collect()
}

/// PDQ features of a pseudo-random crop (seeded by `seed`) of `luma`, sampled to at most 160 px a side.
fn crop(luma: &LumaImage, seed: u64) -> PdqFeatures {
    let (w, h) = (luma.width() as f64, luma.height() as f64);
    let r = |i: u64| (mix64(seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15)) >> 11) as f64 / (1u64 << 53) as f64;
    let (cw, ch) = ((0.3 + 0.7 * r(1)) * w, (0.3 + 0.7 * r(2)) * h);
    let (x0, y0) = (r(3) * (w - cw), r(4) * (h - ch));
    let side = 64.0 + 96.0 * r(5);
    let (ow, oh) = ((side * cw / cw.max(ch)).max(16.0) as usize, (side * ch / cw.max(ch)).max(16.0) as usize);
    let pixels = luma.pixels();
    pdq::compute(LumaImage::from_fn(ow, oh, |x, y| {
        let sx = (x0 + (x as f64 + 0.5) * cw / ow as f64) as usize;
        let sy = (y0 + (y as f64 + 0.5) * ch / oh as f64) as usize;
        pixels[sy.min(luma.height() - 1) * luma.width() + sx.min(luma.width() - 1)]
    }))
}

/// Runs `job(i)` for i in 0..n on 2 threads, in order.
fn parallel<T: Send>(n: u64, job: impl Fn(u64) -> T + Sync) -> Vec<T> {
    let job = &job;
    std::thread::scope(|scope| {
        let halves: Vec<_> = (0..2u64).map(|t| scope.spawn(move || (t * n / 2..(t + 1) * n / 2).map(job).collect::<Vec<T>>())).collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("DIR of photos");
    let entries: u64 = args.next().map_or(1_000_000, |n| n.parse().unwrap());
    let images: u64 = args.next().map_or(20_000, |n| n.parse().unwrap());
    let started = Instant::now();
    let lumas: Vec<(String, LumaImage)> = photos(&dir)
        .into_iter()
        .filter_map(|path| {
            let bytes = std::fs::read(&path).ok()?;
            Some((path, decode_for_hashing(&bytes, &DecodeLimits::default()).ok()?.luma))
        })
        .collect();
    let (listed, unrelated): (Vec<_>, Vec<_>) = lumas.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let listed: Vec<&LumaImage> = listed.into_iter().map(|(_, (_, l))| l).collect();
    let unrelated: Vec<(&String, &LumaImage)> = unrelated.into_iter().map(|(_, (p, l))| (p, l)).collect();
    println!("{} photos decoded: {} listed, {} unrelated ({:.0} s)", lumas.len(), listed.len(), unrelated.len(), started.elapsed().as_secs_f64());

    let started = Instant::now();
    // The scanner makes no PDQ lookup (exact or perceptual) for an image below the quality gate, and
    // lists hold hashes of real content: both sides keep only crops at or above it.
    let min_quality = imageguard::policy::Policy::default().min_quality;
    let hashes: Vec<PdqHash> = parallel(entries, |i| {
        let features = crop(listed[(i % listed.len() as u64) as usize], mix64(i ^ 0x11571ED));
        (features.quality() >= min_quality).then(|| features.hash())
    })
    .into_iter()
    .flatten()
    .collect();
    let distinct = {
        let mut sorted = hashes.clone();
        sorted.sort_unstable_by_key(|h| h.0);
        sorted.dedup();
        sorted.len()
    };
    println!(
        "{} listed PDQ hashes from {entries} crops at quality >= {min_quality} ({distinct} distinct, {:.0} s)",
        hashes.len(),
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let scanned: Vec<(usize, PdqFeatures)> = parallel(images, |i| {
        let photo = (i % unrelated.len() as u64) as usize;
        (photo, crop(unrelated[photo].1, mix64(i ^ 0xFA15E)))
    })
    .into_iter()
    .filter(|(_, features)| features.quality() >= min_quality)
    .collect();
    println!(
        "{} unrelated images from {images} crops at quality >= {min_quality} ({:.0} s)",
        scanned.len(),
        started.elapsed().as_secs_f64()
    );
    let images = scanned.len() as u64;

    let salt = *blake3::hash(b"fp budget salt").as_bytes();
    // The exact filter: the PDQ hashes (what real photos can collide on), scanned in 8 orientations.
    for fp in [DEFAULT_FP_RATE, 1e-4] {
        let exact = ExactFilter::build(salt, fp, hashes.iter().map(|h| (HashKind::PdqExact, &h.0[..]))).unwrap();
        let hits: u64 = parallel(images, |i| {
            let features = &scanned[i as usize].1;
            u64::from(features.dihedral_hashes().iter().any(|h| exact.contains(HashKind::PdqExact, &h.0)))
        })
        .iter()
        .sum();
        println!(
            "EXACT fp/lookup {:.1e}: predicted {:.2e} per image ({} lookups), measured {hits} in {images} = {:.2e}",
            exact.fp_rate(),
            exact.fp_per_image(),
            exact.lookups_per_image(),
            hits as f64 / images as f64
        );
    }
    println!("\n| perceptual parameters | B/entry | fp/probe predicted | weak-or-strong / image predicted | measured | strong / image predicted | measured | photos with a hit | hits within 31 bits of a listed hash (any orientation) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    // A hit on an image that really is within PDQ's match distance of a listed hash is PDQ's own
    // collision (confirmation would confirm it), not the filter's: count those apart.
    let near_listed = |features: &PdqFeatures| {
        features.dihedral_hashes().iter().any(|h| hashes.iter().any(|listed| h.distance(listed) <= 31))
    };
    let default = PerceptualParams::default();
    for (label, params) in [
        ("default (4 x 48, 256 probes)", default),
        ("loose: 12 B/entry", PerceptualParams { bytes_per_entry: 12.0, ..default }),
        ("loose: 4 x 32 bits", PerceptualParams { bits_per_band: 32, ..default }),
    ] {
        let filter = PerceptualFilter::build(&salt, params, &hashes).unwrap();
        let outcomes: Vec<Option<MatchStrength>> = parallel(images, |i| filter.query(&scanned[i as usize].1).map(|h| h.strength));
        let any = outcomes.iter().filter(|o| o.is_some()).count();
        let strong = outcomes.iter().filter(|o| **o == Some(MatchStrength::Strong)).count();
        let mut photos_hit: Vec<usize> = outcomes.iter().zip(&scanned).filter(|(o, _)| o.is_some()).map(|(_, (p, _))| *p).collect();
        photos_hit.sort_unstable();
        photos_hit.dedup();
        let predicted = filter.fp_per_image();
        let near = outcomes.iter().zip(&scanned).filter(|(o, (_, f))| o.is_some() && near_listed(f)).count();
        println!(
            "| {label} | {:.0} | {:.2e} | {:.2e} | {:.2e} ({any}) | {:.2e} | {:.2e} ({strong}) | {} of {} | {near} of {any} |",
            filter.bytes_per_entry(),
            filter.fp_rate_per_probe(),
            predicted.weak,
            any as f64 / images as f64,
            predicted.strong,
            strong as f64 / images as f64,
            photos_hit.len(),
            unrelated.len()
        );
    }
}
