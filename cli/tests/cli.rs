//! The command line, end to end: keys, list build, signing, verification, scanning, reports, the demo.

use std::path::Path;
use std::process::{Command, Output};

fn imageguard(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_imageguard")).current_dir(dir).args(args).output().expect("run imageguard")
}

fn ok(output: &Output) -> String {
    assert!(output.status.success(), "failed: {}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn write_jpeg(path: &Path, image: &imageguard_test_support::synthetic::RgbImage) {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&image.pixels, image.width as u16, image.height as u16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    std::fs::write(path, out).unwrap();
}

#[test]
fn platform_flow_from_images_to_verified_reports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("known")).unwrap();
    std::fs::create_dir_all(d.join("inbox")).unwrap();
    for seed in 0..3u64 {
        let image = imageguard_test_support::synthetic::photo(seed, 640, 480);
        write_jpeg(&d.join(format!("known/{seed}.jpg")), &image);
        write_jpeg(&d.join(format!("inbox/edited-{seed}.jpg")), &image.flip_horizontal());
        write_jpeg(&d.join(format!("inbox/unrelated-{seed}.jpg")), &imageguard_test_support::synthetic::photo(seed + 50, 640, 480));
    }
    std::fs::write(d.join("inbox/not-an-image.txt"), "hello").unwrap();
    ok(&imageguard(d, &["keygen", "--out", "provider.key"]));
    ok(&imageguard(d, &["keygen", "--out", "device.key"]));
    let built = ok(&imageguard(d, &["list", "build", "--images", "known", "--bundle-id", "t", "--list-id", "l", "--sequence", "1", "--out", "b.bundle"]));
    assert!(built.contains("3 exact hashes, 3 PDQ hashes"), "{built}");
    // Unsigned: refused.
    let refused = imageguard(d, &["bundle", "verify", "b.bundle", "--trust", "provider.key.pub"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stdout).contains("0 valid signature(s)"));
    ok(&imageguard(d, &["bundle", "sign", "b.bundle", "--key", "provider.key"]));
    assert!(ok(&imageguard(d, &["bundle", "verify", "b.bundle", "--trust", "provider.key.pub"])).starts_with("OK: t v1"));
    let inspected = ok(&imageguard(d, &["bundle", "inspect", "b.bundle"]));
    assert!(inspected.contains("exact filter: 6 entries") && inspected.contains("perceptual filter: 3 entries"), "{inspected}");
    assert!(inspected.contains("lookups: one per listed file-hash kind") && inspected.contains("  strong: "), "{inspected}");
    assert!(inspected.contains("policy: exact PromptAndReport, strong PromptAndReport, weak None;"), "{inspected}");
    // Calibration looks files up as a device does: here the inbox holds 3 flipped known photos (strong
    // hits), 3 unrelated ones and a text file (its file hash only).
    let calibrated = ok(&imageguard(d, &["bundle", "inspect", "b.bundle", "--calibrate", "inbox"]));
    assert!(calibrated.contains("measured on 7 files of inbox (as a device looks them up; 1 not decoded"), "{calibrated}");
    assert!(calibrated.contains("  strong (exact or strong perceptual): 3 images = 4.3e-1 per image"), "{calibrated}");

    assert!(d.join("b.bundle.lists").exists(), "list build keeps the platform's lists for confirmation");
    // Every hit is confirmed (the default policy), here in-process from the platform's lists.
    let scan = imageguard(d, &["scan", "inbox", "--bundle", "b.bundle", "--trust", "provider.key.pub", "--device-key", "device.key", "--reports", "reports", "--json", "--platform-lists", "b.bundle.lists"]);
    assert!(!scan.status.success(), "the text file is an error, so the exit code says so");
    let stdout = String::from_utf8_lossy(&scan.stdout);
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["summary"]["scanned"], 7);
    assert_eq!(summary["summary"]["matched"], 3);
    assert_eq!(summary["summary"]["unconfirmed_candidates"], 0);
    assert_eq!(summary["summary"]["errors"], 1);
    assert!(stdout.lines().filter(|l| l.contains("\"match\"")).all(|l| l.contains("edited-")));
    let reports: Vec<_> = std::fs::read_dir(d.join("reports")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(reports.len(), 3);
    let report = reports[0].to_str().unwrap();
    assert!(ok(&imageguard(d, &["report", "verify", report, "--trust", "device.key.pub"])).starts_with("VALID"));
    let wrong = imageguard(d, &["report", "verify", report, "--trust", "provider.key.pub"]);
    assert!(!wrong.status.success());
}

