//! Policy, prompt, negative-list and persisted-state codecs: never a panic; what parses round-trips.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    imageguard_test_support::fuzzing::policy_prompts(data);
});
