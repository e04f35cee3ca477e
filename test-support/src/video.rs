//! Synthetic videos for tests, the demo and benchmarks: photo-like shots, encoded and edited by ffmpeg
//! (Debian's `ffmpeg` package; never a dependency of the core).
//!
//! A synthetic video shows a new [`photo`] every second, panning slowly across it, so that every second
//! is a distinct moment (as vPDQ samples one frame per second) and consecutive frames within a second
//! are near-identical (as in real footage). Videos are generated at test time in a temporary directory:
//! nothing binary is committed.

use crate::synthetic::{photo, RgbImage};
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// The frames of a synthetic video: `seconds` shots of one second at `fps`, `width` x `height`.
pub fn frames(seed: u64, seconds: usize, fps: usize, width: usize, height: usize) -> impl Iterator<Item = RgbImage> {
    let pan = (width / 8).max(1);
    (0..seconds).flat_map(move |second| {
        let shot = photo(seed.wrapping_mul(1000).wrapping_add(second as u64), width + pan, height);
        (0..fps).map(move |frame| crop(&shot, frame * pan / fps.max(1), width, height))
    })
}

fn crop(image: &RgbImage, left: usize, width: usize, height: usize) -> RgbImage {
    let mut pixels = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        let start = (y * image.width + left) * 3;
        pixels.extend_from_slice(&image.pixels[start..start + width * 3]);
    }
    RgbImage { width, height, pixels }
}

/// Whether the `ffmpeg` program is installed.
pub fn ffmpeg_available() -> bool {
    Command::new("ffmpeg").arg("-version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// Encodes `frames` (all the same size) at `fps` as H.264 in `path` (an .mp4), quality `crf` (lower is
/// better; 18-28 is usual).
pub fn encode(frames: impl IntoIterator<Item = RgbImage>, fps: usize, crf: u8, path: &Path) -> std::io::Result<()> {
    let mut frames = frames.into_iter().peekable();
    let Some(first) = frames.peek() else { return Err(std::io::Error::other("no frames")) };
    let size = format!("{}x{}", first.width, first.height);
    let mut child = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", &size, "-r", &fps.to_string(), "-i", "-"])
        .args(["-c:v", "libx264", "-preset", "veryfast", "-crf", &crf.to_string(), "-pix_fmt", "yuv420p"])
        .arg(path)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    {
        let mut stdin = child.stdin.take().ok_or_else(|| std::io::Error::other("no stdin"))?;
        for frame in frames {
            stdin.write_all(&frame.pixels)?;
        }
    }
    check(child.wait_with_output()?)
}

/// Runs `ffmpeg -v error -y ARGS`, failing with ffmpeg's message.
pub fn ffmpeg(args: &[&str]) -> std::io::Result<()> {
    check(Command::new("ffmpeg").args(["-v", "error", "-y"]).args(args).output()?)
}

fn check(output: std::process::Output) -> std::io::Result<()> {
    if output.status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("ffmpeg failed: {}", String::from_utf8_lossy(&output.stderr).trim())))
    }
}

/// The edits the tests apply to a known video, as ffmpeg arguments between the input and the output
/// (trimming takes the video's length in seconds: the first and last 20% are cut).
pub fn edit_args(edit: Edit, seconds: usize) -> Vec<String> {
    let args: Vec<String> = match edit {
        Edit::LowBitrate => vec!["-c:v", "libx264", "-preset", "veryfast", "-b:v", "60k"].into_iter().map(String::from).collect(),
        Edit::Resized => vec!["-vf".into(), "scale=iw/2:ih/2".into()],
        Edit::Trimmed => {
            let cut = seconds as f64 * 0.2;
            vec!["-ss".into(), format!("{cut:.2}"), "-t".into(), format!("{:.2}", seconds as f64 - 2.0 * cut)]
        }
        Edit::FrameRate => vec!["-vf".into(), "fps=24".into()],
        // The still-image watermark's box (`RgbImage::watermark`): a fifth of the width, bottom right, blended
        // 60% with its mean tone (grey). A 60% *white* box moves 6 of 10 frames past PDQ distance 31, so
        // the reference would not match that copy either.
        Edit::Watermarked => vec!["-vf".into(), "drawbox=x=iw*0.775:y=ih*0.904:w=iw/5:h=ih/14:color=gray@0.6:t=fill".into()],
    };
    args
}

/// An everyday edit of a shared video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Re-encoded at a much lower bitrate.
    LowBitrate,
    /// Half the width and height.
    Resized,
    /// The first and last 20% cut.
    Trimmed,
    /// Another frame rate (24 fps).
    FrameRate,
    /// A translucent box over the bottom-right corner, as a logo or caption would be.
    Watermarked,
}

impl Edit {
    pub const ALL: [Edit; 5] = [Edit::LowBitrate, Edit::Resized, Edit::Trimmed, Edit::FrameRate, Edit::Watermarked];
}

/// Writes `known` edited by `edit` to `out`.
pub fn edit(known: &Path, edit: Edit, seconds: usize, out: &Path) -> std::io::Result<()> {
    let mut args: Vec<String> = vec!["-i".into(), known.display().to_string()];
    args.extend(edit_args(edit, seconds));
    args.push(out.display().to_string());
    ffmpeg(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Writes `before`, then `inner`, then `after` (same size and frame rate) as one video: a known clip
/// embedded in a longer unrelated one.
pub fn embed(before: &Path, inner: &Path, after: &Path, out: &Path) -> std::io::Result<()> {
    let inputs = [before, inner, after].map(|p| p.display().to_string());
    ffmpeg(&[
        "-i", &inputs[0], "-i", &inputs[1], "-i", &inputs[2],
        "-filter_complex", "[0:v][1:v][2:v]concat=n=3:v=1:a=0[v]", "-map", "[v]",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
        &out.display().to_string(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_change_every_second_and_pan_within_it() {
        let all: Vec<RgbImage> = frames(7, 2, 4, 64, 48).collect();
        assert_eq!(all.len(), 8);
        assert!(all.iter().all(|f| f.width == 64 && f.height == 48 && f.pixels.len() == 64 * 48 * 3));
        assert_ne!(all[0], all[1], "the camera pans");
        assert_eq!(all[0].pixels[..3 * 8], photo(7000, 72, 48).pixels[..3 * 8]);
        assert_eq!(all[4].pixels[..3 * 8], photo(7001, 72, 48).pixels[..3 * 8], "a new shot each second");
    }
}
