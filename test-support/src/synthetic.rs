//! Deterministic, photo-like synthetic images and the everyday edits applied to shared photos.
//!
//! The demo, the tests and the benchmarks need "known" images and unrelated ones without shipping any
//! real photo, and certainly never abuse imagery. These images have what PDQ cares about (smooth
//! low-frequency structure with edges and texture), are reproducible from a seed on every platform, and the
//! edits (re-encode aside) mimic what happens to an image as it travels: resizing, flipping, rotating,
//! watermarking and brightness changes.

/// An 8-bit RGB image, row-major, no padding.
#[derive(Clone, PartialEq, Eq)]
pub struct RgbImage {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl RgbImage {
    /// The image as a baseline JPEG at `quality` (1-100).
    ///
    /// # Panics
    /// If a side is over 65,535 pixels (JPEG's limit): test images never are.
    pub fn to_jpeg(&self, quality: u8) -> Vec<u8> {
        let side = |n: usize| u16::try_from(n).expect("a JPEG side is at most 65,535 pixels");
        let mut out = Vec::new();
        jpeg_encoder::Encoder::new(&mut out, quality)
            .encode(&self.pixels, side(self.width), side(self.height), jpeg_encoder::ColorType::Rgb)
            .expect("encoding an in-memory RGB image");
        out
    }
}

impl std::fmt::Debug for RgbImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RgbImage({}x{})", self.width, self.height)
    }
}

/// A small deterministic generator (SplitMix64): identical on every platform.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// A photo-like image: a smooth sky-and-ground gradient, low-frequency waves, a few soft-edged shapes
/// and fine grain, all chosen by `seed`.
pub fn photo(seed: u64, width: usize, height: usize) -> RgbImage {
    let mut rng = SplitMix(seed ^ 0x1A6E_6A7D);
    let top = [rng.unit() * 255.0, rng.unit() * 255.0, rng.unit() * 255.0];
    let bottom = [rng.unit() * 255.0, rng.unit() * 255.0, rng.unit() * 255.0];
    let waves: Vec<[f32; 5]> =
        (0..4).map(|_| [rng.unit() * 6.0 + 0.5, rng.unit() * 6.0 + 0.5, rng.unit() * 6.3, rng.unit() * 40.0, rng.unit()]).collect();
    let shapes: Vec<[f32; 8]> = (0..6)
        .map(|_| {
            [rng.unit(), rng.unit(), rng.unit() * 0.25 + 0.05, rng.unit() * 0.25 + 0.05,
             rng.unit() * 255.0, rng.unit() * 255.0, rng.unit() * 255.0, rng.unit()]
        })
        .collect();
    let mut pixels = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        let v = y as f32 / height as f32;
        for x in 0..width {
            let u = x as f32 / width as f32;
            let mut rgb = [0f32; 3];
            for (c, value) in rgb.iter_mut().enumerate() {
                *value = top[c] * (1.0 - v) + bottom[c] * v;
            }
            let wave: f32 = waves.iter().map(|w| w[3] * (w[0] * u * std::f32::consts::TAU + w[1] * v * std::f32::consts::TAU + w[2]).sin()).sum();
            for value in &mut rgb {
                *value += wave;
            }
            for s in &shapes {
                let (dx, dy) = ((u - s[0]) / s[2], (v - s[1]) / s[3]);
                let d = if s[7] > 0.5 { dx * dx + dy * dy } else { dx.abs().max(dy.abs()) };
                let inside = (1.0 - d).clamp(0.0, 0.1) * 10.0;
                for (c, value) in rgb.iter_mut().enumerate() {
                    *value = *value * (1.0 - inside) + s[4 + c] * inside;
                }
            }
            let grain = (rng.next() >> 59) as f32 - 16.0;
            for value in rgb {
                pixels.push((value + grain * 0.5).clamp(0.0, 255.0) as u8);
            }
        }
    }
    RgbImage { width, height, pixels }
}