#[test]
fn hash_reports_bad_files_and_keeps_going() {
    let dir = tempfile::tempdir().unwrap();
    write_jpeg(&dir.path().join("a.jpg"), &imageguard_test_support::synthetic::photo(1, 300, 200));
    std::fs::write(dir.path().join("b.jpg"), b"not really a jpeg").unwrap();
    let output = imageguard(dir.path(), &["hash", ".", "--legacy"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(line["width"], 300);
    assert_eq!(line["pdq"].as_str().unwrap().len(), 64);
    assert_eq!(line["md5"].as_str().unwrap().len(), 32);
    assert!(String::from_utf8_lossy(&output.stderr).contains("b.jpg: the image needs the platform's decoder"), "{}", String::from_utf8_lossy(&output.stderr));
    let compare = ok(&imageguard(dir.path(), &["compare", "a.jpg", line["pdq"].as_str().unwrap()]));
    assert!(compare.contains("distance: 0") && compare.contains("match"));
}

#[test]
fn demo_runs_and_finds_every_edited_copy_and_no_unrelated_image() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&imageguard(dir.path(), &["demo"]));
    assert!(out.contains("matched 8 of 8 known | false positives 0 of 4 unrelated"), "{out}");
    assert!(out.contains("reports verified 8"), "{out}");
    assert!(out.contains("Stop It Now UK & Ireland"));
    let arabic = ok(&imageguard(dir.path(), &["demo", "--locale", "ar-MA"]));
    assert!(arabic.contains("report.iwf.org.uk/ma") && arabic.contains("Rtl"));
}

#[test]
fn list_build_sets_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("pdq.txt"), format!("{}\n", "ab".repeat(32))).unwrap();
    let base = ["list", "build", "--pdq", "pdq.txt", "--bundle-id", "t", "--list-id", "l", "--sequence", "1", "--out", "b.bundle"];
    let strict = [&base[..], &["--weak-action", "prompt", "--strong-action", "report", "--report-threshold", "2", "--window-days", "7", "--per-entry-cap", "5"]].concat();
    ok(&imageguard(d, &strict));
    let inspected = ok(&imageguard(d, &["bundle", "inspect", "b.bundle"]));
    assert!(inspected.contains("policy: exact PromptAndReport, strong Report, weak Prompt; report after 2 match(es) in 7 days; at most 5 per entry"), "{inspected}");
    let refused = imageguard(d, &[&base[..], &["--per-entry-cap", "0"]].concat());
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("at least 1"));
}

#[test]
fn confirm_serves_each_device_key_its_budget_and_refuses_replays() {
    use imageguard::confirm::ConfirmationRequest;
    use imageguard::signing::SigningKey;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("known")).unwrap();
    write_jpeg(&d.join("known/0.jpg"), &imageguard_test_support::synthetic::photo(3, 320, 240));
    ok(&imageguard(d, &["list", "build", "--images", "known", "--bundle-id", "t", "--list-id", "l", "--sequence", "1", "--out", "b.bundle"]));
    let minute = imageguard::clock::minutes(imageguard::clock::unix_seconds());
    let device = SigningKey::generate().unwrap();
    let write_request = |name: &str, buckets: Vec<u32>, key: Option<&SigningKey>| {
        let request = ConfirmationRequest::new("t", 1, buckets).unwrap();
        std::fs::write(d.join(name), request.to_bytes(key.map(|k| (k, minute)))).unwrap();
    };
    // A one-image list has two buckets (0 and 1).
    write_request("q1", vec![0, 1], Some(&device));
    write_request("q2", vec![0, 1], Some(&device));
    write_request("unstamped", vec![0], None);
    let confirm = |request: &str, extra: &[&str]| {
        let mut args = vec!["confirm", "--lists", "b.bundle.lists", "--request", request, "--out", "answer"];
        args.extend_from_slice(extra);
        imageguard(d, &args)
    };
    let budget = ["--budget", "budget.state", "--buckets-per-day", "3"];
    // A budget (or an explicit --unlimited) is required.
    assert!(!confirm("q1", &[]).status.success());
    assert!(ok(&confirm("q1", &budget)).contains("answered 2 bucket(s)"));
    let state = std::fs::read(d.join("budget.state")).unwrap();
    for (request, why) in [("q1", "replayed"), ("q2", "used 2 of 3 buckets"), ("unstamped", "no device stamp")] {
        let refused = confirm(request, &budget);
        assert!(!refused.status.success(), "{request}");
        assert!(String::from_utf8_lossy(&refused.stderr).contains(why), "{request}: {}", String::from_utf8_lossy(&refused.stderr));
    }
    assert_eq!(std::fs::read(d.join("budget.state")).unwrap(), state, "a refused request charges nothing");
    // Tools may serve without a budget, explicitly.
    assert!(ok(&confirm("q2", &["--unlimited"])).contains("answered 2 bucket(s)"));
}

