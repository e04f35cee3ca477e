//! `imageguard bundle sign|verify|inspect|delta`.

use crate::keys;
use clap::{Args, Subcommand};
use imageguard::bundle::{self, ParsedBundle, SectionKind, TrustConfig, TrustState};
use imageguard::calibration::{FalseHits, Filters};
use imageguard::exact::ExactHashRequest;
use imageguard::filter::{ExactFilter, PerceptualFilter};
use imageguard::hashing::{self, HashOptions};
use imageguard::policy::Policy;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Subcommand)]
pub enum BundleCommand {
    /// Add one signature (several providers sign in turn).
    Sign {
        bundle: PathBuf,
        #[arg(long)]
        key: PathBuf,
        /// Output path (default: sign in place).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check signatures (k of n trusted keys) and validity now.
    Verify(VerifyArgs),
    /// Show what a bundle holds and the false matches it predicts per image.
    Inspect {
        bundle: PathBuf,
        /// A directory of benign photos unrelated to the list (like the ones users send): each is looked
        /// up as a device looks it up, and the false matches per image are measured, not only modelled.
        #[arg(long, value_name = "DIR")]
        calibrate: Option<PathBuf>,
    },
    /// Make the delta that turns OLD into NEW (NEW signed).
    Delta {
        old: PathBuf,
        new: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Args)]
pub struct VerifyArgs {
    bundle: PathBuf,
    /// Trusted public keys: hex, or .pub files (repeatable).
    #[arg(long, required = true)]
    trust: Vec<String>,
    #[arg(long, default_value_t = 1)]
    threshold: usize,
}

fn read(path: &PathBuf) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn trust_config(trust: &[String], threshold: usize) -> Result<TrustConfig, String> {
    let keys = trust.iter().map(|k| keys::read_verifying_key(k)).collect::<Result<Vec<_>, _>>()?;
    TrustConfig::new(keys, threshold).map_err(|e| e.to_string())
}


pub fn run(command: BundleCommand) -> Result<ExitCode, String> {
    match command {
        BundleCommand::Sign { bundle, key, out } => {
            let key = keys::read_signing_key(&key)?;
            let signed = bundle::sign_bundle(&read(&bundle)?, &key).map_err(|e| e.to_string())?;
            let out = out.unwrap_or(bundle);
            std::fs::write(&out, &signed).map_err(|e| format!("{}: {e}", out.display()))?;
            let count = ParsedBundle::parse(&signed).map(|p| p.signatures.len()).unwrap_or(0);
            println!("signed {} with key {} ({count} signature(s) now)", out.display(), key.key_id());
        }
        BundleCommand::Verify(args) => {
            let config = trust_config(&args.trust, args.threshold)?;
            match bundle::verify_bundle(read(&args.bundle)?, &config, &TrustState::new(), imageguard::clock::unix_seconds()) {
                Ok(verified) => println!(
                    "OK: {} v{} signed by {} trusted key(s) (threshold {}), root {}",
                    verified.header().bundle_id,
                    verified.sequence(),
                    verified.signers(),
                    args.threshold,
                    verified.root_hex()
                ),
                Err(e) => {
                    println!("REFUSED: {e}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
        BundleCommand::Inspect { bundle, calibrate } => inspect(&read(&bundle)?, calibrate.as_deref())?,
        BundleCommand::Delta { old, new, out } => {
            let (old, new) = (read(&old)?, read(&new)?);
            let delta = bundle::make_delta(&old, &new).map_err(|e| e.to_string())?;
            std::fs::write(&out, &delta).map_err(|e| format!("{}: {e}", out.display()))?;
            println!(
                "wrote {}: {} bytes, {:.2}% of the full bundle ({} bytes)",
                out.display(),
                delta.len(),
                100.0 * delta.len() as f64 / new.len().max(1) as f64,
                new.len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn inspect(bytes: &[u8], calibrate: Option<&Path>) -> Result<(), String> {
    let parsed = ParsedBundle::parse(bytes).map_err(|e| e.to_string())?;
    let h = &parsed.header;
    println!("bundle {} v{} ({} bytes), lists: {}", h.bundle_id, h.sequence, bytes.len(), h.list_ids.join(", "));
    println!("created {} expires {} (unix seconds)", h.created, h.expires);
    println!("root {}", imageguard::hex::encode(&parsed.root));
    for (id, _) in &parsed.signatures {
        println!("signature by key {id} (not verified here: use `bundle verify`)");
    }
    for (kind, range) in &parsed.sections {
        println!("section {}: {} bytes", kind.name(), range.len());
    }
    let policy = match parsed.section(SectionKind::Policy) {
        Some(section) => Policy::from_section_bytes(section).map_err(|e| format!("policy: {e}"))?,
        None => Policy::default(),
    };
    println!(
        "policy: exact {:?}, strong {:?}, weak {:?}; report after {} match(es) in {}; at most {} per entry; min quality {}",
        policy.exact,
        policy.perceptual_strong,
        policy.perceptual_weak,
        policy.report_threshold,
        // Bundles built by other tools may use any number of seconds.
        match policy.window_secs {
            secs if secs % 86400 == 0 => format!("{} days", secs / 86400),
            secs => format!("{secs} s"),
        },
        policy.per_entry_cap,
        policy.min_quality
    );
    let all: Arc<Vec<u8>> = Arc::new(bytes.to_vec());
    println!("predicted false matches per unrelated image (every lookup counted):");
    let exact = parsed
        .section_range(SectionKind::ExactFilter)
        .map(|range| ExactFilter::from_bundle(all.clone(), range, &h.salt))
        .transpose()
        .map_err(|e| e.to_string())?;
    let perceptual = parsed
        .section_range(SectionKind::PerceptualFilter)
        .map(|range| PerceptualFilter::from_bundle(all.clone(), range, &h.salt))
        .transpose()
        .map_err(|e| e.to_string())?;
    if let Some(filter) = &exact {
        let minimum = (1.0 / filter.fp_rate()).log2();
        println!(
            "exact filter: {} entries, {:.1} bits/entry ({:.2}x the minimum log2(1/fp) = {:.1}), fp {:.1e} per lookup",
            filter.len(),
            filter.bits_per_entry(),
            filter.bits_per_entry() / minimum,
            minimum,
            filter.fp_rate()
        );
        for (kind, count) in filter.counts() {
            println!("  {kind}: {count}");
        }
        println!(
            "  exact: {:.1e} per image ({} lookups: one per listed file-hash kind, 8 orientations of PDQ)",
            filter.fp_per_image(),
            filter.lookups_per_image()
        );
    }
    if let Some(filter) = &perceptual {
        let (bands, bits, probes, hashes) = filter.params();
        println!(
            "perceptual filter: {} entries, {:.1} bytes/entry, {bands} bands x {bits} bits, {probes} probes/band, {hashes} bits/key",
            filter.entries(),
            filter.bytes_per_entry()
        );
        let per_image = filter.fp_per_image();
        println!(
            "  {:.1e} per probe (the real per-block fill, plus chance band collisions of random hashes), {} probes per image",
            filter.fp_rate_per_probe(),
            filter.probes_per_image()
        );
        println!("  strong: {:.1e} per image; weak or strong: {:.1e} per image", per_image.strong, per_image.weak);
        println!("  (real photos collide on bands far more often than random hashes: measure with --calibrate DIR)");
    }
    if let Some(dir) = calibrate {
        let filters = Filters { exact: exact.as_ref(), perceptual: perceptual.as_ref(), min_quality: policy.min_quality };
        calibrated(dir, &filters)?;
    }
    Ok(())
}

/// Looks every file of `dir` up as a device does (file hashes, every picture, quality gate) and prints
/// the false matches measured per image with their 95% upper bounds.
fn calibrated(dir: &Path, filters: &Filters<'_>) -> Result<(), String> {
    let (files, _) = crate::files::collect(&[dir.to_path_buf()]);
    let bar = crate::files::progress(files.len(), "calibrating");
    let mut options = HashOptions::default();
    options.exact = filters.exact.map_or(ExactHashRequest::BLAKE3_ONLY, ExactFilter::hash_request);
    let (mut counts, mut undecoded, mut unreadable) = (FalseHits::default(), 0u64, 0u64);
    for path in &files {
        bar.inc(1);
        let Ok(bytes) = hashing::read_file(path, &options.limits) else {
            unreadable += 1;
            continue;
        };
        let (exact, pictures) = hashing::exact_then_pictures(&bytes, &options);
        match pictures {
            Ok(pictures) => counts.add(filters, Some(&exact), &pictures.queries().collect::<Vec<_>>()),
            Err(_) => {
                undecoded += 1;
                counts.add(filters, Some(&exact), &[])
            }
        };
    }
    bar.finish_and_clear();
    println!(
        "measured on {} files of {} (as a device looks them up; {undecoded} not decoded: file hashes only; {unreadable} unreadable, not counted):",
        counts.images,
        dir.display()
    );
    for (class, images, (rate, bound)) in [
        ("exact", counts.exact_images, counts.exact_per_image()),
        ("strong (exact or strong perceptual)", counts.strong_images, counts.strong_per_image()),
        ("weak or strong", counts.any_images, counts.any_per_image()),
    ] {
        println!("  {class}: {images} images = {rate:.1e} per image (95% upper bound {bound:.1e})");
    }
    println!("  (hits within PDQ's distance of a listed photo are confirmed like true matches: use photos unrelated to the list)");
    Ok(())
}