impl RgbImage {
    fn at(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * 3;
        [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]]
    }

    fn from_fn(width: usize, height: usize, mut pixel: impl FnMut(usize, usize) -> [u8; 3]) -> RgbImage {
        let mut pixels = Vec::with_capacity(width * height * 3);
        for y in 0..height {
            for x in 0..width {
                pixels.extend_from_slice(&pixel(x, y));
            }
        }
        RgbImage { width, height, pixels }
    }

    /// Mirror image (left-right).
    pub fn flip_horizontal(&self) -> RgbImage {
        RgbImage::from_fn(self.width, self.height, |x, y| self.at(self.width - 1 - x, y))
    }

    /// Rotated a quarter turn clockwise.
    pub fn rotate_90(&self) -> RgbImage {
        RgbImage::from_fn(self.height, self.width, |x, y| self.at(y, self.height - 1 - x))
    }

    /// Downscaled by an integer `factor` with a box filter, as image editors do.
    pub fn shrink(&self, factor: usize) -> RgbImage {
        let factor = factor.max(1);
        let (width, height) = ((self.width / factor).max(1), (self.height / factor).max(1));
        RgbImage::from_fn(width, height, |x, y| {
            let mut sum = [0u32; 3];
            for dy in 0..factor {
                for dx in 0..factor {
                    let p = self.at((x * factor + dx).min(self.width - 1), (y * factor + dy).min(self.height - 1));
                    for c in 0..3 {
                        sum[c] += u32::from(p[c]);
                    }
                }
            }
            let n = (factor * factor) as u32;
            sum.map(|s| (s / n) as u8)
        })
    }

    /// A hand crop: `per_mille` of the width and of the height cut off, two thirds of it from the top and
    /// left (as `crop()` in scripts/eval/edits.py).
    pub fn cropped(&self, per_mille: usize) -> RgbImage {
        let (dx, dy) = (self.width * per_mille / 1000, self.height * per_mille / 1000);
        let (left, top) = (dx * 2 / 3, dy * 2 / 3);
        RgbImage::from_fn(self.width - dx, self.height - dy, |x, y| self.at(x + left, y + top))
    }

    /// Adds `delta` to every channel, clamped.
    pub fn brighten(&self, delta: i16) -> RgbImage {
        let pixels = self.pixels.iter().map(|&p| (i16::from(p) + delta).clamp(0, 255) as u8).collect();
        RgbImage { width: self.width, height: self.height, pixels }
    }

    /// Stamps a small semi-opaque white label with dark stripes in the bottom-right corner.
    pub fn watermark(&self) -> RgbImage {
        let (w, h) = (self.width / 5, self.height / 14);
        let (x0, y0) = (self.width - w - self.width / 40, self.height - h - self.height / 40);
        RgbImage::from_fn(self.width, self.height, |x, y| {
            let p = self.at(x, y);
            if x >= x0 && x < x0 + w && y >= y0 && y < y0 + h {
                let ink = ((x - x0) / 3 + (y - y0) / 4) % 3 == 0;
                let target = if ink { 40.0 } else { 250.0 };
                p.map(|c| (f32::from(c) * 0.4 + target * 0.6) as u8)
            } else {
                p
            }
        })
    }
}

/// How a picture is framed when shared: a uniform border, bars to another aspect ratio, or a phone
/// screenshot of it.
impl RgbImage {
    /// Resampled to `width x height` by averaging the source pixels each output pixel covers (area
    /// filter, as image viewers and screenshots downscale).
    pub fn resize(&self, width: usize, height: usize) -> RgbImage {
        let (width, height) = (width.max(1), height.max(1));
        let span = |i: usize, out: usize, len: usize| {
            let start = i * len / out;
            (start, ((i + 1) * len / out).max(start + 1).min(len))
        };
        RgbImage::from_fn(width, height, |x, y| {
            let ((x0, x1), (y0, y1)) = (span(x, width, self.width), span(y, height, self.height));
            let mut sum = [0u32; 3];
            for sy in y0..y1 {
                for sx in x0..x1 {
                    let p = self.at(sx, sy);
                    for c in 0..3 {
                        sum[c] += u32::from(p[c]);
                    }
                }
            }
            let n = ((x1 - x0) * (y1 - y0)) as u32;
            sum.map(|s| ((s + n / 2) / n) as u8)
        })
    }

