//! Writes the video test corpus (synthetic shots through ffmpeg, as `cli/tests/video.rs` makes it) to
//! DIR, for `scripts/video-interop`: `known/known-N.mp4` (listed), `inbox/known-N-EDIT.mp4` (edited
//! copies: lower bitrate, resized, trimmed, 24 fps, watermarked, embedded in a longer unrelated video)
//! and `inbox/unrelated-N.mp4`.
//!
//!     cargo run --example video_corpus DIR [KNOWN] [SECONDS]
use imageguard_test_support::video::{self, Edit};
use std::path::Path;

const FPS: usize = 10;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = Path::new(args.get(1).map(String::as_str).unwrap_or("target/video-corpus"));
    let known: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(4);
    let seconds: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(20);
    std::fs::create_dir_all(dir.join("known"))?;
    std::fs::create_dir_all(dir.join("inbox"))?;
    for n in 0..known {
        let listed = dir.join(format!("known/known-{n}.mp4"));
        video::encode(video::frames(100 + n, seconds, FPS, 512, 288), FPS, 20, &listed)?;
        for edit in Edit::ALL {
            video::edit(&listed, edit, seconds, &dir.join(format!("inbox/known-{n}-{edit:?}.mp4")))?;
        }
        let before = dir.join(format!("before-{n}.mp4"));
        let after = dir.join(format!("after-{n}.mp4"));
        video::encode(video::frames(200 + n, 2 * seconds, FPS, 512, 288), FPS, 23, &before)?;
        video::encode(video::frames(300 + n, seconds, FPS, 512, 288), FPS, 23, &after)?;
        video::embed(&before, &listed, &after, &dir.join(format!("inbox/known-{n}-Embedded.mp4")))?;
        std::fs::remove_file(before)?;
        std::fs::remove_file(after)?;
        video::encode(video::frames(400 + n, 3 * seconds, FPS, 512, 288), FPS, 23, &dir.join(format!("inbox/unrelated-{n}.mp4")))?;
        println!("known video {n}: listed, 6 edited copies, 1 unrelated");
    }
    Ok(())
}
