//! Filters: exact and perceptual membership, no false negatives, sections, and malformed input.

use imageguard::exact::HashKind;
use imageguard::filter::{ExactFilter, FilterError, PerceptualFilter, PerceptualParams};
use imageguard::hashing::{self, HashOptions};
use imageguard::pdq::{PdqFeatures, PdqHash};
use imageguard::report::MatchStrength;
use imageguard_test_support::synthetic::{self, RgbImage};
use proptest::prelude::*;
use std::sync::Arc;

const SALT: [u8; 32] = [3; 32];

fn features(image: &RgbImage, quality: u8) -> PdqFeatures {
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, quality)
        .encode(&image.pixels, image.width as u16, image.height as u16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    hashing::hash_bytes(&jpeg, &HashOptions::default()).unwrap().pdq
}

/// Buckets in a one-kind exact section: (range - 1) >> shift, plus one.
fn table_len(section: &[u8]) -> usize {
    let range = u64::from_le_bytes(section[11..19].try_into().unwrap());
    let shift = section[28];
    (((range - 1) >> shift) + 1) as usize
}

fn perceptual_round_trip(filter: &PerceptualFilter) -> PerceptualFilter {
    let bytes: Arc<Vec<u8>> = Arc::new(filter.to_section_bytes());
    PerceptualFilter::from_bundle(bytes.clone(), 0..bytes.len(), &SALT).unwrap()
}

#[test]
fn exact_filter_round_trips_and_rejects_malformed_sections() {
    let hashes: Vec<[u8; 20]> = (0..1000u32).map(|i| blake3::hash(&i.to_le_bytes()).as_bytes()[..20].try_into().unwrap()).collect();
    let filter = ExactFilter::build(SALT, 1e-6, hashes.iter().map(|h| (HashKind::Sha1, &h[..]))).unwrap();
    let bytes = filter.to_section_bytes();
    let loaded = ExactFilter::from_section_bytes(&bytes, SALT).unwrap();
    assert!(hashes.iter().all(|h| loaded.contains(HashKind::Sha1, h)));
    assert_eq!(loaded.counts(), &[(HashKind::Sha1, 1000)]);
    for len in (0..bytes.len()).step_by(97) {
        assert!(ExactFilter::from_section_bytes(&bytes[..len], SALT).is_err(), "truncated to {len}");
    }
    // The bucket table follows the header (version, 1 kind, 5 fields): its first offset must be 0.
    let table_at = 2 + 9 + 8 + 8 + 1 + 1 + 8;
    let mut bad_table = bytes.clone();
    bad_table[table_at] = 1;
    assert_eq!(
        ExactFilter::from_section_bytes(&bad_table, SALT).unwrap_err(),
        FilterError::Malformed("bucket offsets out of order")
    );
    // Garbage codes (a signed but broken section) answer "not listed", never panic.
    let mut garbage = bytes.clone();
    let codes_at = table_at + 8 * table_len(&bytes);
    garbage[codes_at..].iter_mut().for_each(|b| *b = 0xFF);
    let garbage = ExactFilter::from_section_bytes(&garbage, SALT).unwrap();
    assert!(!hashes.iter().any(|h| garbage.contains(HashKind::Sha1, h)));
    let mut v1 = bytes.clone();
    v1[0] = 1;
    assert_eq!(ExactFilter::from_section_bytes(&v1, SALT).unwrap_err(), FilterError::Withdrawn { version: 1 });
    assert!(ExactFilter::build(SALT, 0.0, []).is_err());
    assert!(ExactFilter::build(SALT, 1e-6, [(HashKind::Md5, &[1u8; 3][..])]).is_err());
}

#[test]
fn perceptual_filter_finds_edited_copies_and_not_unrelated_images() {
    let originals: Vec<RgbImage> = (0..24u64).map(|seed| synthetic::photo(seed, 640, 480)).collect();
    let known: Vec<PdqHash> = originals[..12].iter().map(|image| features(image, 90).hash()).collect();
    let filter = perceptual_round_trip(&PerceptualFilter::build(&SALT, PerceptualParams::default(), &known).unwrap());

    let mut found = 0;
    let mut total = 0;
    for image in &originals[..12] {
        let edits = [
            features(image, 50),
            features(&image.shrink(2), 85),
            features(&image.flip_horizontal(), 90),
            features(&image.rotate_90(), 90),
            features(&image.brighten(25), 90),
            features(&image.watermark(), 90),
        ];
        for edit in &edits {
            total += 1;
            found += usize::from(filter.query(edit).is_some());
        }
        let exact = filter.query(&features(image, 90)).expect("the known image itself");
        assert_eq!(exact.strength, MatchStrength::Strong);
    }
    assert!(found * 100 >= total * 90, "found {found} of {total} edited copies");
    for image in &originals[12..] {
        assert_eq!(filter.query(&features(image, 90)), None, "unrelated image matched");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn no_false_negatives_for_inserted_hashes(seeds in proptest::collection::vec(any::<u64>(), 1..40)) {
        let images: Vec<PdqFeatures> = seeds.iter().map(|&seed| {
            let luma = imageguard::pdq::LumaImage::from_fn(64, 64, |x, y| {
                (imageguard::entry_key::mix64(seed ^ (x as u64 / 8) << 8 ^ (y as u64 / 8)) & 255) as f32
            });
            imageguard::pdq::compute(luma)
        }).collect();
        let hashes: Vec<PdqHash> = images.iter().map(|f| f.hash()).collect();
        let filter = PerceptualFilter::build(&SALT, PerceptualParams { probes_per_band: 1, ..PerceptualParams::default() }, &hashes).unwrap();
        for image in &images {
            let hit = filter.query(image);
            prop_assert!(hit.is_some());
            prop_assert_eq!(hit.unwrap().strength, MatchStrength::Strong);
        }
        let exact = ExactFilter::build(SALT, 1e-4, hashes.iter().map(|h| (HashKind::PdqExact, &h.0[..]))).unwrap();
        prop_assert!(hashes.iter().all(|h| exact.contains(HashKind::PdqExact, &h.0)));
    }
}

#[test]
fn malformed_perceptual_sections_are_typed_errors() {
    let filter = PerceptualFilter::build(&SALT, PerceptualParams::default(), &[PdqHash([1; 32])]).unwrap();
    let bytes = filter.to_section_bytes();
    let load = |b: Vec<u8>| {
        let b: Arc<Vec<u8>> = Arc::new(b);
        PerceptualFilter::from_bundle(b.clone(), 0..b.len(), &SALT).map(|_| ())
    };
    assert!(load(bytes.clone()).is_ok());
    for len in [0, 1, 5, 14, 100, bytes.len() - 1] {
        assert!(load(bytes[..len].to_vec()).is_err(), "truncated to {len}");
    }
    let mut bad = bytes.clone();
    bad[0] = 9;
    assert_eq!(load(bad), Err(FilterError::UnsupportedVersion(9)));
    let mut bad = bytes.clone();
    bad[1] = 200; // bands
    assert!(load(bad).is_err());
    let mut unsorted = bytes.clone();
    unsorted.swap(15, 16);
    assert_eq!(load(unsorted), Err(FilterError::Malformed("band positions must be sorted and distinct")));
}

