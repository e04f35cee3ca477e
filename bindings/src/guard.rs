//! Keeps Rust panics out of the foreign runtime.
//!
//! Unwinding into the JVM or Swift is undefined behaviour, and an abort would kill the app. Every exported
//! function body runs in [`call`], which turns a panic into [`ImageGuardError::Internal`] with the panic's
//! text (our own panic messages name code locations, never hash material). This relies on the release
//! profile keeping `panic = "unwind"`.

use crate::ImageGuardError;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Longest panic text passed on, in characters.
const MAX_PANIC_TEXT: usize = 200;

/// Runs `f`, converting a panic into `ImageGuardError::Internal`.
pub(crate) fn call<T>(f: impl FnOnce() -> Result<T, ImageGuardError>) -> Result<T, ImageGuardError> {
    // AssertUnwindSafe: after a panic we only return an error; no state observed by `f` is used again
    // except through types that are themselves poison-aware (Mutex) or immutable.
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic with no message".to_string());
        log::error!(target: "imageguard_ffi", "caught a panic at the FFI boundary");
        Err(ImageGuardError::internal(text.chars().take(MAX_PANIC_TEXT).collect::<String>()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_internal_errors_and_results_pass_through() {
        assert_eq!(call(|| Ok(7)), Ok(7));
        let invalid = || ImageGuardError::InvalidArgument { detail: "x".into() };
        assert_eq!(call::<()>(|| Err(invalid())), Err(invalid()));
        let err = call::<()>(|| panic!("boom {}", 42)).unwrap_err();
        assert_eq!(err, ImageGuardError::Internal { detail: "internal error in imageguard: boom 42".into() });
        assert!(err.to_string().starts_with("internal error in imageguard: boom 42"));
        let long = call::<()>(|| panic!("{}", "x".repeat(1000))).unwrap_err();
        assert!(matches!(long, ImageGuardError::Internal { detail } if detail.matches('x').count() == MAX_PANIC_TEXT));
    }
}
