//! Which frames count: the quality gate, and near-identical consecutive frames dropped.
//!
//! A video that holds one picture for ten seconds gives ten frames whose hashes differ by a few bits of
//! encoder noise. Counted as ten, they would let one still (or one unlucky filter collision) pass for ten
//! moments of a video. So a frame counts only when its hash is more than [`NEAR_IDENTICAL_DISTANCE`] bits
//! from the last frame that counted. The same rule runs on both sides: when the platform lists a video's
//! frames, and on the device while it scans one.
//!
//! pytx removes exact duplicates anywhere in the video; comparing with the last counted frame also
//! removes encoder noise, and keeps a scene that returns later (a different moment) as a new frame.

use super::records::VpdqFrame;
use crate::pdq::PdqHash;

/// Frames within this many bits of the last counted frame are the same moment (re-encoding noise is
/// typically 0 to 10 bits; a new scene is 60 or more).
pub const NEAR_IDENTICAL_DISTANCE: u32 = 8;

/// Tracks the last counted frame of one video. Holds one hash at a time, in memory only.
pub struct Distinct {
    min_quality: u8,
    last: Option<PdqHash>,
}

impl std::fmt::Debug for Distinct {
    // Opaque: the last frame's hash is about a frame that may not match.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Distinct { .. }")
    }
}

impl Distinct {
    /// Frames of quality below `min_quality` never count (vPDQ's gate is 50).
    pub fn new(min_quality: u8) -> Distinct {
        Distinct { min_quality, last: None }
    }

    /// Whether a frame counts; if so it becomes the one the next frames are compared with.
    pub fn accept(&mut self, hash: &PdqHash, quality: u8) -> bool {
        if quality < self.min_quality {
            return false;
        }
        if self.last.is_some_and(|last| last.distance(hash) <= NEAR_IDENTICAL_DISTANCE) {
            return false;
        }
        self.last = Some(*hash);
        true
    }
}

/// The hashes of a listed video's frames that count, in order (platform side).
pub fn distinct_frames(frames: &[VpdqFrame], min_quality: u8) -> Vec<PdqHash> {
    let mut distinct = Distinct::new(min_quality);
    frames.iter().filter(|frame| distinct.accept(&frame.hash, frame.quality)).map(|frame| frame.hash).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flipped(base: PdqHash, bits: std::ops::Range<usize>) -> PdqHash {
        let mut hash = base;
        bits.for_each(|k| hash.flip_bit(k));
        hash
    }

    #[test]
    fn low_quality_and_near_identical_consecutive_frames_do_not_count() {
        let a = PdqHash([0x5a; 32]);
        let frame = |hash, quality| VpdqFrame { frame_number: None, quality, hash, timestamp: 0.0 };
        let frames = [
            frame(a, 100),
            frame(flipped(a, 0..8), 90),     // noise: same moment
            frame(flipped(a, 0..9), 90),     // 9 bits from the last counted frame: counts
            frame(flipped(a, 100..200), 49), // below the gate
            frame(flipped(a, 100..200), 50),
            frame(a, 80),                    // the first scene again, later: a new moment
        ];
        let counted = distinct_frames(&frames, 50);
        assert_eq!(counted, vec![a, flipped(a, 0..9), flipped(a, 100..200), a]);
    }
}