    /// Drawn on a `width x height` canvas of `colour` at `(x0, y0)` (clipped).
    pub fn placed_on(&self, width: usize, height: usize, x0: usize, y0: usize, colour: [u8; 3]) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            let inside = x >= x0 && y >= y0 && x - x0 < self.width && y - y0 < self.height;
            if inside {
                self.at(x - x0, y - y0)
            } else {
                colour
            }
        })
    }

    /// With a uniform border of `colour`, `fraction` of each side thick on each side.
    pub fn with_border(&self, fraction: f32, colour: [u8; 3]) -> RgbImage {
        let (bx, by) = ((self.width as f32 * fraction) as usize, (self.height as f32 * fraction) as usize);
        self.placed_on(self.width + 2 * bx, self.height + 2 * by, bx, by, colour)
    }

    /// Letterboxed (or pillarboxed) in black bars to a `ratio` (width / height) canvas.
    pub fn letterboxed(&self, ratio: f32) -> RgbImage {
        let own = self.width as f32 / self.height as f32;
        if own > ratio {
            let height = (self.width as f32 / ratio) as usize;
            self.placed_on(self.width, height, 0, (height - self.height) / 2, [0, 0, 0])
        } else {
            let width = (self.height as f32 * ratio) as usize;
            self.placed_on(width, self.height, (width - self.width) / 2, 0, [0, 0, 0])
        }
    }

    /// A 1080x2340 phone screenshot of the picture shown in a gallery app: status bar (clock, icons),
    /// the picture fitted between margins, a toolbar of icons and the navigation bar; light or dark.
    pub fn in_phone_screenshot(&self, dark: bool) -> RgbImage {
        let (width, height) = (1080, 2340);
        let (background, ink) = if dark { ([0, 0, 0], [235, 235, 235]) } else { ([250, 250, 250], [30, 30, 30]) };
        let (margin, top, bottom) = (24, 200, 2060);
        let scale = ((width - 2 * margin) as f32 / self.width as f32).min((bottom - top) as f32 / self.height as f32);
        let (w, h) = ((self.width as f32 * scale) as usize, (self.height as f32 * scale) as usize);
        let shown = self.resize(w, h);
        let (x0, y0) = ((width - w) / 2, top + (bottom - top - h) / 2);
        let icon = |x: usize, y: usize, cx: usize, cy: usize, r: usize| x.abs_diff(cx) < r && y.abs_diff(cy) < r;
        let glyph = |x: usize, y: usize| !(x / 6 + y / 9).is_multiple_of(3);
        shown.placed_on(width, height, x0, y0, background).map_outside(x0, y0, w, h, |x, y| {
            let status_bar = y < 80 && ((40..200).contains(&x) && (25..60).contains(&y) && glyph(x, y) || icon(x, y, 960, 42, 16) || icon(x, y, 1010, 42, 16));
            let toolbar = (2130..2190).contains(&y) && [135, 405, 675, 945].iter().any(|&cx| icon(x, y, cx, 2160, 26));
            let navigation = (2260..2300).contains(&y) && [270, 540, 810].iter().any(|&cx| icon(x, y, cx, 2280, 18));
            if status_bar || toolbar || navigation {
                ink
            } else {
                background
            }
        })
    }

    /// A 1080x2340 phone screenshot of the picture sent in a chat app, as `screenshot()` in
    /// scripts/eval/edits.py draws it: status bar (clock, signal bars), a coloured app bar (avatar, group
    /// name), the picture fitted within 1008x1500 at y = 390, a caption line 40 px under it and a time
    /// 70 px below that, then a bottom bar with a rounded input box; light or dark. Text is drawn as
    /// blocky glyphs (no font): what matters to the finder is sparse ink on background rows.
    pub fn in_messenger_screenshot(&self, dark: bool) -> RgbImage {
        let (width, height) = (1080usize, 2340usize);
        let (background, ink) = if dark { ([18, 18, 18], [230, 230, 230]) } else { ([255, 255, 255], [30, 30, 30]) };
        let (status, app_bar, bottom_bar) =
            if dark { ([0, 0, 0], [32, 48, 64], [0, 0, 0]) } else { ([240, 240, 240], [0, 120, 110], [245, 245, 245]) };
        let margin = 36;
        // Thumbnailed (never enlarged) to fit 1008x1500, keeping the aspect ratio.
        let scale = ((width - 2 * margin) as f32 / self.width as f32).min(1500.0 / self.height as f32).min(1.0);
        let (w, h) = (((self.width as f32 * scale).round() as usize).max(1), ((self.height as f32 * scale).round() as usize).max(1));
        let shown = self.resize(w, h);
        let (x0, y0) = ((width - w) / 2, 390);
        let caption_top = y0 + h + 40;
        let text = |x: usize, y: usize, left: usize, top: usize, size: usize, line: &str| glyph_ink(x, y, left, top, size, line);
        let grey = [128, 128, 128];
        let in_box = |x: usize, y: usize, (l, t, r, b): (usize, usize, usize, usize)| (l..=r).contains(&x) && (t..=b).contains(&y);
        shown.placed_on(width, height, x0, y0, background).map_outside(x0, y0, w, h, |x, y| {
            if y < 90 {
                let bars = (0..4).any(|i| in_box(x, y, (880 + i * 40, 60 - i * 10, 900 + i * 40, 66)));
                return if bars || text(x, y, 40, 22, 44, "9:41") { ink } else { status };
            }
            if y < 250 {
                let (dx, dy) = (x as f32 - 70.0, y as f32 - 160.0);
                if dx * dx + dy * dy <= 40.0 * 40.0 {
                    return [200, 200, 200];
                }
                return if text(x, y, 140, 140, 52, "Family group") { [255, 255, 255] } else { app_bar };
            }
            if y >= height - 140 {
                let (l, t, r, b) = (40usize, height - 120, 900usize, height - 30);
                let outline = rounded_outline(x, y, (l, t, r, b), 40, 3);
                return if outline { grey } else { bottom_bar };
            }
            if text(x, y, margin, caption_top, 46, "look at this one!") {
                ink
            } else if text(x, y, margin, caption_top + 70, 34, "12:03") {
                grey
            } else {
                background
            }
        })
    }

    /// The pixels outside the `w x h` rectangle at `(x0, y0)` replaced by `pixel(x, y)`.
    fn map_outside(&self, x0: usize, y0: usize, w: usize, h: usize, pixel: impl Fn(usize, usize) -> [u8; 3]) -> RgbImage {
        RgbImage::from_fn(self.width, self.height, |x, y| {
            let inside = x >= x0 && y >= y0 && x - x0 < w && y - y0 < h;
            if inside {
                self.at(x, y)
            } else {
                pixel(x, y)
            }
        })
    }
}

