//! Delta application over a fixed base bundle: never a panic; nothing without the base key's signature verifies.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    imageguard_test_support::fuzzing::delta(data);
});
