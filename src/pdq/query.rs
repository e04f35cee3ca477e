//! What a device queries with: the hashes of the *actually* rotated and flipped picture.
//!
//! A list holds the reference hash of the original picture. [`PdqFeatures::hash_for`] derives a
//! rotated/flipped hash from one pass over the unflipped picture, but PDQ's blur windows and 64x64
//! point-sampling are not symmetric under a flip: a mirrored copy of a listed picture, flipped back by
//! derivation, lands a median 14 bits from the listed hash (often past the filter's strong hits),
//! while hashing the flipped pixels lands a median 6 bits away (issue 17).
//!
//! Only three extra passes are needed: the picture flipped left-right, upside-down and turned 180
//! degrees (on the small luma buffer, after the downsample: cheap). The four orientations that
//! transpose follow from those four by transposing the 16x16 DCT: blurring a transposed image runs the
//! same box filters in the other order (they commute), and the 64x64 sampling grid and DCT transpose
//! along with it, so the result is the same up to float rounding (checked by a test).
//!
//! The identity orientation is the picture's own features, unchanged: the reference hash.

use super::{compute, median, threshold, Dihedral, LumaImage, PdqFeatures, PdqHash};

/// Anything a perceptual filter can probe: a hash, with per-bit margins, for each of the 8
/// orientations, as the list would hold it if the picture were the listed one turned that way.
pub trait OrientedHashes {
    /// Quality of the picture as given, 0..=100.
    fn quality(&self) -> u8;

    /// The hash of the picture turned by `variant`, and per bit how far its coefficient lies from the
    /// median (small margins flip first under edits).
    fn oriented_hash_with_margins(&self, variant: Dihedral) -> (PdqHash, [f32; 256]);

    /// The 8 probed hashes, in [`Dihedral::ALL`] order.
    fn oriented_hashes(&self) -> [PdqHash; 8] {
        Dihedral::ALL.map(|variant| self.oriented_hash_with_margins(variant).0)
    }

    /// The 8 hashes the reference derives from the unflipped picture (what exact PDQ lists hold).
    fn derived_hashes(&self) -> [PdqHash; 8];

    /// The orientations a perceptual filter probes: all 8, unless the picture is only worth probing as
    /// given.
    fn probed_variants(&self) -> &'static [Dihedral] {
        &Dihedral::ALL
    }

    /// Whether [`OrientedHashes::derived_hashes`] are looked up in exact PDQ lists: true for a picture
    /// the image shows, false for one the device makes up to query with (each lookup costs false
    /// positives, and a made-up picture is never listed exactly).
    fn looked_up_exactly(&self) -> bool {
        true
    }
}

/// One pass: the 8 orientations are derived from the unflipped picture, as the reference does.
impl OrientedHashes for PdqFeatures {
    fn quality(&self) -> u8 {
        self.quality
    }

    fn oriented_hash_with_margins(&self, variant: Dihedral) -> (PdqHash, [f32; 256]) {
        self.hash_with_margins(variant)
    }

    fn derived_hashes(&self) -> [PdqHash; 8] {
        self.dihedral_hashes()
    }
}

/// The features of a picture as given plus those of its really flipped and rotated pixels.
///
/// Hash material, like [`PdqFeatures`]: drop it unlogged when nothing matched.
#[derive(Clone)]
pub struct QueryFeatures {
    original: PdqFeatures,
    /// The DCT coefficients of the picture flipped left-right, upside-down, and turned 180 degrees.
    flipped: [[f32; 256]; 3],
}

impl std::fmt::Debug for QueryFeatures {
    // Deliberately opaque: a stray `{:?}` must not print hash material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueryFeatures { .. }")
    }
}

/// The orientations hashed from really transformed pixels, besides the original.
const PASSES: [Dihedral; 3] = [Dihedral::FlipY, Dihedral::FlipX, Dihedral::Rotate180];

