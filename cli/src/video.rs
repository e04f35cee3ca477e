//! Videos on the platform side, through the `ffmpeg` and `ffprobe` programs (Debian's `ffmpeg` package;
//! the core never links ffmpeg): sampling frames as vPDQ does, hashing them, `imageguard vpdq`.
//!
//! Sampling follows the reference hasher: the first video stream's average frame rate (its `r_frame_rate`
//! when the average is unknown) gives the step `floor(fps)`; frames `0, step, 2 step...` in decoding
//! order are converted to RGB24 at the stream's own size with swscale's area filter, without applying a
//! rotation tag (the reference does not), and hashed with [`imageguard::video::hash_frame`]. A frame's
//! timestamp is its number divided by the frame rate, as the reference writes it.

use clap::Args;
use imageguard::decode::{DecodeLimits, PixelBuffer, PixelFormat};
use imageguard::video::{frame_step, hash_frame, VpdqFrame};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// File extensions `scan` and `list build --videos` treat as videos.
pub const VIDEO_EXTENSIONS: &[&str] = &["mp4", "m4v", "mov", "mkv", "webm", "avi", "mpg", "mpeg", "ts", "3gp", "wmv", "flv"];

pub fn is_video(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| VIDEO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// The first video stream's size and frame rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StreamInfo {
    pub width: usize,
    pub height: usize,
    pub frames_per_second: f64,
}

fn tool_error(tool: &str, error: std::io::Error) -> String {
    if error.kind() == std::io::ErrorKind::NotFound {
        format!("{tool} is not installed (Debian: apt-get install ffmpeg)")
    } else {
        format!("{tool}: {error}")
    }
}

/// Reads the first video stream's geometry and frame rate with ffprobe.
pub fn probe(path: &Path) -> Result<StreamInfo, String> {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate"])
        .args(["-of", "default=noprint_wrappers=1"])
        .arg(path)
        .output()
        .map_err(|e| tool_error("ffprobe", e))?;
    if !output.status.success() {
        return Err(format!("{}: ffprobe could not read it: {}", path.display(), String::from_utf8_lossy(&output.stderr).trim()));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |name: &str| text.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix('=')).map(str::trim);
    let number = |name: &str| field(name).and_then(|v| v.parse::<usize>().ok()).filter(|&v| v > 0);
    let rate = |name: &str| {
        let (num, den) = field(name)?.split_once('/')?;
        let (num, den) = (num.parse::<f64>().ok()?, den.parse::<f64>().ok()?);
        (num > 0.0 && den > 0.0).then_some(num / den)
    };
    let (Some(width), Some(height)) = (number("width"), number("height")) else {
        return Err(format!("{}: no video stream", path.display()));
    };
    let frames_per_second = rate("avg_frame_rate").or_else(|| rate("r_frame_rate")).ok_or(format!("{}: unknown frame rate", path.display()))?;
    Ok(StreamInfo { width, height, frames_per_second })
}

