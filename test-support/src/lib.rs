//! Test support for imageguard: never part of an app.
//!
//! - [`synthetic`]: deterministic photo-like images and everyday edits, for the demo, tests and benchmarks
//!   (no real photos are needed to exercise the whole flow, and no real abuse imagery is ever used).
//! - [`video`]: synthetic videos (a new photo-like shot every second), encoded and edited with ffmpeg.
//! - [`fixtures`]: the integration tests' fixed clock and bundle header.
//! - [`fuzzing`]: the fuzz targets' entry points, shared with the regression tests that replay every input
//!   a fuzzer found (`tests/fuzz_regressions.rs`), so both run exactly the same code.
//!
//! It lives in its own crate so that the core library ships none of it.

pub mod fixtures;
pub mod fuzzing;
pub mod synthetic;
pub mod video;

/// `value` changed by `change`: a struct-update expression for the core's `#[non_exhaustive]` configs
/// (`ScannerConfig`, `DecodeLimits`, `AppOverrides`...), which other crates cannot build with a literal.
pub fn with<T>(mut value: T, change: impl FnOnce(&mut T)) -> T {
    change(&mut value);
    value
}
