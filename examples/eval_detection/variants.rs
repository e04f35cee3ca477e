//! Many hashes of real photos, made in memory: random crops (35-100% of each side), scales and exposures of
//! a set of photos. They stand for what a large list holds (real photo hashes are far from uniform, and
//! collide more often than random ones), and give many more unrelated lookups than there are files.

use imageguard::pdq::{self, luma_from_rgb, Dihedral, LumaImage, OrientedHashes, PdqHash, QueryFeatures, Uncropped, DEFAULT_MIN_QUALITY};
use std::path::Path;

/// A photo's luma at a working size (long side 512 to 1024).
pub struct Plane {
    width: usize,
    height: usize,
    luma: Vec<f32>,
}

/// Small, fast, seeded: SplitMix64.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [low, high).
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Decodes a JPEG (the corpus's originals) with DCT scaling to a long side of at least 512, as luma.
pub fn load_plane(path: &Path) -> Result<Plane, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut decoder = jpeg_decoder::Decoder::new(std::io::BufReader::new(file));
    decoder.read_info().map_err(|e| format!("{}: {e}", path.display()))?;
    let info = decoder.info().ok_or("no JPEG header")?;
    let (w, h) = (info.width, info.height);
    let scale = (w.max(h) / 1024).max(1);
    decoder.scale(w / scale, h / scale).map_err(|e| format!("{}: {e}", path.display()))?;
    let pixels = decoder.decode().map_err(|e| format!("{}: {e}", path.display()))?;
    let info = decoder.info().ok_or("no JPEG header")?;
    let (width, height) = (usize::from(info.width), usize::from(info.height));
    let luma = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels.chunks_exact(3).map(|p| luma_from_rgb(p[0], p[1], p[2])).collect(),
        jpeg_decoder::PixelFormat::L8 => pixels.iter().map(|&v| f32::from(v)).collect(),
        other => return Err(format!("{}: unexpected pixel format {other:?}", path.display())),
    };
    Ok(Plane { width, height, luma })
}

/// One random crop of `plane`, resampled by nearest neighbour to a long side of 96-320 px, its exposure
/// scaled by 0.8-1.2.
pub fn random_crop(plane: &Plane, rng: &mut Rng) -> LumaImage {
    let crop_w = ((plane.width as f64 * rng.uniform(0.35, 1.0)) as usize).max(16);
    let crop_h = ((plane.height as f64 * rng.uniform(0.35, 1.0)) as usize).max(16);
    let x0 = rng.below(plane.width.saturating_sub(crop_w) + 1);
    let y0 = rng.below(plane.height.saturating_sub(crop_h) + 1);
    let long = rng.uniform(96.0, 320.0) / crop_w.max(crop_h) as f64;
    let (out_w, out_h) = (((crop_w as f64 * long) as usize).max(16), ((crop_h as f64 * long) as usize).max(16));
    let gain = rng.uniform(0.8, 1.2) as f32;
    let image = LumaImage::from_fn(out_w, out_h, |x, y| {
        let sx = x0 + x * crop_w / out_w;
        let sy = y0 + y * crop_h / out_h;
        let value = plane.luma.get(sy * plane.width + sx).copied().unwrap_or(0.0);
        (value * gain).min(255.0)
    });
    image
}

/// The list side of a crop: the reference's hash, in a random orientation; `None` when PDQ finds it too
/// flat (quality < 50).
pub fn listed_hash(image: LumaImage, rng: &mut Rng) -> Option<PdqHash> {
    let features = pdq::compute(image);
    (features.quality() >= DEFAULT_MIN_QUALITY).then(|| features.hash_for(Dihedral::ALL[rng.below(8)]))
}

/// The device side of a crop: what a device queries with (the picture really flipped and turned, and the
/// picture widened by its edges); `None` when too flat.
pub fn queried(image: LumaImage, _: &mut Rng) -> Option<(QueryFeatures, Uncropped)> {
    let uncropped = Uncropped::compute(&image);
    let features = QueryFeatures::compute(image);
    (features.quality() >= DEFAULT_MIN_QUALITY).then_some((features, uncropped))
}

/// Up to `count` results of `keep` over random crops of `planes` (round robin), made on `threads` threads; the
/// same seed gives the same results.
pub fn generate<T: Send>(
    planes: &[Plane],
    count: usize,
    seed: u64,
    threads: usize,
    keep: impl Fn(LumaImage, &mut Rng) -> Option<T> + Sync,
) -> Vec<T> {
    if planes.is_empty() {
        return Vec::new();
    }
    let threads = threads.max(1);
    let mut parts: Vec<Vec<T>> = Vec::new();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let keep = &keep;
                scope.spawn(move || {
                    let mut rng = Rng::new(seed ^ (t as u64).wrapping_mul(0xA076_1D64_78BD_642F));
                    let share = count / threads + usize::from(t < count % threads);
                    let mut out = Vec::with_capacity(share);
                    let mut index = t;
                    // Bounded: a corpus of flat pictures gives fewer results rather than no end.
                    let mut attempts = share.saturating_mul(20);
                    while out.len() < share && attempts > 0 {
                        attempts -= 1;
                        let plane = &planes[index % planes.len()];
                        index += threads;
                        let crop = random_crop(plane, &mut rng);
                        if let Some(kept) = keep(crop, &mut rng) {
                            out.push(kept);
                        }
                    }
                    out
                })
            })
            .collect();
        parts = handles.into_iter().filter_map(|h| h.join().ok()).collect();
    });
    parts.into_iter().flatten().collect()
}