/// Decodes the sampled frames (every `floor(fps)`-th, or every frame with `every_frame`) and calls
/// `on_frame(frame number, timestamp in seconds, RGB24 pixels)` for each; stops early when it returns
/// false.
pub fn sample_frames(
    path: &Path,
    info: &StreamInfo,
    every_frame: bool,
    mut on_frame: impl FnMut(u64, f64, &[u8]) -> Result<bool, String>,
) -> Result<(), String> {
    let limits = DecodeLimits::default();
    if (info.width as u64).saturating_mul(info.height as u64) > limits.max_pixels {
        return Err(format!("{}: {}x{} frames are over the {}-pixel limit", path.display(), info.width, info.height, limits.max_pixels));
    }
    let step = if every_frame { 1 } else { frame_step(info.frames_per_second) };
    let mut child = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-noautorotate", "-i"])
        .arg(path)
        .args(["-map", "0:v:0", "-vf", &format!("select=not(mod(n\\,{step}))"), "-fps_mode", "passthrough"])
        .args(["-sws_flags", "area", "-pix_fmt", "rgb24", "-f", "rawvideo", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| tool_error("ffmpeg", e))?;
    let mut stdout = child.stdout.take().ok_or("ffmpeg: no output")?;
    let mut frame = vec![0u8; info.width * info.height * 3];
    let mut index = 0u64;
    let result = loop {
        match read_frame(&mut stdout, &mut frame) {
            Ok(false) => break Ok(()),
            Ok(true) => {}
            Err(e) => break Err(format!("{}: reading ffmpeg's frames: {e}", path.display())),
        }
        let number = index * step;
        match on_frame(number, number as f64 / info.frames_per_second, &frame) {
            Ok(true) => index += 1,
            Ok(false) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    drop(stdout);
    let output = child.wait_with_output().map_err(|e| tool_error("ffmpeg", e))?;
    result?;
    if !output.status.success() && index > 0 {
        // Stopped early on purpose (a closed pipe), or a damaged tail: the frames read stand.
        return Ok(());
    }
    if !output.status.success() {
        return Err(format!("{}: ffmpeg could not decode it: {}", path.display(), String::from_utf8_lossy(&output.stderr).trim()));
    }
    Ok(())
}

/// Fills `frame` from the pipe: false at a clean end, an error on a partial frame.
fn read_frame(pipe: &mut impl Read, frame: &mut [u8]) -> std::io::Result<bool> {
    let mut filled = 0;
    while filled < frame.len() {
        match pipe.read(frame.get_mut(filled..).unwrap_or_default())? {
            0 if filled == 0 => return Ok(false),
            0 => return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "a partial frame")),
            n => filled += n,
        }
    }
    Ok(true)
}

/// The vPDQ frames of a video, hashed by imageguard (one per second, or every frame).
pub fn hash_video(path: &Path, every_frame: bool) -> Result<Vec<VpdqFrame>, String> {
    let info = probe(path)?;
    let mut frames = Vec::new();
    sample_frames(path, &info, every_frame, |number, timestamp, rgb| {
        let buffer = PixelBuffer::new(rgb, info.width, info.height, info.width * 3, PixelFormat::Rgb8);
        let features = hash_frame(&buffer, &DecodeLimits::default()).map_err(|e| format!("{}: {e}", path.display()))?;
        frames.push(VpdqFrame { frame_number: Some(number), quality: features.quality(), hash: features.hash(), timestamp });
        Ok(true)
    })?;
    Ok(frames)
}

#[derive(Args)]
pub struct VpdqArgs {
    /// The video to hash.
    video: PathBuf,
    /// Write pytx's JSON list (`"pdq_hex,quality,timestamp"`) instead of the C++ tool's lines.
    #[arg(long)]
    json: bool,
    /// Hash every frame (the C++ tool's default) instead of one per second (pytx's).
    #[arg(long)]
    every_frame: bool,
}

/// `imageguard vpdq`: a video's vPDQ hash, in either reference's format.
pub fn run(args: VpdqArgs) -> Result<ExitCode, String> {
    let frames = hash_video(&args.video, args.every_frame)?;
    if args.json {
        let items: Vec<String> = frames.iter().map(|f| format!("\"{},{},{:.3}\"", f.hash.to_hex(), f.quality, f.timestamp)).collect();
        println!("[{}]", items.join(", "));
    } else {
        for f in &frames {
            println!("{},{},{},{:.3}", f.frame_number.unwrap_or(0), f.quality, f.hash.to_hex(), f.timestamp);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The PDQ hashes `list build` adds for known videos: each video's distinct frames (quality >= 50,
/// near-identical consecutive frames dropped), from vPDQ files and from videos hashed here.
pub fn listed_frames(vpdq_files: &[PathBuf], videos: Option<&Path>) -> Result<Vec<imageguard::pdq::PdqHash>, String> {
    let mut listed = Vec::new();
    let mut add = |name: &Path, frames: &[VpdqFrame]| {
        let distinct = imageguard::video::distinct_frames(frames, imageguard::pdq::DEFAULT_MIN_QUALITY);
        println!("{}: {} frames, {} distinct at quality >= 50", name.display(), frames.len(), distinct.len());
        listed.extend(distinct);
    };
    for path in vpdq_files {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let (_, frames) = imageguard::video::parse_vpdq(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        add(path, &frames);
    }
    if let Some(dir) = videos {
        let (paths, _) = crate::files::collect(&[dir.to_path_buf()]);
        for path in paths.iter().filter(|p| is_video(p)) {
            add(path, &hash_video(path, false)?);
        }
    }
    Ok(listed)
}

/// `scan` on one video: frames at one per second through a [`imageguard::video::VideoSession`], as an
/// app feeds them, and the session's one outcome.
pub fn scan_video(scanner: &imageguard::scanner::Scanner, path: &Path) -> Result<imageguard::video::VideoOutcome, String> {
    let info = probe(path)?;
    let mut session = scanner.start_video();
    sample_frames(path, &info, false, |_, timestamp, rgb| {
        let buffer = PixelBuffer::new(rgb, info.width, info.height, info.width * 3, PixelFormat::Rgb8);
        session.add_frame(&buffer, (timestamp * 1000.0).round() as u64).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(true)
    })?;
    scanner.finish_video(session).map_err(|e| format!("{}: {e}", path.display()))
}
