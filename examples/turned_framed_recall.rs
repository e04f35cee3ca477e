//! Recall on turned and framed copies of listed pictures, before and after true dihedral queries and the
//! border/letterbox/screenshot finder (issue 17, items 2 and 4), plus what it costs on ordinary files.
//!
//! Each picture of a directory (the Debian wallpapers, 2-20 MP, kept at their own resolution) is listed
//! by the hash of its file; copies are made in memory (mirror, rotate 90, 5% uniform border, letterbox,
//! light and dark phone screenshots of a gallery app, and of a chat app with a caption under the photo as
//! scripts/eval/edits.py draws them; JPEG q90, screenshots PNG) and scanned. "Before" queries the
//! reference picture with the orientations PDQ derives from one pass (and the alternates), as the scanner
//! did; "after" queries every picture the scanner queries now ([`PictureHashes::queries`]).
//!
//! Usage (release): cargo run --release --example turned_framed_recall -- [DIR] [MAX_FILES]

use imageguard::decode;
use imageguard::exact::{self, ExactHashRequest};
use imageguard::filter::{MatchStrength, PerceptualFilter, PerceptualParams};
use imageguard::hashing::{self, HashOptions, PictureHashes};
use imageguard::pdq::{self, OrientedHashes, PdqHash, QueryFeatures, DEFAULT_MIN_QUALITY};
use imageguard_test_support::synthetic::RgbImage;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const TRANSFORMS: [&str; 9] =
    ["original", "mirror", "rotate90", "border5", "letterbox", "screenshot-light", "screenshot-dark", "caption-light", "caption-dark"];

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "/work/cache/wallpapers".into());
    let max_files: usize = std::env::args().nth(2).and_then(|n| n.parse().ok()).unwrap_or(usize::MAX);
    let mut files = Vec::new();
    collect(Path::new(&dir), &mut files);
    files.sort();

    // The listed originals: decodable here, quality >= 50, both sides >= 256, distinct hashes.
    let options = HashOptions::default();
    let mut listed: Vec<(PathBuf, Vec<u8>, RgbImage, PdqHash)> = Vec::new();
    for path in files {
        if listed.len() >= max_files {
            break;
        }
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let Ok(pictures) = hashing::exact_then_pictures(&bytes, &options).1 else { continue };
        if pictures.pdq.quality() < DEFAULT_MIN_QUALITY || pictures.width < 256 || pictures.height < 256 {
            continue;
        }
        let hash = pictures.pdq.hash();
        if listed.iter().any(|(_, _, _, h)| h.distance(&hash) <= 8) {
            continue;
        }
        let Some(rgb) = rgb_of(&bytes) else { continue };
        listed.push((path, bytes, rgb, hash));
    }
    let megapixels: Vec<f64> = listed.iter().map(|(_, _, rgb, _)| (rgb.width * rgb.height) as f64 / 1e6).collect();
    println!("{} listed pictures from {dir}, {:.1}-{:.1} MP (median {:.1})", listed.len(), min(&megapixels), max(&megapixels), median(&megapixels));
    let hashes: Vec<PdqHash> = listed.iter().map(|(_, _, _, h)| *h).collect();
    let filter = PerceptualFilter::build(&[0x5A; 32], PerceptualParams::default(), &hashes).expect("filter");

    let mut rows: Vec<Tally> = TRANSFORMS.iter().map(|name| Tally { name, ..Tally::default() }).collect();
    let (mut time_before, mut time_after) = (Duration::ZERO, Duration::ZERO);
    let (mut pdq_before, mut pdq_after) = (Duration::ZERO, Duration::ZERO);
    let mut ordinary_files = 0usize;
    let mut ordinary_extra = 0usize;
    for (i, (path, bytes, rgb, hash)) in listed.iter().enumerate() {
        let colour = [[255, 255, 255], [0, 0, 0], [128, 128, 128]][i % 3];
        let copies: [(usize, Vec<u8>); 9] = [
            (0, bytes.clone()),
            (1, rgb.flip_horizontal().to_jpeg(90)),
            (2, rgb.rotate_90().to_jpeg(90)),
            (3, rgb.with_border(0.05, colour).to_jpeg(90)),
            (4, rgb.letterboxed(if rgb.width >= rgb.height { 1.0 } else { 16.0 / 9.0 }).to_jpeg(90)),
            (5, png(&rgb.in_phone_screenshot(false))),
            (6, png(&rgb.in_phone_screenshot(true))),
            (7, png(&rgb.in_messenger_screenshot(false))),
            (8, png(&rgb.in_messenger_screenshot(true))),
        ];
        for (index, file) in copies {
            let Ok(pictures) = hashing::exact_then_pictures(&file, &options).1 else { continue };
            rows[index].add(&filter, &pictures, hash);
            if std::env::var_os("TURNED_FRAMED_VERBOSE").is_some() {
                let bits = rows[index].bits_after.last().copied().unwrap_or(f64::NAN);
                eprintln!("{} {} framed={} bits={bits}", TRANSFORMS[index], path.display(), pictures.framed.len());
            }
            // Ordinary files: the originals and their mirrored and turned copies.
            if index <= 2 {
                ordinary_files += 1;
                ordinary_extra += pictures.framed.len();
            }
        }
        // Time per file (the original): hashing and probing, before and after.
        let start = Instant::now();
        let _ = exact::exact_hashes(bytes, ExactHashRequest::BLAKE3_ONLY);
        if let Ok(decoded) = decode::decode_for_hashing(bytes, &options.limits) {
            let features = pdq::compute(decoded.luma);
            let alternates: Vec<_> = decoded.alternates.into_iter().map(pdq::compute).collect();
            let _ = filter.query(&features);
            for features in &alternates {
                let _ = filter.query(features);
            }
        }
        time_before += start.elapsed();
        let start = Instant::now();
        if let Ok(pictures) = hashing::exact_then_pictures(bytes, &options).1 {
            for features in pictures.queries() {
                let _ = filter.query(features);
            }
        }
        time_after += start.elapsed();
        // PDQ alone on the reduced picture: one pass against QueryFeatures' four.
        if let Ok(decoded) = decode::decode_for_hashing(bytes, &options.limits) {
            let start = Instant::now();
            let _ = pdq::compute(decoded.luma.clone());
            pdq_before += start.elapsed();
            let start = Instant::now();
            let _ = QueryFeatures::compute(decoded.luma);
            pdq_after += start.elapsed();
        }
        eprint!("\r{}/{} {}", i + 1, listed.len(), path.display());
    }
    eprintln!();

    println!("\n| transform | copies | strong before | strong after | any before | any after | median bits before | median bits after | inner picture found |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in &rows {
        row.print();
    }
    let n = listed.len().max(1) as f64;
    println!(
        "\nextra query pictures per ordinary file: {:.3} ({ordinary_extra} of {ordinary_files} files: originals, mirrors, rotations)",
        ordinary_extra as f64 / ordinary_files.max(1) as f64
    );
    println!(
        "time per file (original, hash + probe): before {:.1} ms, after {:.1} ms; PDQ on the reduced picture: {:.2} ms -> {:.2} ms",
        time_before.as_secs_f64() * 1e3 / n,
        time_after.as_secs_f64() * 1e3 / n,
        pdq_before.as_secs_f64() * 1e3 / n,
        pdq_after.as_secs_f64() * 1e3 / n
    );
}