impl QueryFeatures {
    /// Hashes `image` as is and turned the three non-transposing ways: four PDQ passes.
    pub fn compute(image: LumaImage) -> QueryFeatures {
        let flipped = PASSES.map(|variant| compute(transform_pixels(&image, variant)).coefficients);
        QueryFeatures { original: compute(image), flipped }
    }

    /// The features of the picture as given: the reference's hash and quality.
    pub fn original(&self) -> &PdqFeatures {
        &self.original
    }

    /// The DCT coefficients of the picture turned by `variant`.
    fn coefficients(&self, variant: Dihedral) -> [f32; 256] {
        let (base, transposed) = untransposed(variant);
        let coefficients = match PASSES.iter().position(|&pass| pass == base) {
            Some(index) => self.flipped.get(index).copied().unwrap_or(self.original.coefficients),
            None => self.original.coefficients,
        };
        if transposed {
            Dihedral::FlipPlus1.apply(&coefficients)
        } else {
            coefficients
        }
    }
}

impl OrientedHashes for QueryFeatures {
    fn quality(&self) -> u8 {
        self.original.quality
    }

    fn oriented_hash_with_margins(&self, variant: Dihedral) -> (PdqHash, [f32; 256]) {
        if variant == Dihedral::Original {
            return self.original.hash_with_margins(variant);
        }
        let coefficients = self.coefficients(variant);
        let median = median(&coefficients);
        (threshold(&coefficients, median), coefficients.map(|c| (c - median).abs()))
    }

    fn derived_hashes(&self) -> [PdqHash; 8] {
        self.original.dihedral_hashes()
    }
}

/// `variant` as a non-transposing variant followed (when the flag is set) by the transpose
/// ([`Dihedral::FlipPlus1`]).
fn untransposed(variant: Dihedral) -> (Dihedral, bool) {
    match variant {
        Dihedral::Original => (Dihedral::Original, false),
        Dihedral::FlipX => (Dihedral::FlipX, false),
        Dihedral::FlipY => (Dihedral::FlipY, false),
        Dihedral::Rotate180 => (Dihedral::Rotate180, false),
        Dihedral::FlipPlus1 => (Dihedral::Original, true),
        Dihedral::Rotate90 => (Dihedral::FlipY, true),
        Dihedral::Rotate270 => (Dihedral::FlipX, true),
        Dihedral::FlipMinus1 => (Dihedral::Rotate180, true),
    }
}

