//! Replays every input under `tests/fuzz-regressions/<target>/` through the fuzz target's entry point:
//! crashes the fuzzers found, plus seeds. CI runs these; the fuzzers themselves run in `scripts/fuzz`.

use std::path::Path;

fn replay(target: &str, entry: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions").join(target);
    let mut count = 0;
    for entry_path in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry_path.expect("dir entry").path();
        let bytes = std::fs::read(&path).expect("read input");
        entry(&bytes);
        count += 1;
    }
    assert!(count > 0, "no regression inputs for {target}");
}

#[test]
fn decode_regressions() {
    replay("decode", imageguard_test_support::fuzzing::decode);
}

#[test]
fn pixels_regressions() {
    replay("pixels", imageguard_test_support::fuzzing::pixels);
}

#[test]
fn report_regressions() {
    replay("report", imageguard_test_support::fuzzing::report);
}

#[test]
fn bundle_regressions() {
    replay("bundle", imageguard_test_support::fuzzing::bundle);
}

#[test]
fn delta_regressions() {
    replay("delta", imageguard_test_support::fuzzing::delta);
}

#[test]
fn lists_regressions() {
    replay("lists", imageguard_test_support::fuzzing::lists);
}

#[test]
fn policy_prompts_regressions() {
    replay("policy_prompts", imageguard_test_support::fuzzing::policy_prompts);
}

/// The delta seed must reach past the base-root check (else the fuzzer would never get into the patch
/// code): the base is deterministic, so a delta made from it today applies to it in every run.
#[test]
fn delta_seed_applies_to_the_fuzz_base() {
    use imageguard::bundle::{apply_delta, TrustState};
    use imageguard_test_support::fuzzing::{delta_base, FUZZ_NOW};
    let base = delta_base().expect("fuzz base bundle");
    let seed = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions/delta/seed-add-entries"))
        .expect("delta seed");
    // Signed by a key of an earlier run: everything but the signature check passes.
    let error = apply_delta(&base.verified, &seed, &base.trust, &TrustState::new(), FUZZ_NOW).unwrap_err();
    assert!(error.to_string().contains("signature"), "{error}");
}

/// Writes the generated seeds of the bundle, delta, lists and policy_prompts targets (after a format change:
/// `IMAGEGUARD_WRITE_SEEDS=1 cargo test --test fuzz_regressions write_seeds -- --ignored`).
#[test]
#[ignore]
fn write_seeds() {
    use imageguard::bundle::{make_delta, sign_bundle};
    use imageguard_test_support::fuzzing::{delta_base, delta_base_spec, FUZZ_NOW};
    use imageguard::policy::{decide, DecisionState, MatchClass, Policy};
    use imageguard::prompts::PromptCatalog;
    if std::env::var_os("IMAGEGUARD_WRITE_SEEDS").is_none() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let write = |target: &str, name: &str, bytes: &[u8]| {
        std::fs::create_dir_all(root.join(target)).expect("mkdir");
        std::fs::write(root.join(target).join(format!("seed-{name}")), bytes).expect("write");
    };
    let base = delta_base().expect("base");
    let mut spec = delta_base_spec(2, 3);
    spec.prompts = Some(PromptCatalog::builtin());
    let next = sign_bundle(&spec.build().expect("build"), &base.key).expect("sign");
    write("bundle", "base", base.verified.bytes());
    write("bundle", "with-prompts", &next);
    let mut small_probes = delta_base_spec(3, 1);
    small_probes.perceptual.probes_per_band = 16;
    write("bundle", "small-probe-budget", &sign_bundle(&small_probes.build().expect("build"), &base.key).expect("sign"));
    write("delta", "add-entries", &make_delta(base.verified.bytes(), &next).expect("delta"));
    // A continued list: the exact filter travels as an exact-set patch (added and removed fingerprints).
    let mut continued = delta_base_spec(4, 2);
    continued.continues = Some(imageguard::lists::Continuation::of(base.verified.bytes()).expect("continuation"));
    let continued = sign_bundle(&continued.build().expect("build"), &base.key).expect("sign");
    write("delta", "continued", &make_delta(base.verified.bytes(), &continued).expect("delta"));
    write("lists", "hex-blake3", b"\x03# known\n00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n\nzz\n");
    write("lists", "csv-md5", b"\x80id,hash\n1,\"00112233445566778899aabbccddeeff\"\n2,0011\n");
    write("lists", "pdq-skip", b"\x44f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\nbad\n");
    let policy = Policy::default();
    write("policy_prompts", "policy", &policy.to_section_bytes());
    write("policy_prompts", "prompts", &PromptCatalog::builtin().to_section_bytes().expect("valid"));
    let mut state = DecisionState::new();
    for key in 0..3 {
        decide(&policy, &mut state, MatchClass::Exact, key, FUZZ_NOW);
    }
    write("policy_prompts", "decision-state", &state.to_bytes());
}

/// Writes the generated seeds for the report target (run by hand after a format change:
/// `IMAGEGUARD_WRITE_SEEDS=1 cargo test --test fuzz_regressions write_report_seeds -- --ignored`).
#[test]
#[ignore]
fn write_report_seeds() {
    use imageguard::exact::HashKind;
    use imageguard::pdq::{Dihedral, PdqHash};
    use imageguard::report::{DeviceKey, MatchStrength, MatchedEntry};
    if std::env::var_os("IMAGEGUARD_WRITE_SEEDS").is_none() {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions/report");
    let key = DeviceKey::generate().expect("key");
    let exact = MatchedEntry::Exact { kind: HashKind::Blake3, hash: vec![0xAB; 32] };
    let perceptual =
        MatchedEntry::Perceptual { hash: PdqHash([0x5A; 32]), variant: Dihedral::ALL[3], strength: MatchStrength::Weak };
    for (name, entry, context) in [("exact", exact, &b"app=demo"[..]), ("perceptual", perceptual, &[][..])] {
        let bytes = key.sign_report(1_800_000_000, "demo-bundle", "demo-list", 7, entry, context).expect("sign");
        std::fs::write(dir.join(format!("seed-{name}")), bytes).expect("write");
    }
}
