//! What a signed bundle's filters may make a device do: load-time bounds on how much they match.
//!
//! A trusted but hostile (or compromised) provider key could ship a filter that matches everything
//! (every bit of a Bloom filter set, or an exact set whose fingerprint range is as small as its entry
//! count): every image would "match", and with a reporting policy every device would report everything.
//! A filter is therefore refused when it holds more than its declared entries could have put in it (bits
//! set of the perceptual filter: `k` per key; fingerprints of the exact set: one per entry), or when its
//! false-positive rate per lookup or probe, computed from what it really holds, is above a fixed ceiling
//! whatever the entry count it declares. The bundle builder runs the same checks,
//! so a platform cannot build what devices would refuse.

use super::{ExactFilter, PerceptualFilter};
use crate::bundle::{BundleError, FillDetail};

/// Highest false-positive rate per lookup of the exact filter (the default is 5e-11).
pub const MAX_EXACT_FP_RATE: f64 = 1e-3;
/// Highest false-positive rate per probe of the perceptual filter. An image makes up to 8192 probes
/// with the default parameters, so this keeps a collision below ~1% per image; the default parameters
/// measure around 1e-9.
pub const MAX_PERCEPTUAL_FP_RATE: f64 = 1e-6;

/// Refuses an exact filter fuller than its entries allow, or matching too much per lookup.
pub fn check_exact(filter: &ExactFilter) -> Result<(), BundleError> {
    check("exact filter", filter.fill(), filter.fp_rate(), MAX_EXACT_FP_RATE)
}

/// Refuses a perceptual filter fuller than its entries allow, or matching too much per probe.
pub fn check_perceptual(filter: &PerceptualFilter) -> Result<(), BundleError> {
    check("perceptual filter", filter.bits_set(), filter.fp_rate_per_probe(), MAX_PERCEPTUAL_FP_RATE)
}

fn check(section: &'static str, (bits_set, bits_possible): (u64, u64), measured: f64, ceiling: f64) -> Result<(), BundleError> {
    let per_billion = |rate: f64| (rate * 1e9).ceil() as u64; // saturating; NaN becomes 0
    if bits_set > bits_possible || measured > ceiling || measured.is_nan() {
        let detail = FillDetail {
            bits_set,
            bits_possible,
            fp_per_billion: if measured.is_nan() { u64::MAX } else { per_billion(measured) },
            max_fp_per_billion: per_billion(ceiling),
        };
        return Err(BundleError::Saturated { section, detail });
    }
    Ok(())
}
