//! `imageguard compare`: how far apart two images (or hashes) are, as PDQ sees it.

use clap::Args;
use imageguard::hashing::{self, HashOptions};
use imageguard::pdq::{Dihedral, PdqFeatures, PdqHash};
use std::path::Path;
use std::process::ExitCode;

/// The reference's match threshold.
const MATCH_DISTANCE: u32 = 31;

#[derive(Args)]
pub struct CompareArgs {
    /// An image file or a PDQ hash (64 hex characters).
    a: String,
    /// An image file or a PDQ hash (64 hex characters).
    b: String,
}

enum Side {
    Hash(PdqHash),
    Image(Box<PdqFeatures>),
}

impl Side {
    fn parse(arg: &str) -> Result<Side, String> {
        if !Path::new(arg).exists() && arg.len() == 64 {
            return PdqHash::from_hex(arg).map(Side::Hash).map_err(|e| format!("{arg}: {e}"));
        }
        let hashes = hashing::hash_file(Path::new(arg), &HashOptions::default()).map_err(|e| format!("{arg}: {e}"))?;
        Ok(Side::Image(Box::new(hashes.pdq)))
    }

    fn hash(&self) -> PdqHash {
        match self {
            Side::Hash(hash) => *hash,
            Side::Image(features) => features.hash(),
        }
    }
}

pub fn run(args: CompareArgs) -> Result<ExitCode, String> {
    let (a, b) = (Side::parse(&args.a)?, Side::parse(&args.b)?);
    let direct = a.hash().distance(&b.hash());
    println!("distance: {direct}");
    // The rotations and flips of an image are known from its features; a bare hash has only itself.
    let best = match (&a, &b) {
        (Side::Image(features), other) | (other, Side::Image(features)) => {
            let target = other.hash();
            Dihedral::ALL
                .into_iter()
                .map(|variant| (features.hash_for(variant).distance(&target), variant))
                .min_by_key(|(distance, _)| *distance)
        }
        _ => None,
    };
    let mut verdict = direct;
    if let Some((distance, variant)) = best {
        println!("min over rotations/flips: {distance} ({})", variant.name());
        verdict = verdict.min(distance);
    }
    for (name, side) in [("a", &a), ("b", &b)] {
        if let Side::Image(features) = side {
            println!("quality {name}: {}", features.quality());
        }
    }
    println!("{}", if verdict <= MATCH_DISTANCE { "match (<= 31 bits)" } else { "no match (> 31 bits)" });
    Ok(ExitCode::SUCCESS)
}