/// The pixels of `image` turned by `variant`, in the same convention as [`Dihedral::apply`] on the DCT:
/// `FlipY` mirrors left-right, `FlipX` upside-down, `FlipPlus1` transposes.
pub fn transform_pixels(image: &LumaImage, variant: Dihedral) -> LumaImage {
    let (width, height) = (image.width(), image.height());
    let pixels = image.pixels();
    let at = |x: usize, y: usize| pixels.get(y * width + x).copied().unwrap_or(0.0);
    let (last_x, last_y) = (width.saturating_sub(1), height.saturating_sub(1));
    match variant {
        Dihedral::Original => image.clone(),
        Dihedral::FlipY => LumaImage::from_fn(width, height, |x, y| at(last_x - x, y)),
        Dihedral::FlipX => LumaImage::from_fn(width, height, |x, y| at(x, last_y - y)),
        Dihedral::Rotate180 => LumaImage::from_fn(width, height, |x, y| at(last_x - x, last_y - y)),
        Dihedral::FlipPlus1 => LumaImage::from_fn(height, width, |x, y| at(y, x)),
        Dihedral::Rotate90 => LumaImage::from_fn(height, width, |x, y| at(last_x - y, x)),
        Dihedral::Rotate270 => LumaImage::from_fn(height, width, |x, y| at(y, last_y - x)),
        Dihedral::FlipMinus1 => LumaImage::from_fn(height, width, |x, y| at(last_x - y, last_y - x)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A smooth, asymmetric picture of `width x height`.
    fn picture(width: usize, height: usize) -> LumaImage {
        LumaImage::from_fn(width, height, |x, y| {
            let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
            128.0 + 60.0 * (7.0 * u + 3.0 * v * v).sin() + 40.0 * (11.0 * v - 5.0 * u * u).cos() + 20.0 * u * v
        })
    }

    #[test]
    fn decomposition_into_a_flip_and_a_transpose_matches_dihedral_apply() {
        let sample: [f32; 256] = std::array::from_fn(|k| (k as f32 * 0.37).sin() * 100.0 + k as f32);
        for variant in Dihedral::ALL {
            let (base, transposed) = untransposed(variant);
            let composed = if transposed { Dihedral::FlipPlus1.apply(&base.apply(&sample)) } else { base.apply(&sample) };
            assert_eq!(composed, variant.apply(&sample), "{variant:?}");
        }
    }

    #[test]
    fn pixel_transforms_follow_the_dct_convention() {
        // Each pixel transform's hash is nearest to the derived hash of the same variant.
        let image = picture(97, 64);
        let features = compute(image.clone());
        for variant in Dihedral::ALL {
            let real = compute(transform_pixels(&image, variant)).hash();
            let nearest = Dihedral::ALL.into_iter().min_by_key(|&d| features.hash_for(d).distance(&real));
            assert_eq!(nearest, Some(variant), "{variant:?}");
            assert!(features.hash_for(variant).distance(&real) <= 24, "{variant:?}");
        }
    }

    #[test]
    fn derived_transposes_equal_a_real_pass_within_float_noise() {
        for (width, height) in [(512, 512), (512, 384), (300, 200), (64, 64)] {
            let image = picture(width, height);
            let query = QueryFeatures::compute(image.clone());
            for variant in [Dihedral::FlipPlus1, Dihedral::Rotate90, Dihedral::Rotate270, Dihedral::FlipMinus1] {
                let real = compute(transform_pixels(&image, variant));
                let derived = query.coefficients(variant);
                let worst = real.coefficients.iter().zip(&derived).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
                let scale = real.coefficients.iter().map(|c| c.abs()).fold(0f32, f32::max);
                assert!(worst <= scale * 1e-4, "{width}x{height} {variant:?}: {worst} of {scale}");
                let (hash, _) = query.oriented_hash_with_margins(variant);
                assert!(hash.distance(&real.hash()) <= 1, "{width}x{height} {variant:?}");
            }
        }
    }

    #[test]
    fn non_transposing_orientations_are_real_passes_bit_for_bit() {
        let image = picture(512, 300);
        let query = QueryFeatures::compute(image.clone());
        assert!(query.original() == &compute(image.clone()));
        for variant in [Dihedral::FlipX, Dihedral::FlipY, Dihedral::Rotate180] {
            let real = compute(transform_pixels(&image, variant));
            assert_eq!(query.oriented_hash_with_margins(variant).0, real.hash(), "{variant:?}");
        }
        assert_eq!(query.oriented_hash_with_margins(Dihedral::Original), query.original().hash_with_margins(Dihedral::Original));
        assert_eq!(query.derived_hashes(), query.original().dihedral_hashes());
    }

    #[test]
    fn a_mirrored_picture_hashed_for_real_finds_the_original_hash() {
        // The mirror's real pass flipped back is the original's pixels: its hash is the original's.
        let image = picture(400, 250);
        let original = compute(image.clone()).hash();
        let mirrored = QueryFeatures::compute(transform_pixels(&image, Dihedral::FlipY));
        assert_eq!(mirrored.oriented_hash_with_margins(Dihedral::FlipY).0, original);
        let turned = QueryFeatures::compute(transform_pixels(&image, Dihedral::Rotate90));
        // Turned by 90 one way, it is the original turned back the other way (within float noise).
        assert!(turned.oriented_hash_with_margins(Dihedral::Rotate270).0.distance(&original) <= 1);
    }
}
