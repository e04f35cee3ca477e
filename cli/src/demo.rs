//! `imageguard demo`: the whole flow on generated data, in seconds, with no network and nothing written
//! outside a temporary directory.
//!
//! 1. A platform builds a bundle from "known" images (generated photo-like pictures, never real material)
//!    and signs it with a demo key.
//! 2. A folder mixes edited copies of those images (re-encoded, resized, flipped, rotated, watermarked,
//!    hand-cropped, inside a chat screenshot) with unrelated images.
//! 3. A device scans the folder. A filter hit is only a candidate: the device sends the platform a
//!    confirmation request (bucket ids and a nonce, nothing about the image), checks the answer's Merkle
//!    proofs against the bundle's signed commitment and decides itself. Only confirmed matches show the
//!    prompt the app would display and produce a signed report, which the platform then verifies.
//! 4. With ffmpeg installed, videos too (`demo_video`): a known video's distinct frames are listed with
//!    the images; an edited copy is scanned frame by frame and confirmed as one match, an unrelated one
//!    is not.

use crate::scan::describe;
use clap::Args;
use imageguard::bundle::{sign_bundle, BundleHeader, TrustConfig};
use imageguard::exact::{exact_hashes, ExactHashRequest, HashKind};
use imageguard::hashing::{self, HashOptions};
use imageguard::lists::BundleSpec;
use imageguard::report::{verify_report, DeviceKey};
use imageguard::scanner::{ScanOutcome, Scanner, ScannerConfig};
use imageguard::signing::{SigningKey, VerifyingKey};
use imageguard_test_support::synthetic::{self, RgbImage};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct DemoArgs {
    /// Locale of the prompt texts shown (e.g. en-GB, fr-CA, ar-MA, pl-PL); its region picks the help links.
    #[arg(long, default_value = "en-GB")]
    locale: String,
}

fn jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(&image.pixels, image.width as u16, image.height as u16, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| e.to_string())?;
    Ok(out)
}


