//! `imageguard hash`: PDQ and exact hashes of many files, on all cores, as JSON lines or CSV.

use crate::files;
use clap::{Args, ValueEnum};
use imageguard::exact::{ExactHashRequest, HashKind};
use imageguard::hex::encode as to_hex;
use imageguard::hashing::{self, HashOptions, ImageHashes};
use rayon::prelude::*;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct HashArgs {
    /// Image files or directories (searched recursively).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Also print the 8 dihedral (rotation/flip) PDQ hashes.
    #[arg(long)]
    dihedral: bool,
    /// Also compute MD5, SHA-1 and SHA-256 of the file bytes (BLAKE3 is always computed).
    #[arg(long)]
    legacy: bool,
    /// Decode JPEGs in colour at full size instead of the fast path (luma only), for comparison.
    #[arg(long)]
    full_decode: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Jsonl,
    Csv,
}

/// Files are hashed in parallel in chunks and printed in input order.
const CHUNK: usize = 256;

pub fn run(args: HashArgs) -> Result<ExitCode, String> {
    let (files, mut failures) = files::collect(&args.paths);
    let mut options = HashOptions::default();
    options.exact = if args.legacy { ExactHashRequest::ALL } else { ExactHashRequest::BLAKE3_ONLY };
    options.jpeg_fast_path = !args.full_decode;
    let progress = files::progress(files.len(), "hashing");
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Format::Csv = args.format {
        writeln!(out, "{}", csv_header(args.dihedral)).map_err(|e| e.to_string())?;
    }
    for chunk in files.chunks(CHUNK) {
        let results: Vec<_> = chunk
            .par_iter()
            .map(|path| {
                let result = hashing::hash_file(path, &options);
                progress.inc(1);
                result
            })
            .collect();
        for (path, result) in chunk.iter().zip(results) {
            match result {
                Ok(hashes) => {
                    let line = match args.format {
                        Format::Jsonl => json_line(path, &hashes, args.dihedral),
                        Format::Csv => csv_line(path, &hashes, args.dihedral),
                    };
                    writeln!(out, "{line}").map_err(|e| e.to_string())?;
                }
                Err(error) => {
                    progress.suspend(|| eprintln!("imageguard: {}: {error}", path.display()));
                    failures += 1;
                }
            }
        }
    }
    out.flush().map_err(|e| e.to_string())?;
    progress.finish_and_clear();
    if failures > 0 {
        eprintln!("imageguard: {failures} of {} inputs failed", files.len());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn json_line(path: &std::path::Path, hashes: &ImageHashes, dihedral: bool) -> String {
    let mut record = serde_json::json!({
        "path": path.display().to_string(),
        "format": hashes.format.name(),
        "width": hashes.width,
        "height": hashes.height,
        "pdq": hashes.pdq.hash().to_hex(),
        "quality": hashes.pdq.quality(),
    });
    for (kind, hash) in hashes.exact.iter() {
        record[kind.name()] = to_hex(hash).into();
    }
    if dihedral {
        let variants: Vec<String> = hashes.pdq.dihedral_hashes().iter().map(|h| h.to_hex()).collect();
        record["dihedral"] = variants.into();
    }
    record.to_string()
}

fn csv_header(dihedral: bool) -> String {
    let mut header = "path,format,width,height,pdq,quality".to_string();
    for kind in HashKind::FILE_KINDS {
        header.push(',');
        header.push_str(kind.name());
    }
    if dihedral {
        for variant in imageguard::pdq::Dihedral::ALL {
            header.push_str(",pdq_");
            header.push_str(variant.name());
        }
    }
    header
}

fn csv_line(path: &std::path::Path, hashes: &ImageHashes, dihedral: bool) -> String {
    let path = path.display().to_string();
    let quoted = if path.contains([',', '"', '\n']) { format!("\"{}\"", path.replace('"', "\"\"")) } else { path };
    let mut line = format!(
        "{quoted},{},{},{},{},{}",
        hashes.format.name(),
        hashes.width,
        hashes.height,
        hashes.pdq.hash().to_hex(),
        hashes.pdq.quality(),
    );
    for kind in HashKind::FILE_KINDS {
        line.push(',');
        line.push_str(&hashes.exact.get(kind).map(to_hex).unwrap_or_default());
    }
    if dihedral {
        for hash in hashes.pdq.dihedral_hashes() {
            line.push(',');
            line.push_str(&hash.to_hex());
        }
    }
    line
}
