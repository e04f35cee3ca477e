//! Starting and finishing a video scan on the scanner (the frames go to [`VideoSession`] in between).
//!
//! A session keeps the bundle and policy of its start: an update installed meanwhile applies to the next
//! video, like a scan in flight. Finishing applies [`crate::policy::VideoRule`]: enough distinct frame
//! hits that need no confirmation act at once (on the first of them); enough that need confirmation give
//! one [`ScanOutcome::NeedsConfirmation`] whose request names one bucket per hit frame (at most 16), and
//! whose answer must confirm enough distinct listed frames ([`super::pending::VideoConfirmation`]).

use super::pending::VideoConfirmation;
use super::{bundle, guarded, Matched, ScanError, ScanOutcome, Scanner};
use crate::video::session::{one_key_per_frame, video_outcome_kind, VideoDecision};
use crate::report::{MatchedEntry, VideoEvidence, MAX_VIDEO_FRAMES};
use crate::video::{VideoOutcome, VideoSession};

impl Scanner {
    /// Starts scanning a video with the active bundle.
    pub fn start_video(&self) -> VideoSession {
        self.start_video_at(self.now())
    }

    /// [`Scanner::start_video`] at a given (trusted) time, unix seconds: it only decides staleness.
    pub fn start_video_at(&self, now: u64) -> VideoSession {
        let bundle = self.current();
        let stale = bundle::staleness(bundle.verified.header(), now).is_some();
        let policy = if stale { bundle.policy.when_stale() } else { bundle.policy };
        VideoSession::new(bundle, policy, self.config.limits)
    }

    /// Ends a video scan: one outcome for the video. The session's hits are dropped unless they go into
    /// the confirmation handle.
    pub fn finish_video(&self, session: VideoSession) -> Result<VideoOutcome, ScanError> {
        self.finish_video_at(session, self.now())
    }

    /// [`Scanner::finish_video`] at a given (trusted) time, unix seconds.
    pub fn finish_video_at(&self, session: VideoSession, now: u64) -> Result<VideoOutcome, ScanError> {
        guarded(|| {
            let decision = video_outcome_kind(&session);
            let VideoSession { bundle, policy, frames_sampled, distinct_frames, frame_hits, mut hits, .. } = session;
            let outcome = match decision {
                VideoDecision::NoMatch => ScanOutcome::NoMatch,
                VideoDecision::Act => match hits.iter().position(|hit| !policy.requires_confirmation(hit.class)) {
                    Some(index) => {
                        let hit = hits.remove(index);
                        // The report names this frame, counts the video's frame hits and names a few more.
                        let mut more_frames: Vec<MatchedEntry> = Vec::new();
                        for other in hits {
                            if more_frames.len() < MAX_VIDEO_FRAMES && other.entry != hit.entry && !more_frames.contains(&other.entry) {
                                more_frames.push(other.entry);
                            }
                        }
                        // Each frame hit names one entry, so the count is at least the frames named.
                        let named = u16::try_from(more_frames.len() + 1).unwrap_or(u16::MAX);
                        let video = VideoEvidence { frame_hits: u16::try_from(frame_hits).unwrap_or(u16::MAX).max(named), more_frames };
                        self.act(&bundle, Matched { kind: hit.kind, class: hit.class, key: hit.key, entry: hit.entry, video: Some(video) }, now)?
                    }
                    None => ScanOutcome::NoMatch,
                },
                VideoDecision::Confirm => {
                    hits.retain(|hit| policy.requires_confirmation(hit.class));
                    super::pending::strongest_first(&mut hits);
                    one_key_per_frame(&mut hits);
                    if hits.is_empty() {
                        ScanOutcome::NoMatch
                    } else {
                        let video = VideoConfirmation { rule: policy.video, distinct_frames, frame_hits };
                        self.pending(&bundle, hits, now, Some(video))?
                    }
                }
            };
            Ok(VideoOutcome { outcome, frames_sampled, distinct_frames })
        })
    }
}
