//! A filter hit waiting for the platform's confirmation.
//!
//! The scanner keeps nothing about a pending hit: the app holds this handle, sends
//! [`PendingConfirmation::request_bytes`] to the platform and passes the answer to
//! [`super::Scanner::confirm`]. The handle holds the candidate's hashes in memory only (they are needed to
//! compare with the listed entries, which the platform never sees them); dropping it forgets them. If
//! the app is offline it retries with the same handle; if the process ends, nothing remains, and the next
//! scan of the image finds the same candidate again.

use super::loaded::LoadedBundle;
use super::MatchKind;
use crate::confirm::{confirm_candidate, Candidate, ConfirmationRequest, ListedEntry};
use crate::policy::{MatchClass, VideoRule};
use crate::prompts::PromptContent;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// A candidate match that needs the platform's confirmation before anything is shown or reported.
#[derive(Clone)]
pub struct PendingConfirmation {
    pub(super) bundle: Arc<LoadedBundle>,
    pub(super) request: ConfirmationRequest,
    pub(super) request_bytes: Vec<u8>,
    /// What hit, in the order confirmation tries them (exact first).
    pub(super) candidates: Vec<(MatchKind, MatchClass, Candidate)>,
    pub(super) provisional_prompt: Option<PromptContent>,
    /// Set once a verified answer was applied: a handle confirms at most once.
    pub(super) used: Arc<AtomicBool>,
    /// For a video: the candidates are its frame hits, and one confirmed frame is not enough.
    pub(super) video: Option<VideoConfirmation>,
}

/// What confirming a video's frame hits must show: counts only, nothing about frames that did not hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VideoConfirmation {
    pub(crate) rule: VideoRule,
    /// The video's distinct frames (the fraction's denominator).
    pub(crate) distinct_frames: u32,
    /// The distinct frames that hit the filter (the request carries at most 16 of them).
    pub(crate) frame_hits: u32,
}

impl VideoConfirmation {
    /// Whether enough *distinct listed* frames confirm: at least the rule's minimum among the frames
    /// sent, and the fraction, counting frames beyond the request's in the proportion of those sent
    /// that confirmed.
    pub(crate) fn is_confirmed(&self, candidates: &[(MatchKind, MatchClass, Candidate)], entries: &[ListedEntry]) -> bool {
        let mut listed: Vec<ListedEntry> =
            candidates.iter().filter_map(|(_, _, candidate)| confirm_candidate(candidate, entries)).map(|c| c.entry).collect();
        listed.sort_unstable();
        listed.dedup();
        let confirmed = u32::try_from(listed.len()).unwrap_or(u32::MAX);
        let sent = u64::try_from(candidates.len()).unwrap_or(u64::MAX).max(1);
        let estimated = u32::try_from(u64::from(self.frame_hits) * u64::from(confirmed) / sent).unwrap_or(u32::MAX);
        confirmed >= u32::from(self.rule.min_frames) && self.rule.is_match(estimated.max(confirmed), self.distinct_frames)
    }
}

impl PendingConfirmation {
    /// The bytes for the app to send to the platform's confirmation endpoint: the bundle's id and
    /// version, a random nonce and the bucket id(s) of what hit; nothing else about the image.
    pub fn request_bytes(&self) -> &[u8] {
        &self.request_bytes
    }

    /// The version of the bundle the hit was found with (the request names it too).
    pub fn bundle_sequence(&self) -> u64 {
        self.request.bundle_sequence
    }

    /// The prompt to show while the confirmation is pending, when the platform's policy allows one
    /// (`None` by default: nothing is shown until the match is confirmed).
    pub fn provisional_prompt(&self) -> Option<&PromptContent> {
        self.provisional_prompt.as_ref()
    }
}

impl std::fmt::Debug for PendingConfirmation {
    // Opaque: the candidate's hashes must not reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PendingConfirmation { .. }")
    }
}

impl PartialEq for PendingConfirmation {
    fn eq(&self, other: &Self) -> bool {
        self.request == other.request
    }
}

impl Eq for PendingConfirmation {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::HashKind;
    use crate::filter::MatchStrength;
    use crate::pdq::{Dihedral, PdqHash};

    fn frame(seed: u8) -> (MatchKind, MatchClass, Candidate) {
        let hash = PdqHash([seed; 32]);
        let kind = MatchKind::Perceptual { variant: Dihedral::Original, strength: MatchStrength::Strong };
        (kind, MatchClass::PerceptualStrong, Candidate::Perceptual { hashes: Box::new([hash; 8]), keys: vec![u64::from(seed)] })
    }

    fn listed(seed: u8, flipped_bits: usize) -> ListedEntry {
        let mut hash = PdqHash([seed; 32]);
        (0..flipped_bits).for_each(|k| hash.flip_bit(k * 3));
        ListedEntry { kind: HashKind::PdqExact, hash: hash.0.to_vec() }
    }

    #[test]
    fn a_video_confirms_with_k_distinct_listed_frames_and_the_fraction() {
        let frames = [frame(0x11), frame(0x22), frame(0x33), frame(0x44)];
        let rule = VideoRule { min_frames: 3, min_fraction_percent: 0 };
        let video = VideoConfirmation { rule, distinct_frames: 50, frame_hits: 4 };
        // Frames 1 and 2 are near listed frames; frame 4 is 40 bits from its nearest: 2 < 3.
        let two = [listed(0x11, 5), listed(0x22, 20), listed(0x44, 40)];
        assert!(!video.is_confirmed(&frames, &two));
        // Two query frames near the same listed frame count once.
        let same = [frame(0x11), frame(0x11), frame(0x22)];
        assert!(!video.is_confirmed(&same, &[listed(0x11, 0), listed(0x22, 0)]));
        let three = [listed(0x11, 5), listed(0x22, 20), listed(0x44, 31)];
        assert!(video.is_confirmed(&frames, &three));
        // The fraction counts frames beyond the request in the proportion confirmed: 40 hits of 50
        // frames with 3 of 4 sent confirmed is an estimated 30, under 80% of 50.
        let fraction = VideoConfirmation { rule: VideoRule { min_fraction_percent: 80, ..rule }, distinct_frames: 50, frame_hits: 40 };
        assert!(!fraction.is_confirmed(&frames, &three));
        let all = [listed(0x11, 0), listed(0x22, 0), listed(0x33, 0), listed(0x44, 0)];
        assert!(fraction.is_confirmed(&frames, &all));
    }
}