/// Whether `(x, y)` is ink of `line` written at `(left, top)` in blocky glyphs of a `size`-px font: each
/// character a cell about half as wide as the size, with stems and bars chosen by the character (the
/// look of text at a glance: short strokes, mostly background).
fn glyph_ink(x: usize, y: usize, left: usize, top: usize, size: usize, line: &str) -> bool {
    let (cell_width, glyph_top, glyph_height) = (size * 11 / 20, top + size / 5, size * 7 / 10);
    if x < left || y < glyph_top || y >= glyph_top + glyph_height {
        return false;
    }
    let Some(character) = line.as_bytes().get((x - left) / cell_width) else { return false };
    if *character == b' ' {
        return false;
    }
    let (cx, cy) = ((x - left) % cell_width, y - glyph_top);
    let stroke = (size / 10).max(2);
    let shape = usize::from(*character).wrapping_mul(2_654_435_761) >> 7;
    let glyph_width = cell_width - stroke;
    let stems = [(shape & 1 != 0 || shape & 6 == 0) && cx < stroke, shape & 2 != 0 && (glyph_width - stroke..glyph_width).contains(&cx)];
    let bars = [shape & 4 != 0 && cy < stroke, shape & 8 != 0 && (glyph_height / 2..glyph_height / 2 + stroke).contains(&cy), shape & 16 != 0 && cy + stroke >= glyph_height];
    cx < glyph_width && (stems.iter().any(|&s| s) || bars.iter().any(|&b| b))
}

