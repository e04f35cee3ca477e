//! `imageguard confirm`: the platform's side of a confirmation, served from its lists file.
//!
//! Reads a device's request, checks its device stamp (when present), answers with the requested buckets'
//! full entry lists and Merkle paths, and writes the response. The per-device budget (how many requests a
//! device key may make per day) is the serving platform's to enforce; this command prints the key id so
//! that a wrapper can count.

use clap::Args;
use imageguard::confirm::{ConfirmationRequest, PlatformLists};
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
}

pub fn read_platform_lists(path: &Path) -> Result<PlatformLists, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    PlatformLists::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn run(args: ConfirmArgs) -> Result<ExitCode, String> {
    let lists = read_platform_lists(&args.lists)?;
    let bytes = std::fs::read(&args.request).map_err(|e| format!("{}: {e}", args.request.display()))?;
    let request = ConfirmationRequest::from_bytes(&bytes).map_err(|e| format!("{}: {e}", args.request.display()))?;
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
