//! `imageguard`: the platform-side command line. Hashing images, building and signing filter bundles,
//! scanning, verifying reports, and a self-contained demo of the whole flow.

mod bundle;
mod compare;
mod confirm;
mod demo;
mod demo_video;
mod exact_lists;
mod files;
mod hash;
mod keys;
mod list;
mod scan;
mod video;

use clap::{Parser, Subcommand};
use imageguard::report::MatchedEntry;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "imageguard", version, about = "Detect known images by hash, on device, privately.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Hash images (files or directories, recursively): PDQ, quality and exact hashes.
    Hash(hash::HashArgs),
    /// Distance between two images or PDQ hashes (64 hex characters).
    Compare(compare::CompareArgs),
    /// Generate an Ed25519 key pair (list providers, devices).
    Keygen(keys::KeygenArgs),
    /// Build bundles from hash lists; tune perceptual parameters.
    #[command(subcommand)]
    List(list::ListCommand),
    /// Sign, verify, inspect bundles and make deltas.
    #[command(subcommand)]
    Bundle(bundle::BundleCommand),
    /// Scan images against a bundle, as the SDK does on a device.
    Scan(scan::ScanArgs),
    /// Platform side: answer a device's confirmation request from the platform's lists.
    Confirm(confirm::ConfirmArgs),
    /// Verify reports.
    #[command(subcommand)]
    Report(ReportCommand),
    /// A video's vPDQ hash (PDQ of one frame per second, through ffmpeg), as the references write it.
    Vpdq(video::VpdqArgs),
    /// Run the whole flow on generated images, in a temporary directory, with no network.
    Demo(demo::DemoArgs),
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Check a report's signature against trusted device keys and print it.
    Verify(scan::ReportVerifyArgs),
}

/// A report's matched entry, for people.
pub fn report_entry(entry: &MatchedEntry) -> String {
    match entry {
        MatchedEntry::Exact { kind, hash } => format!("exact {kind} {}", imageguard::hex::encode(hash)),
        MatchedEntry::Perceptual { hash, variant, strength } => {
            format!("perceptual {strength:?} via {} {}", variant.name(), hash.to_hex()).to_lowercase()
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Hash(args) => hash::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Keygen(args) => keys::keygen(args),
        Command::List(command) => list::run(command),
        Command::Bundle(command) => bundle::run(command),
        Command::Scan(args) => scan::run(args),
        Command::Confirm(args) => confirm::run(args),
        Command::Report(ReportCommand::Verify(args)) => scan::verify_report(args),
        Command::Vpdq(args) => video::run(args),
        Command::Demo(args) => demo::run(args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("imageguard: {message}");
            ExitCode::FAILURE
        }
    }
}
