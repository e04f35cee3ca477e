//! `imageguard scan`: the SDK's scanner over files, as a platform or a tester would run it.

use crate::{bundle, files, keys};
use clap::Args;
use imageguard::report::{decode_unverified, DeviceKey};
use imageguard::scanner::{MatchInfo, MatchKind, ScanOutcome, Scanner, ScannerConfig};
use rayon::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct ScanArgs {
    /// Image or video files, or directories (recursively). Videos (by extension: mp4, mov, mkv, webm...)
    /// are decoded with ffmpeg at one frame per second and get one outcome each.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[arg(long)]
    bundle: PathBuf,
    /// Trusted provider public keys: hex, or .pub files (repeatable).
    #[arg(long, required = true)]
    trust: Vec<String>,
    #[arg(long, default_value_t = 1)]
    threshold: usize,
    /// Device private key (PKCS#8) that signs reports.
    #[arg(long)]
    device_key: Option<PathBuf>,
    /// Write each report to this directory.
    #[arg(long)]
    reports: Option<PathBuf>,
    /// Locale for prompt texts.
    #[arg(long, default_value = "en")]
    locale: String,
    /// The platform's lists file (from `list build --platform-lists`): confirm candidates in-process.
    /// Without it, candidates are counted but not confirmed (nothing is shown or reported for them).
    #[arg(long)]
    platform_lists: Option<PathBuf>,
    /// One JSON object per match, and a JSON summary.
    #[arg(long)]
    json: bool,
}

pub fn describe(kind: &MatchKind) -> String {
    match kind {
        MatchKind::Exact { algorithm } => format!("exact ({algorithm})"),
        MatchKind::Perceptual { variant, strength } => format!("perceptual, {strength:?} ({})", variant.name()).to_lowercase(),
    }
}

