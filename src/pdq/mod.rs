//! PDQ, Meta's 256-bit perceptual hash, bit-exact with the reference implementation.
//!
//! Pipeline: luma (`f32`) → Jarosz box filter (two passes of row and column box blurs with window
//! `ceil(side / 128)`) → point-sample 64x64 → quality score → 16x16 DCT (`D A Dᵀ`) → one bit per
//! coefficient, set when the coefficient is strictly above the median (the 128th smallest).
//!
//! Resizing an input to at most 512x512 is the caller's job (see [`crate::decode`]); this module hashes
//! exactly the luma it is given. The output is [`PdqFeatures`]: the DCT coefficients and quality, from
//! which the hash of each of the eight rotations/flips, and how reliable each bit is, follow cheaply.
//! A device queries with [`QueryFeatures`] instead: the hashes of the really flipped pixels (`query`),
//! and also with the picture widened by its own edges, which undoes a hand crop of a few percent (`uncrop`).

mod dct;
mod dihedral;
mod hash;
mod jarosz;
mod luma;
mod quality;
pub mod smooth;
mod query;
mod uncrop;

pub use dihedral::Dihedral;
pub use hash::{PdqHash, PdqHexError};
pub use luma::{luma_from_rgb, LumaImage};
pub use query::{transform_pixels, OrientedHashes, QueryFeatures};
pub use uncrop::{uncropped, Uncropped, UNCROP_PER_MILLE};

/// Images with a side shorter than this get the all-zero hash and quality 0, as in the reference.
pub const MIN_DIMENSION: usize = 5;

/// The usual gate: hashes of images with lower quality are too unreliable to match on.
pub const DEFAULT_MIN_QUALITY: u8 = 50;

/// What PDQ extracts from one image: its 16x16 DCT coefficients and its quality.
///
/// This is hash material. Code that holds one for an image that turns out not to match must drop it
/// without logging or storing it.
#[derive(Clone, PartialEq)]
pub struct PdqFeatures {
    coefficients: [f32; 256],
    quality: u8,
}

impl std::fmt::Debug for PdqFeatures {
    // Deliberately opaque: a stray `{:?}` must not print hash material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PdqFeatures { .. }")
    }
}

impl PdqFeatures {
    /// Quality, 0..=100.
    pub fn quality(&self) -> u8 {
        self.quality
    }

    /// The hash of the image as given.
    pub fn hash(&self) -> PdqHash {
        self.hash_for(Dihedral::Original)
    }

    /// The hash the image would have after the given rotation or flip.
    pub fn hash_for(&self, variant: Dihedral) -> PdqHash {
        let coefficients = variant.apply(&self.coefficients);
        threshold(&coefficients, median(&coefficients))
    }

    /// All eight hashes, in [`Dihedral::ALL`] order.
    pub fn dihedral_hashes(&self) -> [PdqHash; 8] {
        Dihedral::ALL.map(|variant| self.hash_for(variant))
    }

    /// The hash for `variant` and, per bit, how far its coefficient lies from the median. A small
    /// margin means the bit could flip under a small edit: probing flips those bits first.
    pub fn hash_with_margins(&self, variant: Dihedral) -> (PdqHash, [f32; 256]) {
        let coefficients = variant.apply(&self.coefficients);
        let median = median(&coefficients);
        (threshold(&coefficients, median), coefficients.map(|c| (c - median).abs()))
    }
}

/// Hashes a luma image (at most 512x512 in the normal pipeline). The image's buffer is reused as
/// scratch space.
pub fn compute(image: LumaImage) -> PdqFeatures {
    let (width, height) = (image.width(), image.height());
    if width < MIN_DIMENSION || height < MIN_DIMENSION {
        return PdqFeatures { coefficients: [0.0; 256], quality: 0 };
    }
    let mut pixels = image.into_pixels();
    let downsampled = jarosz::blur_and_decimate(&mut pixels, width, height);
    PdqFeatures { coefficients: dct::dct_64_to_16(&downsampled), quality: quality::quality(&downsampled) }
}

/// The 128th smallest of the 256 coefficients, which is what the reference's Torben median returns.
fn median(coefficients: &[f32; 256]) -> f32 {
    let mut sorted = *coefficients;
    let (_, median, _) = sorted.select_nth_unstable_by(127, f32::total_cmp);
    *median
}

fn threshold(coefficients: &[f32; 256], median: f32) -> PdqHash {
    let mut hash = PdqHash::ZERO;
    for (k, &value) in coefficients.iter().enumerate() {
        if value > median {
            hash.set_bit(k);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_images_get_the_zero_hash_and_quality_zero() {
        for (w, h) in [(4, 100), (100, 4), (0, 0), (1, 1)] {
            let features = compute(LumaImage::from_fn(w, h, |x, y| ((x * 13 + y * 7) % 255) as f32));
            assert_eq!(features.hash(), PdqHash::ZERO);
            assert_eq!(features.quality(), 0);
        }
    }

    #[test]
    fn a_textured_image_sets_half_the_bits() {
        let image = LumaImage::from_fn(300, 200, |x, y| (((x / 7) ^ (y / 5)) % 2) as f32 * 200.0 + (x % 31) as f32);
        let features = compute(image);
        assert_eq!(features.hash().count_ones(), 128);
        assert!(features.quality() > 50);
    }

    #[test]
    fn margins_are_zero_only_at_the_median() {
        let image = LumaImage::from_fn(64, 64, |x, y| ((x * x + 3 * y) % 97) as f32);
        let features = compute(image);
        let (hash, margins) = features.hash_with_margins(Dihedral::Rotate90);
        assert_eq!(hash, features.hash_for(Dihedral::Rotate90));
        assert_eq!(margins.iter().filter(|&&m| m == 0.0).count(), 1);
    }
}
