//! `imageguard confirm`: the platform's side of a confirmation, served from its lists file.
//!
//! Reads a device's request, checks its device stamp, charges the requested buckets to the device key's
//! budget (a state file the platform keeps: `--budget`), answers with the requested buckets' full entry
//! lists and Merkle paths, and writes the response. Without a budget the endpoint could be asked for every
//! bucket in turn, i.e. the whole list: serving without one takes `--unlimited` (tests and tools only).

use clap::Args;
use imageguard::confirm::{BudgetRules, ConfirmationRequest, PlatformLists, RequestBudget};
use imageguard::signing::KeyId;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct ConfirmArgs {
    /// The platform's lists file written by `list build`.
    #[arg(long)]
    lists: PathBuf,
    /// The device's request bytes.
    #[arg(long)]
    request: PathBuf,
    /// Where to write the response bytes.
    #[arg(long)]
    out: PathBuf,
    /// The per-device budget state (created when absent, rewritten atomically): unstamped, replayed,
    /// clock-skewed and over-budget requests are refused.
    #[arg(long, required_unless_present = "unlimited")]
    budget: Option<PathBuf>,
    /// Buckets answered per device key per day.
    #[arg(long, default_value_t = BudgetRules::default().buckets_per_window)]
    buckets_per_day: u32,
    /// Serve without a per-device budget: anyone could then read the whole list bucket by bucket. For tests
    /// and tools only.
    #[arg(long, conflicts_with = "budget")]
    unlimited: bool,
}

pub fn read_platform_lists(path: &Path) -> Result<PlatformLists, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    PlatformLists::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn run(args: ConfirmArgs) -> Result<ExitCode, String> {
    let lists = read_platform_lists(&args.lists)?;
    let bytes = std::fs::read(&args.request).map_err(|e| format!("{}: {e}", args.request.display()))?;
    let request = ConfirmationRequest::from_bytes(&bytes).map_err(|e| format!("{}: {e}", args.request.display()))?;
    if let Some(path) = &args.budget {
        charge_budget(path, &request, args.buckets_per_day)?;
    }
    let response = lists.answer(&request).map_err(|e| e.to_string())?.to_bytes();
    std::fs::write(&args.out, &response).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let device = request.device.map_or("unstamped".to_string(), |stamp| format!("device key {}", KeyId::of(&stamp.public_key)));
    println!(
        "answered {} bucket(s) of bundle {} v{} ({device}): {} bytes -> {}",
        request.buckets.len(),
        request.bundle_id,
        request.bundle_sequence,
        response.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Charges `request` to its device key in the budget file, which is rewritten (temp file, fsync, rename)
/// only when the request is admitted.
fn charge_budget(path: &Path, request: &ConfirmationRequest, buckets_per_day: u32) -> Result<(), String> {
    let rules = BudgetRules::new(buckets_per_day, 24 * 60, BudgetRules::default().max_skew_minutes);
    let mut budget = match std::fs::read(path) {
        Ok(bytes) => RequestBudget::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))?.with_rules(rules),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => RequestBudget::new(rules),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let now_minutes = imageguard::clock::minutes(imageguard::clock::unix_seconds());
    budget.admit(request, now_minutes).map_err(|e| format!("refused: {e}"))?;
    let temp = path.with_extension("tmp");
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(&budget.to_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    };
    write().map_err(|e| format!("{}: {e}", path.display()))
}
