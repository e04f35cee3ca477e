//! What to do about a match: the platform's policy, made only stricter by the app, and the local state
//! that enforces thresholds and caps.
//!
//! The policy travels signed inside the bundle, so the platform (not whoever controls an app build) decides
//! which kinds of match prompt the user or produce a report. An app may only make it stricter: add actions
//! or report sooner. Two local rules protect users from a benign collision: a report is made only after
//! `report_threshold` matches within the window, and one list entry triggers at most `per_entry_cap`
//! prompts or reports per window. Their state ([`DecisionState`]) only ever holds keys of *matched* entries
//! and match times; the app persists it as opaque bytes.

// Untrusted input flows through here: no panicking shortcuts outside tests (checked by clippy in CI).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod negative;
mod state;

pub use negative::NegativeList;
pub use state::DecisionState;

use crate::wire::{Reader, Writer};

/// What the app should do about a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Action {
    None = 0,
    Prompt = 1,
    Report = 2,
    PromptAndReport = 3,
}

impl Action {
    pub fn from_id(id: u8) -> Option<Action> {
        [Action::None, Action::Prompt, Action::Report, Action::PromptAndReport].into_iter().find(|a| *a as u8 == id)
    }

    pub fn prompts(self) -> bool {
        matches!(self, Action::Prompt | Action::PromptAndReport)
    }

    pub fn reports(self) -> bool {
        matches!(self, Action::Report | Action::PromptAndReport)
    }

    /// Everything either action asks for.
    pub fn union(self, other: Action) -> Action {
        match (self.prompts() || other.prompts(), self.reports() || other.reports()) {
            (false, false) => Action::None,
            (true, false) => Action::Prompt,
            (false, true) => Action::Report,
            (true, true) => Action::PromptAndReport,
        }
    }
}

/// The kinds of match a policy distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchClass {
    /// An exact hash (cryptographic or the full PDQ hash) is on the list.
    Exact,
    /// Two or more bands of the perceptual filter hit.
    PerceptualStrong,
    /// One band hit: more likely a collision.
    PerceptualWeak,
}

/// Why a policy section or a decision state could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    #[error("the policy data is truncated")]
    Truncated,
    #[error("the policy data is malformed: {0}")]
    Malformed(&'static str),
}

impl From<crate::wire::Truncated> for PolicyError {
    fn from(_: crate::wire::Truncated) -> Self {
        PolicyError::Truncated
    }
}

/// The platform's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub exact: Action,
    pub perceptual_strong: Action,
    pub perceptual_weak: Action,
    /// Images whose PDQ quality is below this are not matched perceptually (too flat to hash reliably).
    pub min_quality: u8,
    /// Report only once this many matches happened within the window (1: on the first).
    pub report_threshold: u16,
    pub window_secs: u32,
    /// At most this many prompts or reports per list entry per window.
    pub per_entry_cap: u16,
    /// What the bundle still does once stale (expired or not yet valid by the device's clock).
    pub stale: StaleMode,
    /// Which classes must be confirmed against the platform's full lists (see [`crate::confirm`]) before
    /// anything is shown or reported. A weak perceptual hit never acts without confirmation.
    pub confirm_exact: bool,
    pub confirm_perceptual_strong: bool,
    pub confirm_perceptual_weak: bool,
    /// Whether the app may show the prompt while a required confirmation is pending (e.g. offline).
    /// Never a report: reports only follow a confirmed match.
    pub provisional_prompt: bool,
    /// When a scanned video matches (see [`crate::video`]).
    pub video: VideoRule,
}

/// When a video matches: enough of its distinct frames hit listed frames. A frame hits as an image does
/// (a perceptual hit of a class the policy acts on, confirmed when the class needs confirmation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VideoRule {
    /// At least this many distinct frames must hit (and, when confirmed, be confirmed), 1 to
    /// [`VideoRule::MAX_MIN_FRAMES`].
    pub min_frames: u16,
    /// And at least this percentage of the video's distinct frames (0 to 100; 0: no fraction).
    pub min_fraction_percent: u8,
}

impl VideoRule {
    /// The most distinct frame hits a policy may require: one confirmation request holds at most 16
    /// buckets, one per frame hit.
    pub const MAX_MIN_FRAMES: u16 = 16;

    /// Whether `hits` of `distinct` frames make a match.
    pub fn is_match(&self, hits: u32, distinct: u32) -> bool {
        hits >= u32::from(self.min_frames)
            && u64::from(hits) * 100 >= u64::from(self.min_fraction_percent) * u64::from(distinct)
    }
}

impl Default for VideoRule {
    /// Three distinct frames, no fraction: `BENCHMARKS.md` ("Video") has the measurement. Three frame
    /// hits keep a 10-minute unrelated video (600 frames at 1 fps) under 1e-6 false candidates as long as
    /// one frame's false-hit rate stays under 3e-5 (the measured rate is ~6e-8 at 1M entries), and a 3 s
    /// clip of a known video is still found. No fraction: pytx's 80% of the query's frames misses a
    /// known clip inside a longer video.
    fn default() -> Self {
        VideoRule { min_frames: 3, min_fraction_percent: 0 }
    }
}

