//! Test hooks that let each language's test suite prove two properties of the bridge on the real library:
//! panics arrive as errors, and objects are freed. The live-object count is kept in every build (one
//! relaxed atomic per object); the exported hooks exist only with the `test-hooks` feature, which the
//! binding test builds enable and shipped libraries never do.

use std::sync::atomic::{AtomicU64, Ordering};

static LIVE_OBJECTS: AtomicU64 = AtomicU64::new(0);

/// Held by every exported object; counts how many are alive.
#[derive(Debug)]
pub(crate) struct LiveToken(());

impl LiveToken {
    pub(crate) fn new() -> LiveToken {
        LIVE_OBJECTS.fetch_add(1, Ordering::Relaxed);
        LiveToken(())
    }
}

impl Drop for LiveToken {
    fn drop(&mut self) {
        LIVE_OBJECTS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// How many imageguard objects (keys, scanners) are alive in this process. Foreign tests use it to check
/// that closing/releasing objects frees them.
#[cfg(feature = "test-hooks")]
#[uniffi::export]
pub fn live_object_count() -> u64 {
    LIVE_OBJECTS.load(Ordering::Relaxed)
}

/// Panics inside imageguard on purpose. Always returns `ImageGuardError::Internal`: it exists to show that
/// a panic never crashes the app.
#[cfg(feature = "test-hooks")]
#[uniffi::export]
pub fn debug_induce_panic() -> Result<(), crate::ImageGuardError> {
    crate::guard::call(|| panic!("debug_induce_panic: a deliberate panic to test the FFI boundary"))
}