pub fn run(args: ScanArgs) -> Result<ExitCode, String> {
    let bundle_bytes = std::fs::read(&args.bundle).map_err(|e| format!("{}: {e}", args.bundle.display()))?;
    // Without a key, reports are signed with a throwaway one (and written only with --reports).
    let device_key = match &args.device_key {
        Some(path) => DeviceKey::from_pkcs8(&std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?).map_err(|e| e.to_string())?,
        None => DeviceKey::generate().map_err(|e| e.to_string())?,
    };
    // A tool scans with the bundle it is given: it pins that bundle's own id.
    let bundle_id = imageguard::bundle::ParsedBundle::parse(&bundle_bytes).map_err(|e| e.to_string())?.header.bundle_id;
    let config = ScannerConfig::new(bundle::trust_config(&args.trust, args.threshold)?, vec![bundle_id], args.locale.clone());
    let device_key = Some(device_key);
    let scanner = Scanner::new(bundle_bytes, config, &[], &[], device_key).map_err(|e| e.to_string())?;
    let platform_lists = match &args.platform_lists {
        Some(path) => Some(crate::confirm::read_platform_lists(path)?),
        None => None,
    };
    if let Some(dir) = &args.reports {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let (paths, walk_errors) = files::collect(&args.paths);
    let progress = files::progress(paths.len(), "scanning");
    let start = Instant::now();
    let outcomes: Vec<_> = paths
        .par_iter()
        .map(|path| {
            let outcome = if crate::video::is_video(path) {
                crate::video::scan_video(&scanner, path).map(|video| video.outcome)
            } else {
                scanner.scan_file(path).map_err(|e| e.to_string())
            };
            progress.inc(1);
            outcome
        })
        .collect();
    let seconds = start.elapsed().as_secs_f64();
    progress.finish_and_clear();

    let (mut matched, mut prompts, mut reports, mut errors, mut unconfirmed) = (0, 0, 0, walk_errors, 0);
    for (path, outcome) in paths.iter().zip(outcomes) {
        let outcome = match (outcome, &platform_lists) {
            (Ok(ScanOutcome::NeedsConfirmation(pending)), Some(lists)) => lists
                .answer_bytes(pending.request_bytes())
                .map_err(imageguard::scanner::ScanError::Confirmation)
                .and_then(|response| scanner.confirm(&pending, &response))
                .map_err(|e| e.to_string()),
            (other, _) => other,
        };
        match outcome {
            Ok(ScanOutcome::NoMatch) => {}
            Ok(ScanOutcome::NeedsConfirmation(_)) => unconfirmed += 1,
            Ok(ScanOutcome::Match(info)) => {
                matched += 1;
                prompts += usize::from(info.prompt.is_some());
                reports += usize::from(info.report.is_some());
                print_match(path, &info, args.json);
                if let (Some(dir), Some(report)) = (&args.reports, &info.report) {
                    // A sealed report cannot be read here: name it by its digest.
                    let id = decode_unverified(report)
                        .map(|r| imageguard::hex::encode(&r.report_id))
                        .unwrap_or_else(|_| imageguard::hex::encode(&imageguard::exact::exact_hashes(report, Default::default()).blake3[..16]));
                    let file = dir.join(format!("{id}.igrp"));
                    std::fs::write(&file, report).map_err(|e| format!("{}: {e}", file.display()))?;
                }
            }
            Err(error) => {
                errors += 1;
                eprintln!("imageguard: {}: {error}", path.display());
            }
        }
    }
    let rate = paths.len() as f64 / seconds.max(1e-9);
    if args.json {
        println!(
            "{}",
            serde_json::json!({"summary": {"scanned": paths.len(), "matched": matched, "prompts": prompts,
                "reports": reports, "unconfirmed_candidates": unconfirmed, "errors": errors, "images_per_second": (rate * 10.0).round() / 10.0}})
        );
    } else {
        println!("scanned {} | matched {matched} | prompts {prompts} | reports {reports} | unconfirmed candidates {unconfirmed} | errors {errors} | {rate:.1} images/s", paths.len());
    }
    Ok(if errors > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn print_match(path: &std::path::Path, info: &MatchInfo, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::json!({"path": path.display().to_string(), "match": describe(&info.kind),
                "action": format!("{:?}", info.action), "bundle": info.bundle_id, "sequence": info.bundle_sequence,
                "prompt": info.prompt.as_ref().map(|p| p.texts.title.clone()), "report_bytes": info.report.as_ref().map(Vec::len)})
        );
    } else {
        println!("{}: {} -> {:?}", path.display(), describe(&info.kind), info.action);
    }
}

#[derive(Args)]
pub struct ReportVerifyArgs {
    file: PathBuf,
    /// Trusted device public keys: hex, or .pub files (repeatable).
    #[arg(long, required = true)]
    trust: Vec<String>,
    /// The platform's report private key (from `keygen --report`): open a sealed report first.
    #[arg(long)]
    platform_key: Option<PathBuf>,
}

pub fn verify_report(args: ReportVerifyArgs) -> Result<ExitCode, String> {
    let mut bytes = std::fs::read(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?;
    if let Some(path) = &args.platform_key {
        let private = zeroize::Zeroizing::new(std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?);
        let private: [u8; 32] = private.as_slice().try_into().map_err(|_| format!("{}: not a 32-byte report key", path.display()))?;
        let pair = imageguard::report::ReportKeyPair::from_private(&private).map_err(|e| e.to_string())?;
        match imageguard::report::open_report(&bytes, &pair) {
            Ok(inner) => {
                println!("opened sealed report ({} bytes)", bytes.len());
                bytes = inner;
            }
            Err(e) => {
                println!("INVALID: the sealed report could not be opened: {e}");
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    let trusted = args.trust.iter().map(|k| keys::read_verifying_key(k)).collect::<Result<Vec<_>, _>>()?;
    match imageguard::report::verify_report(&bytes, &trusted) {
        Ok(report) => {
            println!("VALID report {}", imageguard::hex::encode(&report.report_id));
            println!("  created: minute {} since 1970 UTC", report.created_minutes);
            println!("  bundle {} v{}, lists {}", report.bundle_id, report.bundle_sequence, report.list_id);
            println!("  entry: {}", crate::report_entry(&report.entry));
            if let Some(video) = &report.video {
                println!("  video: {} distinct frames hit", video.frame_hits);
                for entry in &video.more_frames {
                    println!("  also: {}", crate::report_entry(entry));
                }
            }
            println!("  device key {}", report.device_key_id);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("INVALID: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
