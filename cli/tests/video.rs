//! Videos end to end through ffmpeg (Debian's package; `scripts/test` installs it): a known video listed
//! with `list build --videos`, or from its vPDQ files in both formats, and `scan` of edited copies (lower
//! bitrate, resized, trimmed, another frame rate, watermarked, embedded in a longer unrelated video),
//! which all match once confirmed, and of unrelated videos, which do not. Videos are generated here, in a
//! temporary directory, from synthetic shots (`imageguard_test_support::video`).

use imageguard_test_support::video::{self, Edit};
use std::path::Path;
use std::process::{Command, Output};

const SECONDS: usize = 10;
const FPS: usize = 10;

fn imageguard(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_imageguard")).current_dir(dir).args(args).output().expect("run imageguard")
}

fn ok(output: &Output) -> String {
    assert!(output.status.success(), "failed: {}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn require_ffmpeg() {
    assert!(video::ffmpeg_available(), "the video tests need ffmpeg (Debian: apt-get install ffmpeg; scripts/test installs it)");
}

/// The known video, its edited copies and unrelated videos, under `d`.
fn make_videos(d: &Path) {
    for sub in ["known", "inbox"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
    }
    let known = d.join("known/known.mp4");
    video::encode(video::frames(11, SECONDS, FPS, 240, 180), FPS, 20, &known).unwrap();
    for edit in Edit::ALL {
        video::edit(&known, edit, SECONDS, &d.join(format!("inbox/edited-{edit:?}.mp4"))).unwrap();
    }
    let before = d.join("before.mp4");
    let after = d.join("after.mp4");
    video::encode(video::frames(12, 8, FPS, 240, 180), FPS, 23, &before).unwrap();
    video::encode(video::frames(13, 6, FPS, 240, 180), FPS, 23, &after).unwrap();
    video::embed(&before, &known, &after, &d.join("inbox/edited-Embedded.mp4")).unwrap();
    video::encode(video::frames(14, 12, FPS, 240, 180), FPS, 23, &d.join("inbox/unrelated-a.mp4")).unwrap();
    video::encode(video::frames(15, 20, FPS, 320, 240), FPS, 23, &d.join("inbox/unrelated-b.mp4")).unwrap();
}

/// Scans the inbox with `bundle`, confirming in-process; the matched paths' file names.
fn matched_names(d: &Path, bundle: &str) -> Vec<String> {
    let lists = format!("{bundle}.lists");
    let scan = ok(&imageguard(d, &["scan", "inbox", "--bundle", bundle, "--trust", "provider.key.pub", "--json", "--platform-lists", &lists]));
    let mut lines: Vec<serde_json::Value> = scan.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let summary = lines.pop().unwrap();
    assert_eq!(summary["summary"]["scanned"], 8, "{scan}");
    assert_eq!(summary["summary"]["unconfirmed_candidates"], 0, "{scan}");
    let mut names: Vec<String> = lines
        .iter()
        .map(|m| Path::new(m["path"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn expected_matches() -> Vec<String> {
    let mut names: Vec<String> = Edit::ALL.iter().map(|e| format!("edited-{e:?}.mp4")).collect();
    names.push("edited-Embedded.mp4".into());
    names.sort();
    names
}

fn build_and_sign(d: &Path, source: &[&str], out: &str) -> String {
    let mut args = vec!["list", "build", "--bundle-id", "v", "--list-id", "videos", "--sequence", "1", "--out", out];
    args.extend_from_slice(source);
    args.extend_from_slice(&["--exact-action", "prompt", "--strong-action", "prompt"]);
    let built = ok(&imageguard(d, &args));
    ok(&imageguard(d, &["bundle", "sign", out, "--key", "provider.key"]));
    built
}

#[test]
fn edited_copies_of_a_listed_video_match_and_unrelated_videos_do_not() {
    require_ffmpeg();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_videos(d);
    ok(&imageguard(d, &["keygen", "--out", "provider.key"]));

    // Hashed here, one frame per second through ffmpeg.
    let built = build_and_sign(d, &["--videos", "known"], "videos.bundle");
    assert!(built.contains("known.mp4: 10 frames, 10 distinct at quality >= 50"), "{built}");
    assert_eq!(matched_names(d, "videos.bundle"), expected_matches());

    // From vPDQ files, in both references' formats, written by `imageguard vpdq`.
    let cpp = ok(&imageguard(d, &["vpdq", "known/known.mp4"]));
    assert_eq!(cpp.lines().count(), SECONDS);
    assert!(cpp.lines().enumerate().all(|(i, line)| line.starts_with(&format!("{},", i * FPS))), "{cpp}");
    std::fs::write(d.join("known.txt"), &cpp).unwrap();
    let json = ok(&imageguard(d, &["vpdq", "known/known.mp4", "--json"]));
    assert!(json.starts_with("[\"") && json.trim_end().ends_with("\"]"), "{json}");
    std::fs::write(d.join("known.json"), &json).unwrap();
    let built = build_and_sign(d, &["--vpdq", "known.txt", "known.json"], "vpdq.bundle");
    assert!(built.contains("known.json: 10 frames, 10 distinct"), "{built}");
    assert_eq!(matched_names(d, "vpdq.bundle"), expected_matches());
}

#[test]
fn a_vpdq_file_that_is_not_one_fails_the_build_with_its_record() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bad.txt"), "0,100,00ff,0\n").unwrap();
    let out = imageguard(d, &["list", "build", "--vpdq", "bad.txt", "--bundle-id", "v", "--list-id", "l", "--sequence", "1", "--out", "b"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.txt: record 1: the PDQ hash is not 64 hex digits"), "{out:?}");
}
