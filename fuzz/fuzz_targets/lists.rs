//! The platform's hash-list parsers (hex lines, CSV, --skip-invalid): never a panic, every parsed hash has its kind's length.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    imageguard_test_support::fuzzing::lists(data);
});
