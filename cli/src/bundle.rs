//! `imageguard bundle sign|verify|inspect|delta`.

use crate::keys;
use clap::{Args, Subcommand};
use imageguard::bundle::{self, ParsedBundle, SectionKind, TrustConfig, TrustState};
use imageguard::filter::{ExactFilter, PerceptualFilter};
use imageguard::policy::Policy;
use std::path::PathBuf;
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
    /// Show what a bundle holds.
    Inspect { bundle: PathBuf },
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
        BundleCommand::Inspect { bundle } => inspect(&read(&bundle)?)?,
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

fn inspect(bytes: &[u8]) -> Result<(), String> {
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
    if let Some(range) = parsed.section_range(SectionKind::ExactFilter) {
        let filter = ExactFilter::from_bundle(all.clone(), range, &h.salt).map_err(|e| e.to_string())?;
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
    if let Some(range) = parsed.section_range(SectionKind::PerceptualFilter) {
        let filter = PerceptualFilter::from_bundle(all, range, &h.salt).map_err(|e| e.to_string())?;
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
        println!("  (real photos collide on bands more often than random hashes: measured in BENCHMARKS.md)");
    }
    Ok(())
}
