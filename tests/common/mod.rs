//! Helpers shared by integration tests: where the PDQ conformance vectors live, and CSV reading.
#![allow(dead_code)]

use std::path::PathBuf;

/// `IMAGEGUARD_PDQ_VECTORS`, else `../shared/pdq-vectors` beside the checkout.
///
/// Returns `None` (after saying so loudly) where the vectors are absent, as in a user's own clone.
/// CI sets `IMAGEGUARD_REQUIRE_VECTORS=1`, which turns their absence into a failure.
pub fn vectors_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("IMAGEGUARD_PDQ_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/pdq-vectors"));
    if dir.join("manifest.csv").is_file() {
        return Some(dir);
    }
    if std::env::var_os("IMAGEGUARD_REQUIRE_VECTORS").is_some() {
        panic!("PDQ conformance vectors required but not found at {}", dir.display());
    }
    eprintln!(
        "\n*** SKIPPED: PDQ conformance vectors not found at {} (set IMAGEGUARD_PDQ_VECTORS) ***\n",
        dir.display()
    );
    None
}

/// Reads a CSV file with a header row into maps from column name to value. The vectors' CSVs have no
/// quoted fields.
pub fn read_csv(path: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().expect("header").split(',').map(str::to_string).collect();
    lines
        .filter(|line| !line.trim().is_empty())
        .map(|line| header.iter().cloned().zip(line.split(',').map(str::to_string)).collect())
        .collect()
}