/// Whether `(x, y)` lies on the `thickness`-px outline of the rectangle `(left, top, right, bottom)` with
/// corners rounded to `radius`.
fn rounded_outline(x: usize, y: usize, (left, top, right, bottom): (usize, usize, usize, usize), radius: usize, thickness: usize) -> bool {
    if x < left || x > right || y < top || y > bottom {
        return false;
    }
    let (r, t) = (radius as f32, thickness as f32);
    let cx = (x as f32).clamp((left + radius) as f32, (right - radius) as f32);
    let cy = (y as f32).clamp((top + radius) as f32, (bottom - radius) as f32);
    let distance = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
    let corner = (x as f32 - cx) != 0.0 && (y as f32 - cy) != 0.0;
    if corner {
        (r - t..=r).contains(&distance)
    } else {
        x < left + thickness || x + thickness > right || y < top + thickness || y + thickness > bottom
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_deterministic_and_distinct() {
        let a = photo(1, 64, 48);
        assert_eq!(a, photo(1, 64, 48));
        assert_ne!(a, photo(2, 64, 48));
        assert_eq!(a.pixels.len(), 64 * 48 * 3);
    }

    #[test]
    fn edits_have_the_expected_geometry() {
        let a = photo(3, 40, 30);
        assert_eq!(a.flip_horizontal().flip_horizontal(), a);
        let r = a.rotate_90();
        assert_eq!((r.width, r.height), (30, 40));
        assert_eq!(r.rotate_90().rotate_90().rotate_90().rotate_90(), r);
        assert_eq!(a.shrink(2).width, 20);
        assert_eq!(a.brighten(0), a);
        assert_eq!(a.resize(40, 30), a);
        assert_eq!((a.resize(20, 10).width, a.resize(20, 10).height), (20, 10));
        let b = a.with_border(0.05, [255, 255, 255]);
        assert_eq!((b.width, b.height), (44, 32));
        assert_eq!(b.at(0, 0), [255, 255, 255]);
        assert_eq!(b.at(2, 1), a.at(0, 0));
        let l = a.letterboxed(1.0);
        assert_eq!((l.width, l.height), (40, 40));
        assert_eq!(l.at(0, 0), [0, 0, 0]);
        let s = photo(4, 400, 300).in_phone_screenshot(false);
        assert_eq!((s.width, s.height), (1080, 2340));
        assert_eq!(s.at(500, 150), [250, 250, 250]);
        let m = photo(4, 1600, 1200).in_messenger_screenshot(false);
        assert_eq!((m.width, m.height), (1080, 2340));
        // The photo, 1008x756 at (36, 390); the caption's row under it has some ink, mostly background.
        assert_eq!(m.at(36, 390), photo(4, 1600, 1200).resize(1008, 756).at(0, 0));
        assert_eq!(m.at(20, 600), [255, 255, 255]);
        let caption_row = 390 + 756 + 40 + 20;
        let ink = (0..1080).filter(|&x| m.at(x, caption_row) == [30, 30, 30]).count();
        assert!((20..400).contains(&ink), "{ink}");
    }
}