#[derive(Default)]
struct Tally {
    name: &'static str,
    copies: usize,
    strong_before: usize,
    strong_after: usize,
    any_before: usize,
    any_after: usize,
    bits_before: Vec<f64>,
    bits_after: Vec<f64>,
    /// Copies in which an inner picture was found.
    framed: usize,
}

impl Tally {
    fn add(&mut self, filter: &PerceptualFilter, pictures: &PictureHashes, listed: &PdqHash) {
        self.copies += 1;
        let before: Vec<&dyn OrientedHashes> =
            std::iter::once(&pictures.pdq as &dyn OrientedHashes).chain(pictures.alternates.iter().map(|f| f as &dyn OrientedHashes)).collect();
        let after: Vec<&dyn OrientedHashes> = pictures.queries().collect();
        let (strong, any) = hits(filter, &before);
        self.strong_before += usize::from(strong);
        self.any_before += usize::from(any);
        let (strong, any) = hits(filter, &after);
        self.strong_after += usize::from(strong);
        self.any_after += usize::from(any);
        self.bits_before.push(nearest(&before, listed));
        self.bits_after.push(nearest(&after, listed));
        self.framed += usize::from(!pictures.framed.is_empty());
    }

    fn print(&self) {
        let share = |n: usize| 100.0 * n as f64 / self.copies.max(1) as f64;
        println!(
            "| {} | {} | {:.0}% | {:.0}% | {:.0}% | {:.0}% | {:.0} | {:.0} | {:.0}% |",
            self.name,
            self.copies,
            share(self.strong_before),
            share(self.strong_after),
            share(self.any_before),
            share(self.any_after),
            median(&self.bits_before),
            median(&self.bits_after),
            share(self.framed)
        );
    }
}

fn hits(filter: &PerceptualFilter, queries: &[&dyn OrientedHashes]) -> (bool, bool) {
    let found: Vec<MatchStrength> = queries.iter().filter_map(|q| filter.query(*q)).map(|hit| hit.strength).collect();
    (found.contains(&MatchStrength::Strong), !found.is_empty())
}

fn nearest(queries: &[&dyn OrientedHashes], listed: &PdqHash) -> f64 {
    f64::from(queries.iter().flat_map(|q| q.oriented_hashes()).map(|h| h.distance(listed)).min().unwrap_or(256))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
            continue;
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_ascii_lowercase();
        // Plasma's screenshot.* files are small previews of the wallpaper next to them.
        let image = [".jpg", ".jpeg", ".png", ".webp"].iter().any(|ext| name.ends_with(ext));
        if image && !name.starts_with("screenshot") {
            out.push(path);
        }
    }
}

/// The stored pixels as RGB (alpha dropped, as the reference hashes them).
fn rgb_of(bytes: &[u8]) -> Option<RgbImage> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let mut decoder = jpeg_decoder::Decoder::new(bytes);
        let data = decoder.decode().ok()?;
        let info = decoder.info()?;
        let (width, height) = (usize::from(info.width), usize::from(info.height));
        let pixels = match info.pixel_format {
            jpeg_decoder::PixelFormat::RGB24 => data,
            jpeg_decoder::PixelFormat::L8 => data.iter().flat_map(|&v| [v, v, v]).collect(),
            _ => return None,
        };
        return Some(RgbImage { width, height, pixels });
    }
    let image = image::load_from_memory(bytes).ok()?.to_rgb8();
    Some(RgbImage { width: image.width() as usize, height: image.height() as usize, pixels: image.into_raw() })
}

fn png(image: &RgbImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::write_buffer_with_format(&mut out, &image.pixels, image.width as u32, image.height as u32, image::ExtendedColorType::Rgb8, image::ImageFormat::Png)
        .expect("encoding an in-memory PNG");
    out.into_inner()
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(0.0, f64::max)
}
