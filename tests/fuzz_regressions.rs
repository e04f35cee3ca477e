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
    replay("decode", imageguard::fuzzing::decode);
}

#[test]
fn pixels_regressions() {
    replay("pixels", imageguard::fuzzing::pixels);
}

#[test]
fn report_regressions() {
    replay("report", imageguard::fuzzing::report);
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
