//! The corpus as `scripts/eval/corpus.py` wrote it (manifest.csv), each file scanned once as the device
//! scans it, on every core (hashing ~2,700 full-size photos is most of the run's time).

use crate::device::{self, Scanned};
use imageguard::pdq::PdqHash;
use std::path::PathBuf;

/// The reference's verdict, as the server-side matcher would give it: PDQ distance <= 31 over the 8
/// orientations, quality >= 50.
pub const REFERENCE_THRESHOLD: u32 = 31;
pub const REFERENCE_MIN_QUALITY: u32 = 50;

pub struct Entry {
    pub known: bool,
    pub transform: String,
    pub path: PathBuf,
    pub ref_distance: u32,
    pub ref_quality: u32,
    /// The file's own reference hash; for an original, what the list holds.
    pub ref_hash: PdqHash,
    pub scanned: Scanned,
}

impl Entry {
    pub fn is_original(&self) -> bool {
        self.transform == "original"
    }

    pub fn reference_catches(&self) -> bool {
        self.ref_distance <= REFERENCE_THRESHOLD && self.ref_quality >= REFERENCE_MIN_QUALITY
    }
}

struct Line {
    known: bool,
    transform: String,
    path: PathBuf,
    ref_distance: u32,
    ref_quality: u32,
    ref_hash: PdqHash,
}

fn parse_line(line: &str) -> Option<Line> {
    let fields: Vec<&str> = line.split(',').collect();
    Some(Line {
        known: *fields.get(1)? == "known",
        transform: fields.get(2)?.to_string(),
        path: PathBuf::from(fields.get(3)?),
        ref_distance: fields.get(4)?.parse().ok()?,
        ref_quality: fields.get(5)?.parse().ok()?,
        ref_hash: PdqHash::from_hex(fields.get(6)?).ok()?,
    })
}

/// Reads the manifest and scans every file it lists (malformed lines are reported and skipped).
pub fn load(manifest: &str, threads: usize) -> Result<Vec<Entry>, String> {
    let text = std::fs::read_to_string(manifest).map_err(|e| format!("{manifest}: {e}"))?;
    let mut lines = Vec::new();
    for (number, line) in text.lines().enumerate().skip(1) {
        match parse_line(line) {
            Some(parsed) => lines.push(parsed),
            None => eprintln!("{manifest}:{}: malformed line skipped", number + 1),
        }
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut scanned: Vec<Option<Scanned>> = (0..lines.len()).map(|_| None).collect();
    let results = std::sync::Mutex::new(&mut scanned);
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(line) = lines.get(index) else { break };
                let result = device::scan_file(&line.path);
                if let Ok(mut slots) = results.lock() {
                    if let Some(slot) = slots.get_mut(index) {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    Ok(lines
        .into_iter()
        .zip(scanned)
        .filter_map(|(line, scanned)| {
            Some(Entry {
                known: line.known,
                transform: line.transform,
                path: line.path,
                ref_distance: line.ref_distance,
                ref_quality: line.ref_quality,
                ref_hash: line.ref_hash,
                scanned: scanned?,
            })
        })
        .collect())
}
