//! `imageguard list build` and `imageguard list tune`: turning hash lists into a bundle.

use crate::exact_lists::ExactLists;
use crate::files;
use clap::{Args, Subcommand};
use imageguard::bundle::BundleHeader;
use imageguard::exact::HashKind;
use imageguard::filter::tune;
use imageguard::filter::PerceptualParams;
use imageguard::hashing::{self, HashOptions};
use imageguard::lists::{self, BundleSpec, Continuation};
use imageguard::pdq::{PdqHash, DEFAULT_MIN_QUALITY};
use imageguard::policy::{Action, Policy, VideoRule};
use rayon::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ListCommand {
    /// Build an unsigned bundle from hash lists and/or a folder of images.
    Build(Box<BuildArgs>),
    /// Predict size and false positives of perceptual parameters, and recommend some.
    Tune(TuneArgs),
}

#[derive(Args)]
pub struct BuildArgs {
    #[command(flatten)]
    exact_lists: ExactLists,
    /// PDQ hashes (64 hex characters each): matched exactly and perceptually.
    #[arg(long)]
    pdq: Option<PathBuf>,
    /// Images to add (BLAKE3 of the file, and PDQ when its quality is at least 50).
    #[arg(long)]
    images: Option<PathBuf>,
    /// vPDQ hash files of known videos (the C++ tool's lines or pytx's JSON list): their distinct frames
    /// (quality >= 50, near-identical consecutive frames dropped) join the PDQ list.
    #[arg(long, num_args = 1..)]
    vpdq: Vec<PathBuf>,
    /// Videos to hash (one frame per second, through ffmpeg), files or directories: their distinct
    /// frames join the PDQ list.
    #[arg(long)]
    videos: Option<PathBuf>,
    /// Policy: a video matches when at least this many distinct frames hit (1 to 16).
    #[arg(long, default_value_t = Policy::default().video.min_frames)]
    video_min_frames: u16,
    /// Policy: and at least this percentage of the video's distinct frames (0: none; pytx uses 80).
    #[arg(long, default_value_t = Policy::default().video.min_fraction_percent)]
    video_min_fraction: u8,
    /// Read lists as CSV, taking this column (by header name).
    #[arg(long)]
    column: Option<String>,
    /// Skip and count invalid lines instead of failing.
    #[arg(long)]
    skip_invalid: bool,
    /// False-positive rate per exact lookup (an image makes up to 12 exact lookups).
    #[arg(long, default_value_t = imageguard::filter::exact::DEFAULT_FP_RATE)]
    fp: f64,
    #[arg(long)]
    bundle_id: String,
    /// List ids merged into the bundle (repeatable).
    #[arg(long = "list-id", required = true)]
    list_ids: Vec<String>,
    #[arg(long)]
    sequence: u64,
    /// Days until devices refuse the bundle.
    #[arg(long, default_value_t = 30)]
    expires_days: u64,
    /// Perceptual filter: bands, bits per band, probes per band, bytes per entry.
    #[arg(long, default_value_t = PerceptualParams::default().bands)]
    bands: u8,
    #[arg(long, default_value_t = PerceptualParams::default().bits_per_band)]
    bits_per_band: u8,
    #[arg(long, default_value_t = PerceptualParams::default().probes_per_band)]
    probes: u16,
    #[arg(long, default_value_t = PerceptualParams::default().bytes_per_entry)]
    bytes_per_entry: f64,
    /// Policy: what an exact match asks of the app.
    #[arg(long, value_enum, default_value_t = ActionArg::from(Policy::default().exact))]
    exact_action: ActionArg,
    /// Policy: what a strong perceptual match (two or more bands, or a near match) asks of the app.
    #[arg(long, value_enum, default_value_t = ActionArg::from(Policy::default().perceptual_strong))]
    strong_action: ActionArg,
    /// Policy: what a weak perceptual match (one band: mostly collisions on large lists) asks of the app.
    #[arg(long, value_enum, default_value_t = ActionArg::from(Policy::default().perceptual_weak))]
    weak_action: ActionArg,
    /// Policy: report once this many matches happened within the window.
    #[arg(long, default_value_t = Policy::default().report_threshold)]
    report_threshold: u16,
    /// Policy: the window for the threshold and the cap, in days.
    #[arg(long, default_value_t = Policy::default().window_secs / 86400)]
    window_days: u32,
    /// Policy: at most this many prompts or reports per list entry per window.
    #[arg(long, default_value_t = Policy::default().per_entry_cap)]
    per_entry_cap: u16,
    /// Policy: act on hits WITHOUT confirming them against the platform's lists (not recommended: a
    /// filter hit can be crafted). By default every class is confirmed first.
    #[arg(long)]
    no_confirmation: bool,
    /// Policy: let apps show the prompt while a confirmation is pending (never a report).
    #[arg(long)]
    provisional_prompt: bool,
    /// The platform's report public key (hex, or a `.pub` file from `keygen --report`): devices seal
    /// reports to it (HPKE) and pad them to one size.
    #[arg(long)]
    report_key: Option<String>,
    #[arg(long)]
    out: PathBuf,
    /// Where to write the platform's lists file that answers confirmation requests (kept by the
    /// platform, never shipped). Default: the bundle's path with `.lists` appended.
    #[arg(long)]
    platform_lists: Option<PathBuf>,
    /// Build the next version of this bundle: keep its salt and filter geometry (the exact filter's
    /// range, the perceptual filter's parameters and size; the options for those are then ignored), so
    /// that `bundle delta` carries only the entries added and removed. Falls back to a full rebuild with a
    /// new salt when the list grew more than 1.25x.
    #[arg(long)]
    continues: Option<PathBuf>,
}

