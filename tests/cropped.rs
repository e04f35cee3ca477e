//! Hand-cropped copies of a listed picture (issue 17): a crop of a few percent moves PDQ's hash far enough
//! to lose strong hits; the device also queries the picture widened by its own edges
//! (`pdq::uncropped`), which lands nearer the listed hash, so the copy is found again.

use imageguard::filter::{MatchStrength, PerceptualFilter, PerceptualParams};
use imageguard::hashing::{self, HashOptions, PictureHashes};
use imageguard::pdq::{OrientedHashes, PdqHash};
use imageguard_test_support::synthetic;

const SALT: [u8; 32] = [9; 32];

fn pictures(file: &[u8]) -> PictureHashes {
    hashing::exact_then_pictures(file, &HashOptions::default()).1.expect("decodes")
}

#[test]
fn a_two_percent_crop_widened_lands_nearer_the_listed_hash_and_is_a_strong_hit() {
    let originals: Vec<_> = (400..408u64).map(|seed| synthetic::photo(seed, 1600, 1200)).collect();
    let listed: Vec<PdqHash> = originals.iter().map(|image| pictures(&image.to_jpeg(92)).pdq.hash()).collect();
    let filter = PerceptualFilter::build(&SALT, PerceptualParams::default(), &listed).expect("filter");
    let (mut as_given_total, mut widened_total, mut strong, mut strong_as_given) = (0, 0, 0, 0);
    for (image, listed) in originals.iter().zip(&listed) {
        let copy = pictures(&image.cropped(20).to_jpeg(90));
        let as_given = copy.pdq.hash().distance(listed);
        let widened = copy.uncropped.features().hash().distance(listed);
        assert!(widened <= 31, "widened copy {widened} bits from the listed hash (as given {as_given})");
        as_given_total += as_given;
        widened_total += widened;
        let hit = copy.queries().filter_map(|picture| filter.query(picture)).find(|hit| hit.strength == MatchStrength::Strong);
        strong += usize::from(hit.is_some());
        strong_as_given += usize::from(filter.query(&copy.oriented).is_some_and(|hit| hit.strength == MatchStrength::Strong));
    }
    assert!(widened_total * 3 <= as_given_total * 2, "widened {widened_total} bits in all, as given {as_given_total}");
    assert_eq!(strong, originals.len(), "every cropped copy is a strong hit");
    assert!(strong_as_given < originals.len(), "the crop as given alone is not always strong: the widening is what finds them");
}

#[test]
fn the_widened_picture_is_probed_as_given_and_never_looked_up_exactly() {
    let copy = pictures(&synthetic::photo(7, 900, 600).to_jpeg(90));
    let widened = &copy.uncropped;
    assert!(!widened.looked_up_exactly());
    assert_eq!(widened.probed_variants().len(), 1);
    // It is queried last, after the picture as given.
    let last = copy.queries().last().map(|picture| picture.oriented_hashes());
    assert_eq!(last, Some([widened.features().hash(); 8]));
}
