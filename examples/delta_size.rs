//! What a list update costs to ship: the delta from one bundle version to the next when the platform
//! continues the previous version (`list build --continues`: same salt and filter geometry), against the
//! full bundle, and what applying it costs on the device. Figures in BENCHMARKS.md (Deltas).
//!
//! Usage: delta_size [IMAGES]   (default 1,000,000 listed images, each a BLAKE3 file hash and a PDQ hash)

use imageguard::bundle::{apply_delta, make_delta, sign_bundle, verify_bundle, BundleHeader, ParsedBundle, TrustConfig, TrustState};
use imageguard::exact::HashKind;
use imageguard::lists::{BundleSpec, Continuation};
use imageguard::pdq::PdqHash;
use imageguard::signing::SigningKey;
use std::time::Instant;

const NOW: u64 = 1_800_000_000;

fn spec(sequence: u64, images: std::ops::Range<u64>, continues: Option<Continuation>) -> BundleSpec {
    let header = BundleHeader {
        bundle_id: "delta-bench".into(),
        list_ids: vec!["synthetic".into()],
        sequence,
        created: NOW,
        expires: NOW + 86_400,
        salt: [3; 32],
    };
    let mut spec = BundleSpec::new(header);
    let files: Vec<[u8; 32]> = images.map(|i| *blake3::hash(&i.to_le_bytes()).as_bytes()).collect();
    spec.exact = vec![(HashKind::Blake3, files.iter().map(|h| h.to_vec()).collect())];
    spec.pdq = files.iter().map(|h| PdqHash(*blake3::hash(h).as_bytes())).collect();
    spec.continues = continues;
    spec
}

fn main() {
    let images: u64 = std::env::args().nth(1).map_or(1_000_000, |n| n.parse().expect("IMAGES"));
    let key = SigningKey::generate().expect("key");
    let trust = TrustConfig::new(vec![key.verifying_key()], 1).expect("trust");
    let sign = |spec: BundleSpec| sign_bundle(&spec.build().expect("build"), &key).expect("sign");
    let old = sign(spec(1, 0..images, None));
    let one_percent = images / 100;
    println!("{images} listed images (BLAKE3 + PDQ each); full bundle {:.1} MB", old.len() as f64 / 1e6);
    println!("| update | delta bytes | % of the full bundle | exact-filter patch | perceptual patch | apply ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    let cases = [("+1% images", 0..images + one_percent), ("+1% and -1% images", one_percent..images + one_percent)];
    for (name, range) in cases {
        let continuation = Continuation::of(&old).expect("continuation");
        let new = sign(spec(2, range, Some(continuation)));
        let delta = make_delta(&old, &new).expect("delta");
        // Each section's share: the delta between bundles that differ in that section only.
        let parsed_new = ParsedBundle::parse(&new).expect("parse");
        let section_patch = |kind| {
            let parsed_old = ParsedBundle::parse(&old).expect("parse");
            let (Some(a), Some(b)) = (parsed_old.section(kind), parsed_new.section(kind)) else { return 0 };
            imageguard::bundle::section_patch_len(kind, a, b)
        };
        let mut state = TrustState::new();
        let base = verify_bundle(old.clone(), &trust, &state, NOW).expect("base");
        base.accept(&mut state).expect("accept");
        let start = Instant::now();
        let next = apply_delta(&base, &delta, &trust, &state, NOW).expect("apply");
        let apply_ms = start.elapsed().as_secs_f64() * 1e3;
        assert_eq!(&next.bytes()[..], &new[..]);
        println!(
            "| {name} | {} | {:.2}% | {} | {} | {apply_ms:.0} |",
            delta.len(),
            100.0 * delta.len() as f64 / new.len() as f64,
            section_patch(imageguard::bundle::SectionKind::ExactFilter),
            section_patch(imageguard::bundle::SectionKind::PerceptualFilter),
        );
    }
}
