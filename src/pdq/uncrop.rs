//! Querying a hand-cropped copy as if its edges were still there.
//!
//! Trimming a few percent off a photo's edges (a hand crop in a gallery app) shifts and scales its
//! content on PDQ's 64x64 grid: a 2% crop lands a median 26 bits from the original's hash, at the edge
//! of PDQ's match distance and mostly past the filter's strong hits. Widening the cropped picture back by
//! replicating its edge pixels puts the content where the original had it; only the thin strip that was
//! cut is wrong, and it is smooth. Measured on 35 Debian wallpapers at their own resolution (PyPI
//! `pdqhash`, the C++ reference's resize rule, crops taking 2/3 from the top-left as a hand crop does):
//! a 2% crop moves from a median 26 bits to 12 once widened by 2%, and copies within 20 bits of the
//! listed hash go from 10 to 30 of 35; 3% crops from 36 to 24 bits. Uncropped pictures move a median
//! 22 bits away, so the widened picture is queried *besides* the picture as given, never instead.
//!
//! The widening is done on the reduced picture (at most 512 a side), so it costs one PDQ pass, and the
//! widened picture is probed as given only ([`Uncropped`]): one orientation instead of eight keeps its
//! probing cost and its share of chance false positives at an eighth of a picture's. It is never looked
//! up in exact lists: no listed file shows it.

use super::{compute, Dihedral, LumaImage, OrientedHashes, PdqFeatures, PdqHash};

/// The features of a picture widened by its own edges ([`uncropped`]), probed as given only.
///
/// Hash material, like [`PdqFeatures`]: drop it unlogged when nothing matched.
#[derive(Clone, Debug)]
pub struct Uncropped(PdqFeatures);

impl Uncropped {
    /// Widens `image` and hashes it: one PDQ pass.
    pub fn compute(image: &LumaImage) -> Uncropped {
        Uncropped(compute(uncropped(image)))
    }

    /// The widened picture's own features.
    pub fn features(&self) -> &PdqFeatures {
        &self.0
    }
}

impl OrientedHashes for Uncropped {
    fn quality(&self) -> u8 {
        self.0.quality
    }

    fn oriented_hash_with_margins(&self, variant: Dihedral) -> (PdqHash, [f32; 256]) {
        self.0.hash_with_margins(variant)
    }

    /// The hash as given in every slot: a confirmation compares only what was probed.
    fn oriented_hashes(&self) -> [PdqHash; 8] {
        [self.0.hash(); 8]
    }

    fn derived_hashes(&self) -> [PdqHash; 8] {
        self.0.dihedral_hashes()
    }

    fn probed_variants(&self) -> &'static [Dihedral] {
        &[Dihedral::Original]
    }

    fn looked_up_exactly(&self) -> bool {
        false
    }
}

/// How much wider and taller the queried picture is than the picture as given, in parts per thousand:
/// 2%, the crop it undoes best (a 3% or 5% crop still moves nearer, less).
pub const UNCROP_PER_MILLE: usize = 20;

/// `image` with its edge pixels replicated outwards by 1% of its width on the left and right and 1% of
/// its height at the top and bottom, rounded (at least one pixel each side).
pub fn uncropped(image: &LumaImage) -> LumaImage {
    let (width, height) = (image.width(), image.height());
    let margin = |side: usize| ((side * UNCROP_PER_MILLE + 1000) / 2000).max(1);
    let (dx, dy) = (margin(width), margin(height));
    let pixels = image.pixels();
    let (last_x, last_y) = (width.saturating_sub(1), height.saturating_sub(1));
    LumaImage::from_fn(width + 2 * dx, height + 2 * dy, |x, y| {
        let source_x = x.saturating_sub(dx).min(last_x);
        let source_y = y.saturating_sub(dy).min(last_y);
        pixels.get(source_y * width + source_x).copied().unwrap_or(0.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A smooth, asymmetric, detailed picture of `width x height`.
    fn picture(width: usize, height: usize) -> LumaImage {
        LumaImage::from_fn(width, height, |x, y| {
            let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
            128.0 + 50.0 * (9.0 * u + 4.0 * v * v).sin() + 40.0 * (13.0 * v - 6.0 * u * u).cos() + 30.0 * (21.0 * u * v).sin()
        })
    }

    /// The window of `image` that a crop of `per_mille` of each side leaves, 2/3 taken from the top-left.
    fn cropped(image: &LumaImage, per_mille: usize) -> LumaImage {
        let (dx, dy) = (image.width() * per_mille / 1000, image.height() * per_mille / 1000);
        let (left, top) = (dx * 2 / 3, dy * 2 / 3);
        let pixels = image.pixels();
        LumaImage::from_fn(image.width() - dx, image.height() - dy, |x, y| pixels[(y + top) * image.width() + x + left])
    }

    #[test]
    fn widens_by_one_percent_each_side_with_the_edge_pixels() {
        let image = LumaImage::from_fn(300, 100, |x, y| (x + 1000 * y) as f32);
        let wide = uncropped(&image);
        assert_eq!((wide.width(), wide.height()), (306, 102));
        let at = |x: usize, y: usize| wide.pixels()[y * wide.width() + x];
        assert_eq!(at(0, 0), 0.0);
        assert_eq!(at(3, 1), 0.0);
        assert_eq!(at(4, 2), 1001.0);
        assert_eq!(at(305, 101), (299 + 1000 * 99) as f32);
        assert_eq!(at(150, 50), (147 + 1000 * 49) as f32);
    }

    #[test]
    fn a_tiny_picture_still_gets_a_pixel_each_side() {
        let wide = uncropped(&LumaImage::from_fn(7, 5, |_, _| 9.0));
        assert_eq!((wide.width(), wide.height()), (9, 7));
        assert!(wide.pixels().iter().all(|&p| p == 9.0));
    }

    #[test]
    fn a_two_percent_crop_widened_lands_nearer_the_original() {
        let original = picture(512, 384);
        let listed = compute(original.clone()).hash();
        let crop = cropped(&original, 20);
        let as_given = compute(crop.clone()).hash().distance(&listed);
        let widened = compute(uncropped(&crop)).hash().distance(&listed);
        assert!(widened < as_given, "widened {widened} bits, as given {as_given}");
        assert!(widened <= 16, "widened {widened} bits");
    }

    #[test]
    fn is_probed_as_given_only_and_never_looked_up_exactly() {
        let features = Uncropped::compute(&picture(300, 200));
        assert_eq!(features.probed_variants(), &[Dihedral::Original]);
        assert!(!features.looked_up_exactly());
        let hash = features.features().hash();
        assert_eq!(features.oriented_hashes(), [hash; 8]);
        assert_eq!(features.oriented_hash_with_margins(Dihedral::Original).0, hash);
        assert_eq!(features.quality(), features.features().quality());
    }
}
