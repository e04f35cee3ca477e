//! Bundle parsing, verification against an untrusted key, and every section parser: never a panic, nothing unsigned verifies.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    imageguard_test_support::fuzzing::bundle(data);
});
