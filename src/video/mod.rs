//! Video: known videos matched frame by frame, interoperable with vPDQ (Meta's ThreatExchange video hash).
//!
//! vPDQ is PDQ of sampled frames: every `floor(fps)`-th frame (one per second) is converted to RGB with an
//! area filter at the video's own size (no 512x512 pre-resize), hashed with PDQ, and frames of quality
//! < 50 are dropped. Two videos match when enough of their frames have a partner within PDQ distance 31.
//! Its two references disagree in details; imageguard follows python-threatexchange (pytx), which is
//! what HMA-style pipelines and shared vPDQ signals use, except where a rule cannot work on a device:
//!
//! | rule | C++ `vpdq` tool | pytx | imageguard |
//! |---|---|---|---|
//! | sampling | every frame by default | 1 per second | 1 per second ([`frame_step`]; apps feed ~1 fps) |
//! | duplicates | kept | exact duplicates removed | near-identical *consecutive* frames removed ([`Distinct`], <= [`NEAR_IDENTICAL_DISTANCE`] bits) |
//! | frame match | distance < 31 | distance <= 31 | <= 31 ([`crate::confirm::MAX_PDQ_DISTANCE`], as for images) |
//! | video match | percentages printed | >= 80% of the query's frames | >= K distinct frame hits and >= a fraction of the query's distinct frames, both in the signed policy |
//!
//! Why: `<= 31` is the PDQ threshold imageguard already uses for stills, so a frame that matches as a
//! video frame also matches as a still. Dropping near-identical consecutive frames (not only exact
//! duplicates) keeps a static scene from counting as many frames (on both sides: the listed frames and
//! the device's), which is what makes "K distinct frame hits" mean K different moments of the video.
//! The 80% query threshold is a policy choice, not a constant: at 80% a known clip embedded in a longer
//! unrelated video is never found (`tests/video.rs` has that case), so the default fraction is 0 and K
//! decides (see [`crate::policy::VideoRule`]); a platform that wants pytx's behaviour sets 80.
//!
//! - [`records`]: vPDQ hash files in both formats, parsed as untrusted input.
//! - [`frame`]: a frame's PDQ from RGB pixels at full size, as the vPDQ hasher does.
//! - [`distinct`]: the quality gate and near-identical consecutive frames.
//! - [`session`]: the device side, one video at a time ([`VideoSession`]).

// Untrusted input flows through here: no panicking shortcuts outside tests (checked by clippy in CI).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod distinct;
pub mod frame;
pub mod records;
pub mod session;

pub use distinct::{distinct_frames, Distinct, NEAR_IDENTICAL_DISTANCE};
pub use frame::{frame_step, hash_frame};
pub use records::{parse_vpdq, VpdqError, VpdqFormat, VpdqFrame};
pub use session::{VideoOutcome, VideoSession};
