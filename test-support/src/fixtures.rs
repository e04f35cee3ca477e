//! Fixtures the integration tests share: one fixed "now" and a bundle header valid around it, so that a
//! change to `BundleHeader` touches this file instead of every test.

use imageguard::bundle::BundleHeader;

/// The tests' clock: a fixed Unix time (2027-01-15), never the system clock.
pub const NOW: u64 = 1_800_000_000;
pub const DAY: u64 = 86_400;

/// A header for `bundle_id` carrying one list, `list_id`, created a minute before [`NOW`] and valid for a
/// day after it, with a fixed salt. Tests that need other values change them with [`crate::with`].
pub fn header(bundle_id: &str, list_id: &str, sequence: u64) -> BundleHeader {
    BundleHeader {
        bundle_id: bundle_id.into(),
        list_ids: vec![list_id.into()],
        sequence,
        created: NOW - 60,
        expires: NOW + DAY,
        salt: [9; 32],
    }
}

/// A list entry that shares bands 0 and 1 of `spec`'s perceptual filter with `hash` and lies more than 31
/// bits from it: what a sender who searched a shipped filter for band collisions near a harmless picture
/// gets, a strong filter hit that the platform's list does not confirm.
pub fn band_collision(spec: &imageguard::lists::BundleSpec, hash: imageguard::pdq::PdqHash) -> imageguard::pdq::PdqHash {
    let layout_source = imageguard::filter::PerceptualFilter::build(&spec.header.salt, spec.perceptual, &[]).expect("an empty filter");
    let bands = layout_source.band_layout();
    let mut crafted = hash;
    for band in bands.iter().skip(2) {
        for &bit in band.iter().filter(|b| !bands[0].contains(b) && !bands[1].contains(b)).take(20) {
            crafted.flip_bit(usize::from(bit));
        }
    }
    assert!(crafted.distance(&hash) > 31);
    crafted
}
