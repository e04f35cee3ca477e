//! Bit-exact conformance with the reference PDQ: fed the exact pixels that reached the reference hasher,
//! imageguard must reproduce the hash, the integer quality and all 7 other dihedral hashes, 49 of 49.

mod common;

use imageguard::pdq::{self, luma_from_rgb, Dihedral, LumaImage, PdqHash};

const DIHEDRAL_COLUMNS: [(&str, Dihedral); 8] = [
    ("expected_hash", Dihedral::Original),
    ("dih_rot90", Dihedral::Rotate90),
    ("dih_rot180", Dihedral::Rotate180),
    ("dih_rot270", Dihedral::Rotate270),
    ("dih_flipx", Dihedral::FlipX),
    ("dih_flipy", Dihedral::FlipY),
    ("dih_flipplus1", Dihedral::FlipPlus1),
    ("dih_flipminus1", Dihedral::FlipMinus1),
];

fn luma_of_png(path: &std::path::Path) -> LumaImage {
    let rgb = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_rgb8();
    let (w, h) = (rgb.width() as usize, rgb.height() as usize);
    LumaImage::from_fn(w, h, |x, y| {
        let p = rgb.get_pixel(x as u32, y as u32).0;
        luma_from_rgb(p[0], p[1], p[2])
    })
}

#[test]
fn reference_pixels_hash_bit_exactly() {
    let Some(dir) = common::vectors_dir() else { return };
    let rows = common::read_csv(&dir.join("manifest_ref_pixels.csv"));
    assert_eq!(rows.len(), 49, "the manifest lists 49 images");
    let mut failures = Vec::new();
    for row in &rows {
        let name = &row["ref_pixels_png"];
        let features = pdq::compute(luma_of_png(&dir.join(name)));
        let expected_quality: u8 = row["expected_quality"].parse().unwrap();
        if features.quality() != expected_quality {
            failures.push(format!("{name}: quality {} != {expected_quality}", features.quality()));
        }
        for (column, variant) in DIHEDRAL_COLUMNS {
            let expected = PdqHash::from_hex(&row[column]).unwrap();
            let actual = features.hash_for(variant);
            if actual != expected {
                failures.push(format!("{name} {column}: {actual} != {expected} ({} bits)", actual.distance(&expected)));
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    eprintln!("PDQ conformance: {} of {} images bit-exact (hash, quality, 8 dihedral)", rows.len(), rows.len());
}
