//! A video scan as a foreign object: the app feeds decoded frames (pixels and a timestamp), then asks for
//! the one outcome of the whole video.
//!
//! The platform helpers (`VideoFrames.kt`, `VideoFrames.swift`) decode about one frame per second and
//! feed it here; the core samples, hashes, deduplicates and probes (see `imageguard::video`). The session
//! holds no hash of a frame that did not hit beyond the next frame; `finish` consumes it.

use crate::debug::LiveToken;
use crate::hashing::{pixel_buffer, PixelFormat};
use crate::scan_records::ScanOutcome;
use crate::scanner::Scanner;
use crate::{guard, ImageGuardError};
use imageguard::video;
use std::sync::{Arc, Mutex};

/// One video being scanned with a scanner's active bundle (the bundle of the moment it started).
#[derive(uniffi::Object)]
pub struct VideoSession {
    scanner: Arc<Scanner>,
    inner: Mutex<Option<video::VideoSession>>,
    _live: LiveToken,
}

impl std::fmt::Debug for VideoSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VideoSession { .. }")
    }
}

/// What a finished video session found: one outcome for the video, and counts.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VideoOutcome {
    pub outcome: ScanOutcome,
    /// Frames hashed (about one per second of video).
    pub frames_sampled: u32,
    /// Frames that counted: quality >= the policy's minimum, not near-identical to the previous one.
    pub distinct_frames: u32,
}

#[uniffi::export]
impl VideoSession {
    /// Starts a video scan with `scanner`'s active bundle.
    #[uniffi::constructor]
    pub fn new(scanner: Arc<Scanner>) -> Arc<VideoSession> {
        let inner = scanner.inner.start_video();
        Arc::new(VideoSession { scanner, inner: Mutex::new(Some(inner)), _live: LiveToken::new() })
    }

    /// Feeds one decoded frame shown at `timestamp_ms` from the start of the video. Frames closer than
    /// 0.9 s to the last sampled one are skipped, so feeding every frame or one per second both work.
    pub fn add_frame(
        &self,
        pixels: &[u8],
        width: u32,
        height: u32,
        stride: u32,
        format: PixelFormat,
        timestamp_ms: u64,
    ) -> Result<(), ImageGuardError> {
        guard::call(|| {
            let buffer = pixel_buffer(pixels, width, height, stride, format);
            let mut session = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            let session = session.as_mut().ok_or_else(finished)?;
            Ok(session.add_frame(&buffer, timestamp_ms)?)
        })
    }

    /// Frames hashed so far (for progress).
    pub fn frames_sampled(&self) -> u32 {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map_or(0, |s| s.frames_sampled())
    }

    /// Ends the session: one outcome for the video. A session finishes once.
    pub fn finish(&self) -> Result<VideoOutcome, ImageGuardError> {
        guard::call(|| {
            let session = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take().ok_or_else(finished)?;
            let outcome = self.scanner.inner.finish_video(session)?;
            Ok(VideoOutcome {
                outcome: outcome.outcome.into(),
                frames_sampled: outcome.frames_sampled,
                distinct_frames: outcome.distinct_frames,
            })
        })
    }
}

fn finished() -> ImageGuardError {
    ImageGuardError::invalid_argument("the video session is already finished")
}