/// What a stale bundle still does. Scanning never stops on a clock: a device whose clock was moved
/// must not be able to switch protection off, so there is deliberately no "stop" mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum StaleMode {
    /// Keep matching and prompting; make no reports (the list may be out of date).
    #[default]
    MatchAndPrompt = 0,
    /// Keep doing everything the policy says, reports included.
    Unchanged = 1,
}

impl StaleMode {
    pub fn from_id(id: u8) -> Option<StaleMode> {
        [StaleMode::MatchAndPrompt, StaleMode::Unchanged].into_iter().find(|m| *m as u8 == id)
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            exact: Action::PromptAndReport,
            perceptual_strong: Action::PromptAndReport,
            // A single band hit is mostly a collision at list scale (~1e-3 per image at 1M entries,
            // BENCHMARKS.md): prompting on it would confront innocent users. Platforms opt in per bundle.
            perceptual_weak: Action::None,
            min_quality: crate::pdq::DEFAULT_MIN_QUALITY,
            report_threshold: 1,
            window_secs: 30 * 86400,
            per_entry_cap: 3,
            stale: StaleMode::MatchAndPrompt,
            // A filter hit is a candidate: every class is confirmed against the real list first.
            confirm_exact: true,
            confirm_perceptual_strong: true,
            confirm_perceptual_weak: true,
            provisional_prompt: false,
            video: VideoRule::default(),
        }
    }
}

/// What an app may add to the platform's policy: only stricter settings take effect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppOverrides {
    /// Actions added to each class (never removed).
    pub exact: Option<Action>,
    pub perceptual_strong: Option<Action>,
    pub perceptual_weak: Option<Action>,
    /// A lower report threshold (a higher one is ignored).
    pub report_threshold: Option<u16>,
    /// Let a class report without prompting when the policy says `Report`. Off by default: a signed
    /// policy alone cannot make a device report silently, so `Report` becomes `PromptAndReport`.
    pub allow_report_without_prompt: bool,
}

/// The first policy layout; still read (bundles from before confirmation: no class is confirmed, as they
/// carry no commitment, and their weak hits never act; the stale mode is the default).
const VERSION_1: u8 = 1;
/// Version 1 plus the confirmation flags u8 and the stale mode u8.
const VERSION_2: u8 = 2;
/// Version 2 plus the video rule: minimum distinct frame hits u16, minimum fraction (percent) u8.
const VERSION_3: u8 = 3;
const CONFIRM_EXACT: u8 = 1;
const CONFIRM_STRONG: u8 = 2;
const CONFIRM_WEAK: u8 = 4;
const PROVISIONAL_PROMPT: u8 = 8;

impl Policy {
    pub fn action(&self, class: MatchClass) -> Action {
        match class {
            MatchClass::Exact => self.exact,
            MatchClass::PerceptualStrong => self.perceptual_strong,
            MatchClass::PerceptualWeak => self.perceptual_weak,
        }
    }

    /// Whether a hit of `class` must be confirmed before it leads to anything.
    pub fn requires_confirmation(&self, class: MatchClass) -> bool {
        match class {
            MatchClass::Exact => self.confirm_exact,
            MatchClass::PerceptualStrong => self.confirm_perceptual_strong,
            MatchClass::PerceptualWeak => self.confirm_perceptual_weak,
        }
    }

    /// The policy with the app's overrides applied where they are stricter.
    pub fn with_app_overrides(&self, overrides: &AppOverrides) -> Policy {
        let add = |base: Action, extra: Option<Action>| {
            let action = extra.map_or(base, |extra| base.union(extra));
            if action == Action::Report && !overrides.allow_report_without_prompt {
                Action::PromptAndReport
            } else {
                action
            }
        };
        Policy {
            exact: add(self.exact, overrides.exact),
            perceptual_strong: add(self.perceptual_strong, overrides.perceptual_strong),
            perceptual_weak: add(self.perceptual_weak, overrides.perceptual_weak),
            report_threshold: overrides.report_threshold.map_or(self.report_threshold, |t| t.clamp(1, self.report_threshold)),
            ..*self
        }
    }

    /// What the policy does while its bundle is stale: reports stop unless the policy says otherwise.
    pub fn when_stale(&self) -> Policy {
        let no_report = |action: Action| if action.prompts() { Action::Prompt } else { Action::None };
        match self.stale {
            StaleMode::Unchanged => *self,
            StaleMode::MatchAndPrompt => Policy {
                exact: no_report(self.exact),
                perceptual_strong: no_report(self.perceptual_strong),
                perceptual_weak: no_report(self.perceptual_weak),
                ..*self
            },
        }
    }

