//! The eight rotations and flips of an image (the dihedral group D4), as PDQ sees them.
//!
//! PDQ never re-hashes a rotated image: the DCT of a rotated or flipped image is the original's DCT with
//! some coefficients negated and/or the matrix transposed. Row/column index `i` holds frequency `i + 1`
//! (the DC term is dropped), so a flip along an axis negates the coefficients whose frequency along that
//! axis is odd, i.e. whose index is even.

/// One of the eight rotations/flips, in the reference's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Dihedral {
    Original = 0,
    Rotate90 = 1,
    Rotate180 = 2,
    Rotate270 = 3,
    FlipX = 4,
    FlipY = 5,
    FlipPlus1 = 6,
    FlipMinus1 = 7,
}

impl Dihedral {
    /// All eight, in the reference's order.
    pub const ALL: [Dihedral; 8] = [
        Dihedral::Original,
        Dihedral::Rotate90,
        Dihedral::Rotate180,
        Dihedral::Rotate270,
        Dihedral::FlipX,
        Dihedral::FlipY,
        Dihedral::FlipPlus1,
        Dihedral::FlipMinus1,
    ];

    /// The variant with this index (0..8), as stored in bundles and reports.
    pub fn from_index(index: u8) -> Option<Dihedral> {
        Dihedral::ALL.get(index as usize).copied()
    }

    /// Stable index (0..8).
    pub fn index(self) -> u8 {
        self as u8
    }

    /// A short stable name, as used in text output.
    pub fn name(self) -> &'static str {
        match self {
            Dihedral::Original => "original",
            Dihedral::Rotate90 => "rotate90",
            Dihedral::Rotate180 => "rotate180",
            Dihedral::Rotate270 => "rotate270",
            Dihedral::FlipX => "flipx",
            Dihedral::FlipY => "flipy",
            Dihedral::FlipPlus1 => "flipplus1",
            Dihedral::FlipMinus1 => "flipminus1",
        }
    }

    /// Whether the variant transposes the coefficient matrix.
    fn transposes(self) -> bool {
        matches!(self, Dihedral::Rotate90 | Dihedral::Rotate270 | Dihedral::FlipPlus1 | Dihedral::FlipMinus1)
    }

    /// Whether the coefficient at source row `i`, column `j` changes sign.
    fn negates(self, i: usize, j: usize) -> bool {
        let (i_even, j_even) = (i.is_multiple_of(2), j.is_multiple_of(2));
        match self {
            Dihedral::Original | Dihedral::FlipPlus1 => false,
            Dihedral::Rotate90 | Dihedral::FlipY => j_even,
            Dihedral::Rotate270 | Dihedral::FlipX => i_even,
            Dihedral::Rotate180 | Dihedral::FlipMinus1 => i_even != j_even,
        }
    }

    /// Applies the variant to a 16x16 coefficient matrix (row-major).
    pub fn apply(self, coefficients: &[f32; 256]) -> [f32; 256] {
        let mut out = [0f32; 256];
        for i in 0..16 {
            for j in 0..16 {
                let value = coefficients[16 * i + j];
                let value = if self.negates(i, j) { -value } else { value };
                let target = if self.transposes() { 16 * j + i } else { 16 * i + j };
                out[target] = value;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> [f32; 256] {
        std::array::from_fn(|k| (k as f32 * 0.37).sin() * 100.0 + k as f32)
    }

    #[test]
    fn group_is_closed_and_every_variant_has_an_inverse() {
        let base = sample();
        let images: Vec<[f32; 256]> = Dihedral::ALL.iter().map(|d| d.apply(&base)).collect();
        for a in Dihedral::ALL {
            for b in Dihedral::ALL {
                let composed = b.apply(&a.apply(&base));
                assert!(images.contains(&composed), "{a:?} then {b:?} left the group");
            }
            let has_inverse = Dihedral::ALL.iter().any(|b| b.apply(&a.apply(&base)) == base);
            assert!(has_inverse, "{a:?} has no inverse");
        }
    }

    #[test]
    fn rotations_compose_like_rotations() {
        let base = sample();
        let r90 = |m: &[f32; 256]| Dihedral::Rotate90.apply(m);
        assert_eq!(r90(&r90(&base)), Dihedral::Rotate180.apply(&base));
        assert_eq!(r90(&r90(&r90(&base))), Dihedral::Rotate270.apply(&base));
        assert_eq!(r90(&r90(&r90(&r90(&base)))), base);
    }

    #[test]
    fn index_round_trips() {
        for d in Dihedral::ALL {
            assert_eq!(Dihedral::from_index(d.index()), Some(d));
        }
        assert_eq!(Dihedral::from_index(8), None);
    }
}
