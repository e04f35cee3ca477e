//! The device side of video matching: one [`VideoSession`] per video.
//!
//! The app decodes the video with the platform (about one frame per second: `MediaMetadataRetriever`,
//! `AVAssetImageGenerator`) and feeds each frame's pixels with its timestamp. The session samples one
//! frame per second, hashes it as vPDQ does ([`super::hash_frame`]), drops low-quality and
//! near-identical consecutive frames ([`super::Distinct`]), and probes the bundle's filters exactly as
//! for a still image. [`crate::scanner::Scanner::finish_video`] then gives one outcome for the whole
//! video under the policy's [`crate::policy::VideoRule`].
//!
//! What the session keeps: counts (frames sampled, distinct frames, frame hits), the hash of the last
//! distinct frame (for the near-identical check, overwritten by the next one), and the hits themselves
//! (at most [`MAX_FRAME_HITS_KEPT`], for the confirmation request). Nothing about a frame that did not
//! hit outlives the next frame; `Debug` prints counts only.

use super::distinct::Distinct;
use super::frame::hash_frame;
use crate::confirm::Candidate;
use crate::decode::{DecodeLimits, PixelBuffer};
use crate::pdq::OrientedHashes;
use crate::policy::Policy;
use crate::scanner::loaded::LoadedBundle;
use crate::scanner::pending::weakness;
use crate::scanner::{find_hits, Hit, ScanError, ScanOutcome};
use std::sync::Arc;

/// Frame hits kept for confirmation: one confirmation request holds at most 16 buckets, one per frame.
pub const MAX_FRAME_HITS_KEPT: usize = crate::confirm::messages::MAX_BUCKETS_PER_REQUEST;
/// Distinct listed entries remembered, so that a frame hitting an entry already counted does not count
/// again (bounds the session's memory on a hostile stream).
const MAX_HIT_KEYS: usize = 4096;
/// Frames fed less than this after the last sampled frame are skipped: one hash per second, with room
/// for the reference's floored frame step (29 frames at 29.97 fps are 0.968 s) and decoder jitter.
pub const SAMPLE_INTERVAL_MS: u64 = 900;

/// One video being scanned. Start it with [`crate::scanner::Scanner::start_video`], feed frames with
/// [`VideoSession::add_frame`], end it with [`crate::scanner::Scanner::finish_video`].
pub struct VideoSession {
    pub(crate) bundle: Arc<LoadedBundle>,
    pub(crate) policy: Policy,
    limits: DecodeLimits,
    distinct: Distinct,
    last_sample_ms: Option<u64>,
    pub(crate) frames_sampled: u32,
    pub(crate) distinct_frames: u32,
    /// Distinct frames that hit, and those of them whose hit needs no confirmation.
    pub(crate) frame_hits: u32,
    pub(crate) unconfirmed_frame_hits: u32,
    /// One hit per frame that hit, the [`MAX_FRAME_HITS_KEPT`] strongest of them.
    pub(crate) hits: Vec<Hit>,
    hit_keys: Vec<u64>,
}

impl std::fmt::Debug for VideoSession {
    // Counts only: no hash, no hit.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VideoSession({} frames sampled, {} distinct)", self.frames_sampled, self.distinct_frames)
    }
}

/// What a finished video session found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoOutcome {
    /// One outcome for the video: no match, a match, or frame hits that need the platform's
    /// confirmation (the request carries only the hit frames' buckets).
    pub outcome: ScanOutcome,
    /// Frames hashed (one per second of video fed).
    pub frames_sampled: u32,
    /// Of those, the frames that counted: quality high enough, not near-identical to the previous one.
    pub distinct_frames: u32,
}

impl VideoSession {
    pub(crate) fn new(bundle: Arc<LoadedBundle>, policy: Policy, limits: DecodeLimits) -> VideoSession {
        VideoSession {
            bundle,
            distinct: Distinct::new(policy.min_quality),
            policy,
            limits,
            last_sample_ms: None,
            frames_sampled: 0,
            distinct_frames: 0,
            frame_hits: 0,
            unconfirmed_frame_hits: 0,
            hits: Vec::new(),
            hit_keys: Vec::new(),
        }
    }

