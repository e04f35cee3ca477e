//! Properties over random inputs (proptest): hex text round trips, and the group laws of the eight
//! rotations/flips as PDQ applies them to DCT coefficients. The other round trips live beside their
//! formats: filters (tests/filter.rs), reports (tests/report.rs), bundles (tests/bundle.rs).

use imageguard::pdq::{Dihedral, PdqHash};
use proptest::prelude::*;

fn coefficients() -> impl Strategy<Value = [f32; 256]> {
    proptest::collection::vec(-1000.0f32..1000.0, 256).prop_map(|v| std::array::from_fn(|i| v[i]))
}

fn dihedral() -> impl Strategy<Value = Dihedral> {
    (0u8..8).prop_map(|i| Dihedral::from_index(i).unwrap())
}

proptest! {
    #[test]
    fn pdq_hex_round_trips(bytes in any::<[u8; 32]>()) {
        let hash = PdqHash(bytes);
        let text = hash.to_hex();
        prop_assert_eq!(text.len(), 64);
        prop_assert!(text.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        prop_assert_eq!(PdqHash::from_hex(&text).unwrap(), hash);
        prop_assert_eq!(PdqHash::from_hex(&text.to_uppercase()).unwrap(), hash);
    }

    #[test]
    fn pdq_hex_parse_never_panics_and_formats_back(text in "\\PC{0,70}") {
        if let Ok(hash) = PdqHash::from_hex(&text) {
            prop_assert_eq!(hash.to_hex(), text.to_lowercase());
        }
    }

    #[test]
    fn exact_hex_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let text = imageguard::hex::encode(&bytes);
        prop_assert_eq!(text.len(), 2 * bytes.len());
        let back: Vec<u8> = (0..bytes.len()).map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap()).collect();
        prop_assert_eq!(back, bytes);
    }

    /// Composing two variants is a variant (closure), and composing in either order with the inverse
    /// gives the identity.
    #[test]
    fn dihedral_variants_form_a_group(c in coefficients(), a in dihedral(), b in dihedral()) {
        let images: Vec<[f32; 256]> = Dihedral::ALL.iter().map(|d| d.apply(&c)).collect();
        let composed = b.apply(&a.apply(&c));
        prop_assert!(images.contains(&composed), "{:?} then {:?} left the group", a, b);
        let inverse = Dihedral::ALL.iter().copied().find(|d| d.apply(&a.apply(&c)) == c);
        prop_assert!(inverse.is_some(), "{:?} has no inverse", a);
        let inverse = inverse.unwrap();
        prop_assert_eq!(a.apply(&inverse.apply(&c)), c, "the inverse of {:?} works on one side only", a);
    }

    /// Applying a variant permutes and negates coefficients: magnitudes are preserved as a multiset.
    #[test]
    fn dihedral_variants_keep_coefficient_magnitudes(c in coefficients(), d in dihedral()) {
        let sorted = |values: &[f32; 256]| {
            let mut m: Vec<f32> = values.iter().map(|v| v.abs()).collect();
            m.sort_by(f32::total_cmp);
            m
        };
        prop_assert_eq!(sorted(&d.apply(&c)), sorted(&c));
    }
}

/// The identity is the identity, and the four flips are their own inverses.
#[test]
fn dihedral_identity_and_involutions() {
    let c: [f32; 256] = std::array::from_fn(|k| (k as f32 * 0.61).cos() * 50.0 + k as f32);
    assert_eq!(Dihedral::Original.apply(&c), c);
    for flip in [Dihedral::FlipX, Dihedral::FlipY, Dihedral::FlipPlus1, Dihedral::FlipMinus1, Dihedral::Rotate180] {
        assert_eq!(flip.apply(&flip.apply(&c)), c, "{flip:?} is not an involution");
    }
    assert_eq!(Dihedral::Rotate90.apply(&Dihedral::Rotate270.apply(&c)), c);
}