#[test]
fn list_build_reads_each_exact_flag_as_its_own_hash_kind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, hex_len) in [("md5", 32), ("sha1", 40), ("sha256", 64), ("blake3", 64)] {
        std::fs::write(d.join(format!("{name}.txt")), format!("{}\n", "ab".repeat(hex_len / 2))).unwrap();
    }
    let build = |flags: &[&str]| {
        let base = ["list", "build", "--bundle-id", "t", "--list-id", "l", "--sequence", "1", "--out", "b.bundle"];
        imageguard(d, &[&base[..], flags].concat())
    };
    let all = ["--md5", "md5.txt", "--sha1", "sha1.txt", "--sha256", "sha256.txt", "--blake3", "blake3.txt"];
    assert!(ok(&build(&all)).contains("4 exact hashes"));
    // A list given under another kind's flag has the wrong length for it and is refused.
    let wrong = build(&["--sha1", "md5.txt"]);
    assert!(!wrong.status.success() && String::from_utf8_lossy(&wrong.stderr).contains("expected 40 hex characters"));
}

#[test]
fn a_continued_list_build_ships_as_a_small_delta() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pdq = |range: std::ops::Range<u32>| -> String {
        let word = |i: u32, j: u64| imageguard::entry_key::mix64(u64::from(i) * 4 + j);
        range.map(|i| format!("{:016x}{:016x}{:016x}{:016x}\n", word(i, 0), word(i, 1), word(i, 2), word(i, 3))).collect()
    };
    std::fs::write(d.join("v1.txt"), pdq(0..3000)).unwrap();
    std::fs::write(d.join("v2.txt"), pdq(0..3030)).unwrap();
    std::fs::write(d.join("v3.txt"), pdq(0..5000)).unwrap();
    let build = |list: &str, sequence: &str, out: &str, continues: Option<&str>| {
        let mut args = vec!["list", "build", "--pdq", list, "--bundle-id", "t", "--list-id", "l", "--sequence", sequence, "--out", out];
        args.extend(continues.map(|previous| ["--continues", previous]).into_iter().flatten());
        ok(&imageguard(d, &args))
    };
    build("v1.txt", "1", "v1.bundle", None);
    assert!(build("v2.txt", "2", "v2.bundle", Some("v1.bundle")).contains("continuing the previous version's filters"));
    let delta = ok(&imageguard(d, &["bundle", "delta", "v1.bundle", "v2.bundle", "--out", "v2.delta"]));
    let percent: f64 = delta.split(", ").nth(1).and_then(|s| s.split('%').next()).unwrap().parse().unwrap();
    assert!(percent < 5.0, "{delta}");
    // Grown past 1.25x: rebuilt in full (new salt), so nothing of v1 can be reused.
    assert!(build("v3.txt", "3", "v3.bundle", Some("v2.bundle")).contains("rebuilt in full with a new salt"));
    let full = ok(&imageguard(d, &["bundle", "delta", "v2.bundle", "v3.bundle", "--out", "v3.delta"]));
    let percent: f64 = full.split(", ").nth(1).and_then(|s| s.split('%').next()).unwrap().parse().unwrap();
    assert!(percent > 90.0, "{full}");
}