    /// Feeds one decoded frame shown at `timestamp_ms` (milliseconds from the start of the video). A
    /// frame less than [`SAMPLE_INTERVAL_MS`] after the last sampled one is skipped unhashed, so apps may
    /// feed every frame or about one per second; a timestamp earlier than the last (a seek) samples
    /// again. Errors are about the buffer (bad geometry, over the limits); the session stays usable.
    pub fn add_frame(&mut self, pixels: &PixelBuffer<'_>, timestamp_ms: u64) -> Result<(), ScanError> {
        let due = self.last_sample_ms.is_none_or(|last| timestamp_ms < last || timestamp_ms - last >= SAMPLE_INTERVAL_MS);
        if !due {
            return Ok(());
        }
        let features = hash_frame(pixels, &self.limits)?;
        self.last_sample_ms = Some(timestamp_ms);
        self.frames_sampled = self.frames_sampled.saturating_add(1);
        if !self.distinct.accept(&features.hash(), features.quality()) {
            return Ok(());
        }
        self.distinct_frames = self.distinct_frames.saturating_add(1);
        let Some(hit) = frame_hit(find_hits(&self.bundle, &self.policy, Some(&features as &dyn OrientedHashes), None), &self.policy) else {
            return Ok(());
        };
        // The same listed entry hit again (a scene that returns) is not another frame of the video.
        if self.hit_keys.contains(&hit.key) {
            return Ok(());
        }
        if self.hit_keys.len() < MAX_HIT_KEYS {
            self.hit_keys.push(hit.key);
        }
        self.frame_hits = self.frame_hits.saturating_add(1);
        if !self.policy.requires_confirmation(hit.class) {
            self.unconfirmed_frame_hits = self.unconfirmed_frame_hits.saturating_add(1);
        }
        // Keep the strongest: a hit that acts without confirmation, then exact, then most bands. A sender
        // who puts crafted frames first cannot crowd a real frame out of the request.
        let policy = &self.policy;
        let rank = |hit: &Hit| (policy.requires_confirmation(hit.class), weakness(hit));
        if self.hits.len() < MAX_FRAME_HITS_KEPT {
            self.hits.push(hit);
        } else if let Some(weakest) = self.hits.iter_mut().max_by_key(|kept| rank(kept)) {
            if rank(&hit) < rank(weakest) {
                *weakest = hit;
            }
        }
        Ok(())
    }

    /// Frames hashed so far (for progress).
    pub fn frames_sampled(&self) -> u32 {
        self.frames_sampled
    }
}

/// The one hit a frame contributes: one that needs no confirmation if any, else a perceptual one (its
/// distance check is what confirms a re-encoded frame).
fn frame_hit(mut hits: Vec<Hit>, policy: &Policy) -> Option<Hit> {
    let index = hits
        .iter()
        .position(|hit| !policy.requires_confirmation(hit.class))
        .or_else(|| hits.iter().position(|hit| matches!(hit.candidate, Candidate::Perceptual { .. })))
        .or(if hits.is_empty() { None } else { Some(0) })?;
    Some(hits.swap_remove(index))
}

/// A listed frame's PDQ hash is in the bucket of each of its band keys: one of them is enough, so that a
/// video's request holds one bucket per frame. (Done when the video ends: until then the band count
/// ranks the frame hits kept.)
pub(crate) fn one_key_per_frame(hits: &mut [Hit]) {
    for hit in hits {
        if let Candidate::Perceptual { keys, .. } = &mut hit.candidate {
            keys.truncate(1);
        }
    }
}

/// Whether a video with these counts is a match without confirmation, needs one, or is not one.
pub(crate) fn video_outcome_kind(session: &VideoSession) -> VideoDecision {
    let rule = session.policy.video;
    if session.unconfirmed_frame_hits > 0 && rule.is_match(session.unconfirmed_frame_hits, session.distinct_frames) {
        VideoDecision::Act
    } else if rule.is_match(session.frame_hits, session.distinct_frames) {
        VideoDecision::Confirm
    } else {
        VideoDecision::NoMatch
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VideoDecision {
    NoMatch,
    Act,
    Confirm,
}
