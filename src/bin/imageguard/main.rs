//! `imageguard`: the platform-side command line. Hashing images, building and signing filter bundles,
//! verifying reports, and a self-contained demo of the whole flow.

mod compare;
mod demo;
mod files;
mod hash;

use clap::{Parser, Subcommand};
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
    /// Run the whole flow on generated images, in a temporary directory, with no network.
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Hash(args) => hash::run(args),
        Command::Compare(args) => compare::run(args),
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