    /// Section payload: version u8 (3), three actions u8, min quality u8, threshold u16, window u32, cap
    /// u16, confirmation flags u8 (1 exact, 2 strong, 4 weak must be confirmed; 8 provisional prompt),
    /// stale mode u8, video minimum frames u16, video minimum fraction u8. Version 1 ends after the cap,
    /// version 2 after the stale mode; both are still read, with the default video rule.
    pub fn to_section_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u8(VERSION_3).u8(self.exact as u8).u8(self.perceptual_strong as u8).u8(self.perceptual_weak as u8);
        w.u8(self.min_quality).u16(self.report_threshold).u32(self.window_secs).u16(self.per_entry_cap);
        let flag = |on: bool, bit: u8| if on { bit } else { 0 };
        w.u8(flag(self.confirm_exact, CONFIRM_EXACT)
            | flag(self.confirm_perceptual_strong, CONFIRM_STRONG)
            | flag(self.confirm_perceptual_weak, CONFIRM_WEAK)
            | flag(self.provisional_prompt, PROVISIONAL_PROMPT));
        w.u8(self.stale as u8);
        w.u16(self.video.min_frames).u8(self.video.min_fraction_percent);
        w.bytes
    }

    pub fn from_section_bytes(bytes: &[u8]) -> Result<Policy, PolicyError> {
        let mut r = Reader::new(bytes);
        let version = r.u8()?;
        if ![VERSION_1, VERSION_2, VERSION_3].contains(&version) {
            return Err(PolicyError::Malformed("unsupported policy version"));
        }
        let action = |id| Action::from_id(id).ok_or(PolicyError::Malformed("unknown action"));
        let policy = Policy {
            exact: action(r.u8()?)?,
            perceptual_strong: action(r.u8()?)?,
            perceptual_weak: action(r.u8()?)?,
            min_quality: r.u8()?,
            report_threshold: r.u16()?,
            window_secs: r.u32()?,
            per_entry_cap: r.u16()?,
            stale: StaleMode::default(),
            confirm_exact: false,
            confirm_perceptual_strong: false,
            confirm_perceptual_weak: false,
            provisional_prompt: false,
            video: VideoRule::default(),
        };
        let policy = if version >= VERSION_2 {
            let flags = r.u8()?;
            if flags & !(CONFIRM_EXACT | CONFIRM_STRONG | CONFIRM_WEAK | PROVISIONAL_PROMPT) != 0 {
                return Err(PolicyError::Malformed("unknown confirmation flags"));
            }
            Policy {
                confirm_exact: flags & CONFIRM_EXACT != 0,
                confirm_perceptual_strong: flags & CONFIRM_STRONG != 0,
                confirm_perceptual_weak: flags & CONFIRM_WEAK != 0,
                provisional_prompt: flags & PROVISIONAL_PROMPT != 0,
                stale: StaleMode::from_id(r.u8()?).ok_or(PolicyError::Malformed("unknown stale mode"))?,
                ..policy
            }
        } else {
            policy
        };
        let policy = if version >= VERSION_3 {
            Policy { video: VideoRule { min_frames: r.u16()?, min_fraction_percent: r.u8()? }, ..policy }
        } else {
            policy
        };
        if !r.is_empty() {
            return Err(PolicyError::Malformed("trailing bytes"));
        }
        policy.validate()?;
        Ok(policy)
    }

    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.min_quality > 100 {
            return Err(PolicyError::Malformed("minimum quality over 100"));
        }
        if self.report_threshold == 0 || self.window_secs == 0 || self.per_entry_cap == 0 {
            return Err(PolicyError::Malformed("threshold, window and cap must be positive"));
        }
        if !(1..=VideoRule::MAX_MIN_FRAMES).contains(&self.video.min_frames) || self.video.min_fraction_percent > 100 {
            return Err(PolicyError::Malformed("video: 1 to 16 frames and a fraction of at most 100%"));
        }
        Ok(())
    }
}

/// The outcome of applying the policy to one match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub prompt: bool,
    pub report: bool,
}

impl Decision {
    pub fn action(self) -> Action {
        match (self.prompt, self.report) {
            (false, false) => Action::None,
            (true, false) => Action::Prompt,
            (false, true) => Action::Report,
            (true, true) => Action::PromptAndReport,
        }
    }
}

/// Decides what one match of `entry_key` (an [`crate::entry_key`] value) at `now` leads to, and records
/// it in `state`.
pub fn decide(policy: &Policy, state: &mut DecisionState, class: MatchClass, entry_key: u64, now: u64) -> Decision {
    let action = policy.action(class);
    if action == Action::None {
        return Decision { prompt: false, report: false };
    }
    let window = u64::from(policy.window_secs);
    state.prune(now, window);
    if state.entry_count(entry_key) >= u32::from(policy.per_entry_cap) {
        return Decision { prompt: false, report: false };
    }
    state.record(entry_key, now);
    let matches_in_window = state.matches_since(now.saturating_sub(window));
    let report = action.reports()
        && matches_in_window >= u32::from(policy.report_threshold)
        && state.reports_since(now.saturating_sub(REPORT_CAP_WINDOW_SECS)) < DEVICE_REPORT_CAP;
    if report {
        state.record_report(now);
    }
    Decision { prompt: action.prompts(), report }
}

/// At most this many reports per device per [`REPORT_CAP_WINDOW_SECS`], whatever the bundle's policy
/// says: a hostile policy cannot turn a device into a stream of reports.
pub const DEVICE_REPORT_CAP: u32 = 10;
pub const REPORT_CAP_WINDOW_SECS: u64 = 86400;
