//! The directory store's errors as foreign errors, and its crash hook for the foreign test suites.
//!
//! The store itself is the core's (`imageguard::store`); [`crate::Scanner::open`] is its foreign face.
//! Store I/O failures are the app's state problem (`InvalidState`); a store with no valid bundle is a
//! refused bundle.

use crate::{BundleRejectReason, ImageGuardError};
use imageguard::store::StoreError;

pub(crate) fn store_error(e: StoreError) -> ImageGuardError {
    match e {
        StoreError::Scan(scan) => scan.into(),
        StoreError::NoBundle => ImageGuardError::bundle(BundleRejectReason::Missing, e),
        StoreError::DeviceKey(key) => key.into(),
        _ => ImageGuardError::invalid_state(e),
    }
}

/// Where a simulated crash stops the next save (test builds only: `test-hooks`).
#[cfg(feature = "test-hooks")]
#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum SaveStep {
    BundleStaged,
    PreviousKept,
    BundleInstalled,
    TrustSaved,
}

/// Makes the next save of a scanner from `Scanner::open` stop right after `step`, leaving its directory as
/// a crash there would (the call then fails with `InvalidState`). Test builds only.
#[cfg(feature = "test-hooks")]
#[uniffi::export]
pub fn debug_crash_next_save(scanner: std::sync::Arc<crate::Scanner>, step: SaveStep) {
    use imageguard::store::WriteStep;
    let step = match step {
        SaveStep::BundleStaged => WriteStep::BundleStaged,
        SaveStep::PreviousKept => WriteStep::PreviousKept,
        SaveStep::BundleInstalled => WriteStep::BundleInstalled,
        SaveStep::TrustSaved => WriteStep::TrustSaved,
    };
    if let Some(store) = scanner.store() {
        store.crash_after(step);
    }
}
