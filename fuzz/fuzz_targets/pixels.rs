//! Raw pixel buffers with arbitrary geometry and stride: must never panic or read out of bounds.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    imageguard_test_support::fuzzing::pixels(data);
});
