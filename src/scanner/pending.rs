//! A filter hit waiting for the platform's confirmation.
//!
//! The scanner keeps nothing about a pending hit: the app holds this handle, sends
//! [`PendingConfirmation::request_bytes`] to the platform and passes the answer to
//! [`super::Scanner::confirm`]. The handle holds the candidate's hashes in memory only (they are needed to
//! compare with the listed entries, which the platform never sees them); dropping it forgets them. If
//! the app is offline it retries with the same handle; if the process ends, nothing remains, and the next
//! scan of the image finds the same candidate again.

use super::loaded::LoadedBundle;
use super::{Hit, MatchKind};
use crate::confirm::messages::MAX_BUCKETS_PER_REQUEST;
use crate::confirm::tree::bucket_of;
use crate::confirm::{confirm_candidate, Candidate, ConfirmationRequest, ListedEntry};
use crate::filter::perceptual::MAX_BANDS;
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

/// Orders hits the way one request asks about them: exact hits first (an exact collision cannot be
/// ground within reach, see SECURITY.md), then perceptual hits by how many bands hit, most first (a real
/// copy hits most bands; each crafted band collision costs a sender a search), in picture order otherwise.
pub(crate) fn strongest_first(hits: &mut [Hit]) {
    hits.sort_by_key(weakness);
}

/// How far down [`strongest_first`] puts a hit: 0 for exact, then fewer bands hit, higher.
pub(crate) fn weakness(hit: &Hit) -> usize {
    match hit.candidate {
        Candidate::Exact { .. } => 0,
        Candidate::Perceptual { ref keys, .. } => MAX_BANDS + 1 - keys.len().min(MAX_BANDS),
    }
}

/// The buckets of one request for `hits` (strongest first), at most [`MAX_BUCKETS_PER_REQUEST`]: each hit's
/// first key in turn, then each hit's second, and so on. A listed entry lies in the bucket of every band
/// key it shares with the image, so one bucket per hit confirms a real match; the round robin keeps many
/// hits (crafted ones on other pictures or frames among them) from crowding out the strongest.
pub(crate) fn requested_buckets(hits: &[Hit], bucket_bits: u8) -> Vec<u32> {
    let mut buckets: Vec<u32> = Vec::with_capacity(MAX_BUCKETS_PER_REQUEST);
    let most_keys = hits.iter().map(|hit| hit.candidate.keys().len()).max().unwrap_or(0);
    for round in 0..most_keys {
        for key in hits.iter().filter_map(|hit| hit.candidate.keys().get(round)) {
            let bucket = bucket_of(*key, bucket_bits);
            if buckets.len() == MAX_BUCKETS_PER_REQUEST {
                return buckets;
            }
            if !buckets.contains(&bucket) {
                buckets.push(bucket);
            }
        }
    }
    buckets
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

    fn perceptual_hit(keys: &[u64]) -> Hit {
        let (kind, class, candidate) = frame(0x55);
        let candidate = match candidate {
            Candidate::Perceptual { hashes, .. } => Candidate::Perceptual { hashes, keys: keys.to_vec() },
            exact => exact,
        };
        let entry = crate::report::MatchedEntry::Perceptual { hash: PdqHash([0x55; 32]), variant: Dihedral::Original, strength: MatchStrength::Strong };
        Hit { kind, class, key: keys[0], entry, candidate }
    }

    /// A key whose bucket (at 16 bits) is `bucket`.
    fn key_in(bucket: u32) -> u64 {
        u64::from(bucket) << 48
    }

    #[test]
    fn one_request_asks_first_about_the_strongest_hits_and_holds_at_most_16_buckets() {
        // 20 crafted two-band hits (pictures or frames seen first), then a real copy hitting all 4 bands.
        let mut hits: Vec<Hit> = (0..20u32).map(|i| perceptual_hit(&[key_in(100 + 2 * i), key_in(101 + 2 * i)])).collect();
        hits.push(perceptual_hit(&[key_in(7), key_in(8), key_in(9), key_in(10)]));
        strongest_first(&mut hits);
        assert_eq!(hits[0].candidate.keys()[0], key_in(7));
        let buckets = requested_buckets(&hits, 16);
        assert_eq!(buckets.len(), MAX_BUCKETS_PER_REQUEST);
        assert_eq!(buckets[0], 7, "the real copy's first band is asked about");
        // Round robin: every hit's first key before anybody's second.
        assert!(!buckets.contains(&8) && buckets.contains(&100) && buckets.contains(&128));

        // An exact hit goes before any perceptual one.
        let exact = Hit {
            kind: MatchKind::Exact { algorithm: HashKind::Blake3 },
            class: MatchClass::Exact,
            key: key_in(3),
            entry: crate::report::MatchedEntry::Exact { kind: HashKind::Blake3, hash: vec![1; 32] },
            candidate: Candidate::Exact { kind: HashKind::Blake3, hash: vec![1; 32], key: key_in(3) },
        };
        hits.push(exact);
        strongest_first(&mut hits);
        assert_eq!(requested_buckets(&hits, 16)[..2], [3, 7]);

        // Few hits: every key of each, the same bucket once.
        let few = [perceptual_hit(&[key_in(5), key_in(6)]), perceptual_hit(&[key_in(6), key_in(9)])];
        assert_eq!(requested_buckets(&few, 16), [5, 6, 9]);
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