/// A policy action on the command line.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ActionArg {
    None,
    Prompt,
    Report,
    PromptAndReport,
}

impl From<Action> for ActionArg {
    fn from(action: Action) -> Self {
        match action {
            Action::None => ActionArg::None,
            Action::Prompt => ActionArg::Prompt,
            Action::Report => ActionArg::Report,
            Action::PromptAndReport => ActionArg::PromptAndReport,
        }
    }
}

impl From<ActionArg> for Action {
    fn from(action: ActionArg) -> Self {
        match action {
            ActionArg::None => Action::None,
            ActionArg::Prompt => Action::Prompt,
            ActionArg::Report => Action::Report,
            ActionArg::PromptAndReport => Action::PromptAndReport,
        }
    }
}

#[derive(Args)]
pub struct TuneArgs {
    #[arg(long)]
    entries: u64,
    /// Perceptual filter bytes per entry.
    #[arg(long, default_value_t = 24.0)]
    max_bytes: f64,
    /// Strong false positives per unrelated image.
    #[arg(long, default_value_t = 1e-6)]
    max_fp: f64,
}

pub fn run(command: ListCommand) -> Result<ExitCode, String> {
    match command {
        ListCommand::Build(args) => build(*args),
        ListCommand::Tune(args) => {
            tune_table(args);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn read_list(path: &PathBuf, kind: HashKind, args: &BuildArgs) -> Result<Vec<Vec<u8>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let list = lists::parse_list(&text, kind, args.column.as_deref(), args.skip_invalid)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if list.skipped > 0 {
        eprintln!("{}: skipped {} invalid line(s)", path.display(), list.skipped);
    }
    Ok(list.hashes)
}


fn build(args: BuildArgs) -> Result<ExitCode, String> {
    let continuation = match &args.continues {
        Some(path) => {
            let previous = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            Some(Continuation::of(&previous).map_err(|e| format!("{}: {e}", path.display()))?)
        }
        None => None,
    };
    let salt = match &continuation {
        Some(previous) => previous.salt(),
        None => imageguard::entry_key::random_salt().map_err(|e| e.to_string())?,
    };
    let created = imageguard::clock::unix_seconds();
    let header = BundleHeader {
        bundle_id: args.bundle_id.clone(),
        list_ids: args.list_ids.clone(),
        sequence: args.sequence,
        created,
        expires: created + args.expires_days * 86400,
        salt,
    };
    let mut spec = BundleSpec::new(header);
    spec.exact_fp_rate = args.fp;
    spec.perceptual = PerceptualParams {
        bands: args.bands,
        bits_per_band: args.bits_per_band,
        probes_per_band: args.probes,
        bytes_per_entry: args.bytes_per_entry,
        ..PerceptualParams::default()
    };
    if args.report_threshold == 0 || args.window_days == 0 || args.per_entry_cap == 0 {
        return Err("--report-threshold, --window-days and --per-entry-cap must be at least 1".into());
    }
    spec.policy = Policy {
        exact: args.exact_action.into(),
        perceptual_strong: args.strong_action.into(),
        perceptual_weak: args.weak_action.into(),
        report_threshold: args.report_threshold,
        window_secs: args.window_days.checked_mul(86400).ok_or("--window-days is too large")?,
        per_entry_cap: args.per_entry_cap,
        confirm_exact: !args.no_confirmation,
        confirm_perceptual_strong: !args.no_confirmation,
        confirm_perceptual_weak: !args.no_confirmation,
        provisional_prompt: args.provisional_prompt,
        video: VideoRule { min_frames: args.video_min_frames, min_fraction_percent: args.video_min_fraction },
        ..Policy::default()
    };
    for (kind, path) in &args.exact_lists.0 {
        spec.exact.push((*kind, read_list(path, *kind, &args)?));
    }
    if let Some(path) = &args.pdq {
        spec.pdq = read_list(path, HashKind::PdqExact, &args)?
            .into_iter()
            .filter_map(|bytes| bytes.try_into().ok().map(PdqHash))
            .collect();
    }
    if let Some(dir) = &args.images {
        let (paths, _) = files::collect(std::slice::from_ref(dir));
        let progress = files::progress(paths.len(), "hashing images");
        let results: Vec<_> = paths
            .par_iter()
            .map(|path| {
                let result = hashing::hash_file(path, &HashOptions::default());
                progress.inc(1);
                (path, result)
            })
            .collect();
        progress.finish_and_clear();
        let mut blake3 = Vec::new();
        for (path, result) in results {
            match result {
                Ok(hashes) => {
                    blake3.push(hashes.exact.blake3.to_vec());
                    if hashes.pdq.quality() >= DEFAULT_MIN_QUALITY {
                        spec.pdq.push(hashes.pdq.hash());
                    }
                }
                Err(e) => eprintln!("{}: {e} (skipped)", path.display()),
            }
        }
        spec.exact.push((HashKind::Blake3, blake3));
    }
    let video_frames = crate::video::listed_frames(&args.vpdq, args.videos.as_deref())?;
    spec.pdq.extend(video_frames);
    spec.report_key = args.report_key.as_deref().map(crate::keys::read_hex32).transpose()?;
    if let Some(previous) = continuation {
        let exact_entries = spec.exact.iter().map(|(_, h)| h.len()).sum::<usize>() + spec.pdq.len();
        if previous.fits(exact_entries as u64, spec.pdq.len() as u64) {
            println!("continuing the previous version's filters (same salt and geometry): `bundle delta` will be small");
            spec.continues = Some(previous);
        } else {
            println!(
                "the list grew more than {}x since the previous version (or gained its first PDQ hashes): rebuilt in full with a new salt, ship it whole",
                Continuation::MAX_GROWTH
            );
            spec.header.salt = imageguard::entry_key::random_salt().map_err(|e| e.to_string())?;
        }
    }
    let (bytes, lists) = spec.build_with_lists().map_err(|e| e.to_string())?;
    std::fs::write(&args.out, &bytes).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let lists_path = args.platform_lists.clone().unwrap_or_else(|| {
        let mut name = args.out.clone().into_os_string();
        name.push(".lists");
        PathBuf::from(name)
    });
    std::fs::write(&lists_path, lists.to_bytes()).map_err(|e| format!("{}: {e}", lists_path.display()))?;
    println!("wrote {} (the platform's lists for `imageguard confirm`: keep them, never ship them)", lists_path.display());
    let exact: usize = spec.exact.iter().map(|(_, h)| h.len()).sum();
    println!(
        "wrote {} ({} bytes, unsigned): {} exact hashes, {} PDQ hashes. Sign it with `imageguard bundle sign`.",
        args.out.display(),
        bytes.len(),
        exact,
        spec.pdq.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn tune_table(args: TuneArgs) {
    println!("Perceptual filter for {} entries at {} bytes/entry, strong false positives <= {:e} per image.", args.entries, args.max_bytes, args.max_fp);
    println!("Model: filter false positives from the blocked Bloom filter's load; band collisions between");
    println!("unrelated hashes at 2^-k per band (real photos collide more: check with scripts/eval-detection).\n");
    println!("| bands | bits/band | probes/band | probes/image | total MB | fp/probe | weak fp/image | strong fp/image |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    let recommendations = tune::recommend(args.entries, args.max_bytes, args.max_fp);
    for p in recommendations.iter().take(12) {
        println!(
            "| {} | {} | {} | {} | {:.1} | {:.1e} | {:.1e} | {:.1e} |",
            p.params.bands,
            p.params.bits_per_band,
            p.params.probes_per_band,
            p.probes_per_image,
            p.total_bytes / 1e6,
            p.fp_per_probe,
            p.weak_fp_per_image,
            p.strong_fp_per_image
        );
    }
    match recommendations.first() {
        Some(best) => println!(
            "\nRecommended: --bands {} --bits-per-band {} --probes {} --bytes-per-entry {}",
            best.params.bands, best.params.bits_per_band, best.params.probes_per_band, args.max_bytes
        ),
        None => println!("\nNo parameters meet the target: allow more bytes per entry or more false positives."),
    }
}
