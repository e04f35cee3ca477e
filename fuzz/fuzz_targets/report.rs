//! Report parsing and verification: must never panic, and nothing unsigned may verify.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    imageguard_test_support::fuzzing::report(data);
});
