//! The demo's video part (`imageguard demo`, when ffmpeg is installed; `scripts/demo` installs it): a
//! known video is listed by its distinct frames, then an edited copy (re-encoded at a low bitrate and
//! resized) and an unrelated video are scanned as an app would, frames at one per second through a video
//! session, with confirmation.

use crate::video::{hash_video, scan_video};
use imageguard::confirm::PlatformLists;
use imageguard::pdq::PdqHash;
use imageguard::scanner::{ScanOutcome, Scanner};
use imageguard_test_support::video::{self, Edit};
use std::path::{Path, PathBuf};

const SECONDS: usize = 12;
const FPS: usize = 10;

/// The generated videos, when ffmpeg is there.
pub struct DemoVideos {
    edited: PathBuf,
    unrelated: PathBuf,
}

/// Makes the videos and returns the known video's listed frames; `None` (and says so) without ffmpeg.
pub fn prepare(dir: &Path) -> Result<Option<(DemoVideos, Vec<PdqHash>)>, String> {
    if !video::ffmpeg_available() {
        println!("   (video part skipped: ffmpeg is not installed; scripts/demo installs it)\n");
        return Ok(None);
    }
    let known = dir.join("known-video.mp4");
    let videos = DemoVideos { edited: dir.join("inbox-video-edited.mp4"), unrelated: dir.join("inbox-video-unrelated.mp4") };
    let failed = |e: std::io::Error| format!("making the demo videos: {e}");
    video::encode(video::frames(21, SECONDS, FPS, 640, 360), FPS, 20, &known).map_err(failed)?;
    video::edit(&known, Edit::LowBitrate, SECONDS, &dir.join("low.mp4")).map_err(failed)?;
    video::edit(&dir.join("low.mp4"), Edit::Resized, SECONDS, &videos.edited).map_err(failed)?;
    video::encode(video::frames(22, 2 * SECONDS, FPS, 640, 360), FPS, 23, &videos.unrelated).map_err(failed)?;
    let frames = hash_video(&known, false)?;
    let listed = imageguard::video::distinct_frames(&frames, imageguard::pdq::DEFAULT_MIN_QUALITY);
    println!(
        "   Plus a known video ({SECONDS} s, generated, encoded by ffmpeg): vPDQ gives {} frames (one per second), {} distinct\n   \
         at quality >= 50; they join the PDQ list.",
        frames.len(),
        listed.len()
    );
    Ok(Some((videos, listed)))
}

/// Scans the edited copy and the unrelated video; whether both came out right.
pub fn scan(scanner: &Scanner, lists: &PlatformLists, videos: &DemoVideos) -> Result<bool, String> {
    println!("\n5. Videos, frames at one per second through a video session (as the Android/iOS helpers feed them):\n");
    let mut right = true;
    for (path, known) in [(&videos.edited, true), (&videos.unrelated, false)] {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let video = scan_video(scanner, path)?;
        print!("   {name:<28} {} frames sampled, {} distinct: ", video.frames_sampled, video.distinct_frames);
        let outcome = match video.outcome {
            ScanOutcome::NeedsConfirmation(pending) => {
                let response = lists.answer_bytes(pending.request_bytes()).map_err(|e| format!("{name}: platform: {e}"))?;
                println!("frame hits: a candidate. Request {} bytes (one bucket per hit frame)", pending.request_bytes().len());
                print!("   {:<28} ", "");
                scanner.confirm(&pending, &response).map_err(|e| format!("{name}: {e}"))?
            }
            other => other,
        };
        match &outcome {
            ScanOutcome::Match(m) => println!("CONFIRMED VIDEO MATCH: {} -> {:?}", crate::scan::describe(&m.kind), m.action),
            ScanOutcome::NoMatch => println!("no match"),
            ScanOutcome::NeedsConfirmation(_) => return Err(format!("{name}: confirmed twice")),
        }
        right &= matches!(outcome, ScanOutcome::Match(_)) == known;
    }
    Ok(right)
}