pub fn run(args: DemoArgs) -> Result<ExitCode, String> {
    let started = Instant::now();
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    println!("imageguard demo (working in {}, removed at the end; no network)\n", dir.path().display());

    // 1. The platform: known images, a bundle, a signature.
    let known: Vec<RgbImage> = (1..=8u64).map(|seed| synthetic::photo(seed, 1200, 900)).collect();
    println!("1. Platform: building a bundle from {} generated \"known\" images (photo-like, synthetic).", known.len());
    let known_files = known.iter().map(|image| jpeg(image, 92)).collect::<Result<Vec<_>, _>>()?;
    let created = imageguard::clock::unix_seconds();
    let salt = imageguard::entry_key::random_salt().map_err(|e| e.to_string())?;
    let mut spec = BundleSpec::new(BundleHeader {
        bundle_id: "demo".into(),
        list_ids: vec!["demo-known-images".into()],
        sequence: 1,
        created,
        expires: created + 7 * 86400,
        salt,
    });
    spec.exact.push((HashKind::Blake3, known_files.iter().map(|f| exact_hashes(f, ExactHashRequest::BLAKE3_ONLY).blake3.to_vec()).collect()));
    for file in &known_files {
        spec.pdq.push(hashing::hash_bytes(file, &HashOptions::default()).map_err(|e| e.to_string())?.pdq.hash());
    }
    let videos = crate::demo_video::prepare(dir.path())?;
    if let Some((_, listed)) = &videos {
        spec.pdq.extend(listed);
    }
    let provider = SigningKey::generate().map_err(|e| e.to_string())?;
    let (unsigned, platform_lists) = spec.build_with_lists().map_err(|e| e.to_string())?;
    let bundle = sign_bundle(&unsigned, &provider).map_err(|e| e.to_string())?;
    println!("   signed with a DEMO KEY generated for this run only (key id {}): {} bytes.", provider.key_id(), bundle.len());
    let commitment = platform_lists.commitment();
    println!(
        "   The bundle commits to the full list (Merkle root over 2^{} buckets, {} keys); the platform keeps\n   \
         the lists ({} bytes) to answer confirmation requests. They never go to devices.\n",
        commitment.bucket_bits,
        commitment.keys,
        platform_lists.to_bytes().len()
    );

    // 2. The device's folder.
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).map_err(|e| e.to_string())?;
    let items: Vec<(String, Vec<u8>)> = vec![
        ("01-known-1-exact-copy.jpg".into(), known_files[0].clone()),
        ("02-known-2-reencoded-q60.jpg".into(), jpeg(&known[1], 60)?),
        ("03-known-3-resized-50pc.jpg".into(), jpeg(&known[2].shrink(2), 85)?),
        ("04-known-4-flipped.jpg".into(), jpeg(&known[3].flip_horizontal(), 90)?),
        ("05-known-5-rotated-90.jpg".into(), jpeg(&known[4].rotate_90(), 90)?),
        ("06-known-6-watermarked.jpg".into(), jpeg(&known[5].watermark(), 90)?),
        ("07-known-7-cropped-2pc.jpg".into(), jpeg(&known[6].cropped(20), 90)?),
        ("08-known-8-chat-screenshot.jpg".into(), jpeg(&known[7].in_messenger_screenshot(false), 90)?),
        ("09-unrelated-a.jpg".into(), jpeg(&synthetic::photo(101, 1200, 900), 90)?),
        ("10-unrelated-b.jpg".into(), jpeg(&synthetic::photo(102, 1024, 768), 90)?),
        ("11-unrelated-c-resized.jpg".into(), jpeg(&synthetic::photo(103, 800, 600), 75)?),
        ("12-unrelated-d.jpg".into(), jpeg(&synthetic::photo(104, 1200, 900).brighten(20), 90)?),
    ];
    let copies = items.iter().filter(|(name, _)| name.contains("known")).count();
    let unrelated = items.len() - copies;
    for (name, bytes) in &items {
        std::fs::write(inbox.join(name), bytes).map_err(|e| e.to_string())?;
    }
    println!("2. Device: a folder of {} images: {copies} edited copies of known images, {unrelated} unrelated.\n", items.len());

    // 3. The device scans.
    let device = DeviceKey::generate().map_err(|e| e.to_string())?;
    let device_public = VerifyingKey::from_bytes(&device.public_key()).map_err(|e| e.to_string())?;
    let trust = TrustConfig::new(vec![provider.verifying_key()], 1).map_err(|e| e.to_string())?;
    let bundle_id = imageguard::bundle::ParsedBundle::parse(&bundle).map_err(|e| e.to_string())?.header.bundle_id;
    let mut config = ScannerConfig::new(trust, vec![bundle_id], args.locale.clone());
    config.report_context = b"app=imageguard-demo".to_vec();
    let scanner = Scanner::new(bundle, config, &[], &[], Some(device)).map_err(|e| e.to_string())?;
    let info = scanner.bundle_info();
    println!("3. Scanning with bundle {} v{} (root {}...):\n", info.bundle_id, info.sequence, &info.root_hex[..16]);
    let (mut matched, mut verified, mut false_positives, mut missed) = (0, 0, 0, 0);
    let mut shown_prompt = false;
    for (name, _) in &items {
        let known_item = name.contains("known");
        let mut outcome = scanner.scan_file(&inbox.join(name)).map_err(|e| format!("{name}: {e}"))?;
        if let ScanOutcome::NeedsConfirmation(pending) = &outcome {
            // In an app this is a network round trip; here the platform answers in-process.
            let request = pending.request_bytes();
            let response = platform_lists.answer_bytes(request).map_err(|e| format!("{name}: platform: {e}"))?;
            println!("   {name:<32} filter hit: a candidate. Request {} bytes (bucket ids + nonce) -> answer {} bytes", request.len(), response.len());
            outcome = scanner.confirm(pending, &response).map_err(|e| format!("{name}: {e}"))?;
            if outcome == ScanOutcome::NoMatch {
                println!("   {:<32} not confirmed: no listed entry matches; nothing shown, nothing kept", "");
                missed += usize::from(known_item);
                continue;
            }
        }
        match outcome {
            ScanOutcome::NeedsConfirmation(_) => return Err(format!("{name}: confirmed twice")),
            ScanOutcome::NoMatch => {
                println!("   {name:<32} no match");
                missed += usize::from(known_item);
            }
            ScanOutcome::Match(m) => {
                matched += 1;
                false_positives += usize::from(!known_item);
                println!("   {:<32} CONFIRMED MATCH: {} -> {:?}", "", describe(&m.kind), m.action);
                if let (Some(prompt), false) = (&m.prompt, shown_prompt) {
                    shown_prompt = true;
                    let t = &prompt.texts;
                    println!("      ┌ prompt ({}, {:?}) ─ {}", t.tag, t.direction, t.title);
                    println!("      │ {}", t.body);
                    println!("      │ [{}]  [{}]", t.dont_send_button, t.get_help_button);
                    for link in &prompt.help_links {
                        let phone = link.phone.as_deref().map(|p| format!(", {p}")).unwrap_or_default();
                        println!("      │ {:?}: {} <{}>{phone}", link.kind, link.label, link.url);
                    }
                    println!("      └ (shown once here; the app renders it on every prompting match)");
                }
                if let Some(report) = &m.report {
                    let report = verify_report(report, &[device_public]).map_err(|e| format!("report: {e}"))?;
                    verified += 1;
                    println!("      report: {} bytes, verified by the platform: bundle {} v{}, {}", m.report.as_ref().map_or(0, Vec::len),
                        report.bundle_id, report.bundle_sequence, crate::report_entry(&report.entry));
                }
            }
        }
    }
    println!(
        "\n4. Summary: scanned {} | matched {matched} of {copies} known | false positives {false_positives} of {unrelated} unrelated | \
         missed {missed} | reports verified {verified} | {:.2} s",
        items.len(),
        started.elapsed().as_secs_f64()
    );
    println!("   Nothing about the unrelated images was kept, logged or returned: a non-match carries nothing.");
    let videos_right = match &videos {
        Some((videos, _)) => crate::demo_video::scan(&scanner, &platform_lists, videos)?,
        None => true,
    };
    Ok(if false_positives == 0 && videos_right { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
