//! The SDK's main job: hash an image, check the bundle's filters, apply the policy, and on a hit return
//! the prompt to show and/or a signed report.
//!
//! Privacy is structural here. Everything computed about an image lives in locals of the scan call; a
//! non-match returns [`ScanOutcome::NoMatch`], which carries nothing, and logs nothing about the image.
//! Only matches reach the decision state, and only as entry keys and times.
//!
//! A `Scanner` is `Send + Sync` with no global state: apps scan from many threads at once. Bundle updates
//! swap an `Arc`: scans in flight finish on the bundle they started with, new scans see the new one.
//! Updates are linearisable: one lock covers verification against the trust state and installation, so
//! racing updates (full or delta, in any order) end on the newest bundle and never roll the state back.
//!
//! Nothing outside the app's own choices can switch scanning off: the scanner only accepts the bundle ids
//! the app pinned, and a bundle that is expired or not yet valid by the device clock keeps scanning,
//! marked stale in [`BundleInfo`] (its policy says what it still does; see [`crate::policy::StaleMode`]).
//! An app with a time it trusts more than the device clock passes it ([`ScannerConfig::trusted_time`],
//! [`Scanner::set_trusted_time`]); it then advances on the monotonic clock, which the user cannot set.

// Untrusted input flows through here: no panicking shortcuts outside tests (checked by clippy in CI).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub(crate) mod loaded;
pub(crate) mod pending;
mod permits;
mod video;

use crate::bundle::{self, BundleError, SectionKind, StaleReason, TrustConfig, TrustState, VerifiedBundle};
use crate::decode::{DecodeError, DecodeLimits, PixelBuffer};
use crate::entry_key::entry_key;
use crate::exact::{ExactHashes, HashKind};
use crate::hashing::{self, HashOptions};
use crate::pdq::{Dihedral, OrientedHashes, PdqHash};
use crate::policy::{self, Action, AppOverrides, DecisionState, MatchClass};
use crate::filter::FilterError;
use crate::policy::PolicyError;
use crate::prompts::PromptError;
use crate::report::{ReportError, MAX_CONTEXT_LEN};
use crate::prompts::PromptContent;
use crate::report::{DeviceKey, MatchStrength, MatchedEntry, VideoEvidence, MAX_VIDEO_FRAMES};
use crate::confirm::{self, Candidate, ConfirmError, ConfirmationRequest};
use loaded::LoadedBundle;
use permits::ScanPermits;
pub use pending::PendingConfirmation;
use std::sync::atomic::{AtomicBool, Ordering};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

/// A match to act on: how it matched, its class, the entry key caps count by, and what its report names.
pub(crate) struct Matched {
    pub(crate) kind: MatchKind,
    pub(crate) class: MatchClass,
    pub(crate) key: u64,
    pub(crate) entry: MatchedEntry,
    /// For a video: its frame count and more matched frames.
    pub(crate) video: Option<VideoEvidence>,
}

/// A filter hit, before the policy or confirmation.
pub(crate) struct Hit {
    pub(crate) kind: MatchKind,
    pub(crate) class: MatchClass,
    /// The entry key caps count by (for unconfirmed classes: the key that hit).
    pub(crate) key: u64,
    pub(crate) entry: MatchedEntry,
    pub(crate) candidate: Candidate,
}

/// How a scanner behaves; everything here is the app's choice. Made with [`ScannerConfig::new`], then
/// adjusted field by field (`#[non_exhaustive]`: new fields are not a breaking change).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ScannerConfig {
    /// The list providers the app trusts and how many must sign.
    pub trust: TrustConfig,
    /// The bundle series the app accepts (e.g. `["acme-csam"]`; at least one). A bundle with any other id
    /// is refused, however validly signed, and an update cannot switch the active series.
    pub bundle_ids: Vec<String>,
    /// The user's locale (BCP 47), for prompt texts.
    pub locale: String,
    /// The user's region (ISO 3166 alpha-2), for help links; from the locale if absent.
    pub region: Option<String>,
    /// Stricter settings than the bundle's policy.
    pub overrides: AppOverrides,
    /// Decoding limits.
    pub limits: DecodeLimits,
    /// Opaque app context put into reports (at most 1024 bytes).
    pub report_context: Vec<u8>,
    /// A time the app trusts (unix seconds, e.g. from its server) to use instead of the device clock.
    pub trusted_time: Option<u64>,
    /// Show only the built-in prompt texts and links, whatever the bundle ships.
    pub builtin_prompts_only: bool,
    /// Hosts a bundle's help links may point to; `None`: the hosts of the built-in links.
    pub allowed_link_hosts: Option<Vec<String>>,
    /// Most scans that run at once in this scanner; more wait (`None`: no bound). With `limits`, this
    /// bounds the scanner's decoding memory: see [`DecodeLimits::low_memory`] for extensions.
    pub max_concurrent_scans: Option<usize>,
}

impl ScannerConfig {
    /// A configuration with the defaults for everything but trust, pinned bundle ids and locale.
    pub fn new(trust: TrustConfig, bundle_ids: Vec<String>, locale: impl Into<String>) -> ScannerConfig {
        ScannerConfig {
            trust,
            bundle_ids,
            locale: locale.into(),
            region: None,
            overrides: AppOverrides::default(),
            limits: DecodeLimits::default(),
            report_context: Vec::new(),
            trusted_time: None,
            builtin_prompts_only: false,
            allowed_link_hosts: None,
            max_concurrent_scans: None,
        }
    }
}

/// A configuration that could only fail later (on a match, or silently): refused when the scanner is
/// created or a bundle is installed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("no bundle id is pinned: ScannerConfig::bundle_ids must name the accepted bundle series")]
    NoBundleIds,
    #[error("the report context is {len} bytes, over the {max} byte limit")]
    ReportContextTooLong { len: usize, max: usize },
    #[error("the policy of bundle {bundle_id:?} asks for reports but no device key is set")]
    NoDeviceKey { bundle_id: String },
}

/// What a scan found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanOutcome {
    /// Not on the list. Carries nothing about the image, by design.
    NoMatch,
    Match(Box<MatchInfo>),
    /// A filter hit that the policy says must be confirmed: send its request to the platform and pass
    /// the answer to [`Scanner::confirm`]. Nothing is shown or reported before that (unless the policy
    /// allows a provisional prompt).
    NeedsConfirmation(Box<PendingConfirmation>),
}

/// How an image matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// An exact hash of the file (or the image's exact PDQ hash) is listed.
    Exact { algorithm: HashKind },
    /// A near PDQ match, for one rotation/flip of the image.
    Perceptual { variant: Dihedral, strength: MatchStrength },
}

/// A match, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchInfo {
    pub kind: MatchKind,
    pub bundle_id: String,
    pub list_id: String,
    pub bundle_sequence: u64,
    /// What the policy asks the app to do now (`None` when a cap holds it back; classes the policy
    /// ignores never produce a match).
    pub action: Action,
    /// The content to show, when the action includes a prompt.
    pub prompt: Option<PromptContent>,
    /// The signed report to send, when the action includes one and a device key is set.
    pub report: Option<Vec<u8>>,
}

/// Facts about the active bundle an app can show (e.g. "list version 42").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleInfo {
    pub bundle_id: String,
    pub list_ids: Vec<String>,
    pub sequence: u64,
    pub root_hex: String,
    pub expires: u64,
    /// When the bundle was made (unix seconds): it is not valid more than a day before.
    pub created: u64,
    pub exact_entries: u64,
    pub perceptual_entries: u64,
    /// Why the bundle is stale at the time asked, if it is: it keeps scanning as its policy says.
    pub stale: Option<StaleReason>,
}

/// Why a scan or a bundle operation failed. Each variant carries the typed cause (its `source`), so that a
/// caller tells the cases apart by matching, never by reading the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    #[error("the image could not be read: {0}")]
    Image(#[from] DecodeError),
    /// The bundle or delta itself was refused (signatures, rollback, bundle id, base, format).
    #[error("the bundle was refused: {0}")]
    Bundle(#[from] BundleError),
    #[error("the configuration is invalid: {0}")]
    Config(#[from] ConfigError),
    /// A validly signed bundle's section could not be used.
    #[error("the bundle's {section:?} section is invalid: {source}")]
    Section { section: SectionKind, source: SectionError },
    /// The app's saved decision state could not be read.
    #[error("the saved decision state is invalid: {0}")]
    DecisionState(#[source] PolicyError),
    #[error("the report could not be made: {0}")]
    Report(#[from] ReportError),
    #[error("the confirmation was refused: {0}")]
    Confirmation(#[from] ConfirmError),
    #[error("the scan was cancelled")]
    Cancelled,
    /// A bug in imageguard (a caught panic, a broken invariant): `what` says where.
    #[error("internal error: {what}")]
    Internal { what: &'static str },
}

/// Why a section of a signed bundle could not be used, by section type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SectionError {
    #[error(transparent)]
    Filter(#[from] FilterError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// Unreadable, or refused by validation (links, texts, lengths: see [`crate::prompts`]).
    #[error(transparent)]
    Prompts(#[from] PromptError),
    #[error(transparent)]
    Commitment(#[from] ConfirmError),
    #[error(transparent)]
    ReportKey(#[from] ReportError),
}

impl ScanError {
    /// For `map_err`: a failure reading `section` of a signed bundle.
    pub(crate) fn in_section<E: Into<SectionError>>(section: SectionKind) -> impl FnOnce(E) -> ScanError {
        move |source| ScanError::Section { section, source: source.into() }
    }
}

/// Something to scan in a batch.
pub enum ScanInput<'a> {
    Bytes(&'a [u8]),
    File(&'a Path),
    Pixels(PixelBuffer<'a>),
}

pub struct Scanner {
    config: ScannerConfig,
    bundle: RwLock<Arc<LoadedBundle>>,
    trust_state: Mutex<TrustState>,
    decisions: Mutex<DecisionState>,
    device_key: Option<DeviceKey>,
    /// Held across verification and installation of an update.
    update_lock: Mutex<()>,
    /// A trusted time and the monotonic instant it was given at.
    trusted_time: Mutex<Option<(u64, Instant)>>,
    /// At most `config.max_concurrent_scans` scans in flight.
    permits: ScanPermits,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scanner({:?})", self.bundle_info())
    }
}

/// Runs `f`, turning a panic into [`ScanError::Internal`]: panics never reach the app.
fn guarded<T>(f: impl FnOnce() -> Result<T, ScanError>) -> Result<T, ScanError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(ScanError::Internal { what: "an unexpected failure inside imageguard (a caught panic)" }))
}

impl Scanner {
    /// A scanner over a bundle, verified against `config.trust` and the app's saved `trust_state` and
    /// `decision_state` (empty slices on first use). `device_key` signs reports.
    pub fn new(
        bundle_bytes: Vec<u8>,
        config: ScannerConfig,
        trust_state: &[u8],
        decision_state: &[u8],
        device_key: Option<DeviceKey>,
    ) -> Result<Scanner, ScanError> {
        let now = config.trusted_time.unwrap_or_else(crate::clock::unix_seconds);
        Scanner::new_at(bundle_bytes, config, trust_state, decision_state, device_key, now)
    }

    /// [`Scanner::new`] at a given time (unix seconds), for tests and tools.
    pub fn new_at(
        bundle_bytes: Vec<u8>,
        config: ScannerConfig,
        trust_state: &[u8],
        decision_state: &[u8],
        device_key: Option<DeviceKey>,
        now: u64,
    ) -> Result<Scanner, ScanError> {
        guarded(|| {
            let mut state = if trust_state.is_empty() { TrustState::new() } else { TrustState::from_bytes(trust_state)? };
            let decisions = if decision_state.is_empty() {
                DecisionState::new()
            } else {
                DecisionState::from_bytes(decision_state).map_err(ScanError::DecisionState)?
            };
            if config.bundle_ids.is_empty() {
                return Err(ConfigError::NoBundleIds.into());
            }
            if config.report_context.len() > MAX_CONTEXT_LEN {
                let (len, max) = (config.report_context.len(), MAX_CONTEXT_LEN);
                return Err(ConfigError::ReportContextTooLong { len, max }.into());
            }
            let verified = bundle::verify_signed_bundle(bundle_bytes, &config.trust, &state)?;
            check_pinned(&config, &verified, None)?;
            let loaded = LoadedBundle::load(verified, &config)?;
            check_reporting(&loaded, device_key.is_some())?;
            loaded.verified.accept(&mut state)?;
            log_installed("loaded", &loaded, now);
            let trusted_time = Mutex::new(config.trusted_time.map(|t| (t, Instant::now())));
            let permits = ScanPermits::new(config.max_concurrent_scans);
            Ok(Scanner {
                permits,
                config,
                bundle: RwLock::new(Arc::new(loaded)),
                trust_state: Mutex::new(state),
                decisions: Mutex::new(decisions),
                device_key,
                update_lock: Mutex::new(()),
                trusted_time,
            })
        })
    }

    /// Gives the scanner a time the app trusts (unix seconds, e.g. from its server). From then on the
    /// scanner's clock is that time advanced by the monotonic clock, not the device's wall clock.
    pub fn set_trusted_time(&self, unix_seconds: u64) {
        *self.trusted_time.lock().unwrap_or_else(|p| p.into_inner()) = Some((unix_seconds, Instant::now()));
    }

    /// The scanner's idea of now: the trusted time if the app gave one, else the device clock.
    pub fn now(&self) -> u64 {
        match *self.trusted_time.lock().unwrap_or_else(|p| p.into_inner()) {
            Some((time, at)) => time.saturating_add(at.elapsed().as_secs()),
            None => crate::clock::unix_seconds(),
        }
    }

    fn current(&self) -> Arc<LoadedBundle> {
        match self.bundle.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Verifies and installs an update under the update lock, so that no other update can be accepted
    /// between the trust-state snapshot `verify` checks against and the installation.
    fn update_with(
        &self,
        now: u64,
        verify: impl FnOnce(&LoadedBundle, &TrustState) -> Result<VerifiedBundle, BundleError>,
    ) -> Result<BundleInfo, ScanError> {
        let _update = self.update_lock.lock().unwrap_or_else(|p| p.into_inner());
        let base = self.current();
        let snapshot = self.trust_state.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let verified = verify(&base, &snapshot)?;
        check_pinned(&self.config, &verified, Some(&base.verified))?;
        let loaded = LoadedBundle::load(verified, &self.config)?;
        check_reporting(&loaded, self.device_key.is_some())?;
        let mut state = self.trust_state.lock().unwrap_or_else(|p| p.into_inner());
        // Refuses anything older than what is accepted now (not only in the snapshot).
        loaded.verified.accept(&mut state)?;
        let loaded = Arc::new(loaded);
        let info = info_of(&loaded, now);
        *self.bundle.write().unwrap_or_else(|p| p.into_inner()) = loaded.clone();
        drop(state);
        log_installed("installed", &loaded, now);
        Ok(info)
    }

    /// Replaces the bundle with a newer full bundle. Nothing changes if any check fails.
    pub fn update_bundle(&self, bytes: Vec<u8>) -> Result<BundleInfo, ScanError> {
        self.update_bundle_at(bytes, self.now())
    }

    /// [`Scanner::update_bundle`] at a given (trusted) time, unix seconds: it only decides staleness.
    pub fn update_bundle_at(&self, bytes: Vec<u8>, now: u64) -> Result<BundleInfo, ScanError> {
        guarded(|| self.update_with(now, |_, state| bundle::verify_signed_bundle(bytes, &self.config.trust, state)))
    }

    /// Applies a delta to the active bundle. Nothing changes if any check fails.
    pub fn apply_delta(&self, delta: &[u8]) -> Result<BundleInfo, ScanError> {
        self.apply_delta_at(delta, self.now())
    }

    /// [`Scanner::apply_delta`] at a given (trusted) time, unix seconds: it only decides staleness.
    pub fn apply_delta_at(&self, delta: &[u8], now: u64) -> Result<BundleInfo, ScanError> {
        guarded(|| {
            self.update_with(now, |base, state| bundle::apply_delta_any_time(&base.verified, delta, &self.config.trust, state))
        })
    }

    /// The active bundle's identity: show it, or check its root against the platform's published roots.
    /// Staleness is judged at [`Scanner::now`].
    pub fn bundle_info(&self) -> BundleInfo {
        info_of(&self.current(), self.now())
    }

    /// [`Scanner::bundle_info`] with staleness judged at `now` (unix seconds).
    pub fn bundle_info_at(&self, now: u64) -> BundleInfo {
        info_of(&self.current(), now)
    }

    /// The active bundle's bytes, for the app to store (e.g. after applying a delta).
    pub fn bundle_bytes(&self) -> Arc<Vec<u8>> {
        self.current().verified.bytes().clone()
    }

    /// The trust state to persist (anti-rollback).
    pub fn trust_state(&self) -> Vec<u8> {
        self.trust_state.lock().unwrap_or_else(|p| p.into_inner()).to_bytes()
    }

    /// The decision state to persist (thresholds and caps).
    pub fn decision_state(&self) -> Vec<u8> {
        self.decisions.lock().unwrap_or_else(|p| p.into_inner()).to_bytes()
    }

    /// Scans encoded image bytes.
    pub fn scan_bytes(&self, bytes: &[u8]) -> Result<ScanOutcome, ScanError> {
        self.scan_bytes_at(bytes, self.now())
    }

    pub fn scan_bytes_at(&self, bytes: &[u8], now: u64) -> Result<ScanOutcome, ScanError> {
        let _permit = self.permits.acquire();
        self.scan_bytes_holding_permit(bytes, now)
    }

    fn scan_bytes_holding_permit(&self, bytes: &[u8], now: u64) -> Result<ScanOutcome, ScanError> {
        guarded(|| {
            let bundle = self.current();
            let options = HashOptions { limits: self.config.limits, exact: bundle.exact_request, jpeg_fast_path: true };
            // Exact hashes need no decoding: a listed file matches even when the decoder refuses it.
            let (exact, pictures) = hashing::exact_then_pictures(bytes, &options);
            let pictures = match pictures {
                Ok(pictures) => pictures,
                Err(error) => {
                    return match self.decide(&bundle, [None], Some(&exact), now)? {
                        ScanOutcome::NoMatch => Err(error.into()),
                        found => Ok(found),
                    };
                }
            };
            // Every picture the image shows (reference, alpha composites, frames, the photo inside a
            // border or screenshot, the widened picture) may match.
            self.decide(&bundle, pictures.queries().map(Some), Some(&exact), now)
        })
    }

    /// Scans a file.
    pub fn scan_file(&self, path: &Path) -> Result<ScanOutcome, ScanError> {
        let _permit = self.permits.acquire(); // before reading: the file's bytes count against the bound too
        let bytes = hashing::read_file(path, &self.config.limits)?;
        self.scan_bytes_holding_permit(&bytes, self.now())
    }

    /// Scans raw pixels (perceptual matching only: there are no file bytes to hash exactly).
    pub fn scan_pixels(&self, pixels: &PixelBuffer<'_>) -> Result<ScanOutcome, ScanError> {
        self.scan_pixels_at(pixels, self.now())
    }

    pub fn scan_pixels_at(&self, pixels: &PixelBuffer<'_>, now: u64) -> Result<ScanOutcome, ScanError> {
        let _permit = self.permits.acquire();
        guarded(|| {
            let bundle = self.current();
            let pictures = hashing::query_pixels(pixels, &self.config.limits)?;
            self.decide(&bundle, pictures.queries().map(Some), None, now)
        })
    }

    /// The most scans this scanner has run at once so far (never above `max_concurrent_scans`).
    pub fn peak_concurrent_scans(&self) -> usize {
        self.permits.peak()
    }

    /// Scans many inputs, calling `progress(done, total)` after each; when it returns `false` the
    /// remaining inputs are not scanned and report [`ScanError::Cancelled`].
    pub fn scan_batch(
        &self,
        inputs: &[ScanInput<'_>],
        mut progress: impl FnMut(usize, usize) -> bool,
    ) -> Vec<Result<ScanOutcome, ScanError>> {
        let mut cancelled = false;
        let total = inputs.len();
        inputs
            .iter()
            .enumerate()
            .map(|(i, input)| {
                if cancelled {
                    return Err(ScanError::Cancelled);
                }
                let result = match input {
                    ScanInput::Bytes(bytes) => self.scan_bytes(bytes),
                    ScanInput::File(path) => self.scan_file(path),
                    ScanInput::Pixels(pixels) => self.scan_pixels(pixels),
                };
                cancelled = !progress(i + 1, total);
                result
            })
            .collect()
    }

    /// Matching and the policy, over every picture of one image (`None`: an image the core could not
    /// decode, checked by its file hashes only). A hit that needs no confirmation acts at once; the hits
    /// that need one, from *all* pictures, go into one request, so that a crafted filter hit on one
    /// picture cannot hide a real match on another. The hashes never leave this function unless they hit.
    fn decide<'a>(
        &self,
        bundle: &Arc<LoadedBundle>,
        pictures: impl IntoIterator<Item = Option<&'a dyn OrientedHashes>>,
        exact: Option<&ExactHashes>,
        now: u64,
    ) -> Result<ScanOutcome, ScanError> {
        #[cfg(test)]
        tests::maybe_induced_panic();
        // Expiry is judged at every scan: a stale bundle keeps matching, as its policy says.
        let stale_policy = bundle::staleness(bundle.verified.header(), now).map(|_| bundle.policy.when_stale());
        let policy = stale_policy.as_ref().unwrap_or(&bundle.policy);
        let mut to_confirm: Vec<Hit> = Vec::new();
        for features in pictures {
            let mut hits = find_hits(bundle, policy, features, exact);
            if let Some(hit) = hits.iter().position(|hit| !policy.requires_confirmation(hit.class)).map(|i| hits.swap_remove(i)) {
                let matched = Matched { kind: hit.kind, class: hit.class, key: hit.key, entry: hit.entry, video: None };
                return self.act(bundle, matched, now);
            }
            // The file's exact hashes are checked with every picture: one candidate each.
            for hit in hits {
                if !to_confirm.iter().any(|seen| seen.candidate == hit.candidate) {
                    to_confirm.push(hit);
                }
            }
        }
        if to_confirm.is_empty() {
            return Ok(ScanOutcome::NoMatch);
        }
        self.pending(bundle, to_confirm, now, None)
    }
}

/// The filter hits of one picture under `policy`, exact ones first; empty when nothing the policy acts
/// on hit, or the negative list suppresses the picture. Also how video frames are probed.
pub(crate) fn find_hits(
    bundle: &LoadedBundle,
    policy: &policy::Policy,
    features: Option<&dyn OrientedHashes>,
    exact: Option<&ExactHashes>,
) -> Vec<Hit> {
    let salt = bundle.verified.header().salt;
    // Without features (an image the core could not decode) only the file's exact hashes are checked.
    let quality_ok = features.is_some_and(|f| f.quality() >= policy.min_quality);
    // What the reference derives (exact PDQ lists hold these), and what the device probes with.
    let dihedral: Vec<PdqHash> =
        features.filter(|f| f.looked_up_exactly()).map(|f| f.derived_hashes().to_vec()).unwrap_or_default();
    let oriented: Vec<PdqHash> = features.map(|f| f.oriented_hashes().to_vec()).unwrap_or_default();

    // A known false positive (by its file hash or its PDQ hash) triggers nothing at all.
    let negative = &bundle.negative;
    if !negative.is_empty()
        && (exact.into_iter().flat_map(ExactHashes::iter).any(|(kind, hash)| negative.suppresses_key(entry_key(&salt, kind, hash)))
            || negative.suppresses_pdq(&dihedral)
            || negative.suppresses_pdq(&oriented))
    {
        return Vec::new();
    }

    // Exact first: file hashes, then the image's exact PDQ hashes; then near PDQ matches. A class the
    // policy ignores (by default, weak perceptual hits without confirmation) is not looked for and is
    // not a match: nothing is returned, logged or recorded about it.
    let confirmable = bundle.commitment.is_some();
    let acted_on = |class| {
        let confirmed_first = policy.requires_confirmation(class);
        policy.action(class) != Action::None
            && (if confirmed_first { confirmable } else { class != MatchClass::PerceptualWeak })
    };
    let mut hits: Vec<Hit> = Vec::new();
    if let Some(filter) = bundle.exact.as_ref().filter(|_| acted_on(MatchClass::Exact)) {
        let file_hashes = exact.into_iter().flat_map(ExactHashes::iter);
        let pdq_hashes = dihedral.iter().filter(|_| quality_ok).map(|h| (HashKind::PdqExact, &h.0[..]));
        hits.extend(file_hashes.chain(pdq_hashes).filter(|(kind, hash)| filter.contains(*kind, hash)).map(|(kind, hash)| {
            let key = entry_key(&salt, kind, hash);
            Hit {
                kind: MatchKind::Exact { algorithm: kind },
                class: MatchClass::Exact,
                key,
                entry: MatchedEntry::Exact { kind, hash: hash.to_vec() },
                candidate: Candidate::Exact { kind, hash: hash.to_vec(), key },
            }
        }));
    }
    // Without confirmation an exact hit settles it; with it, a perceptual hit is a second candidate
    // (so that a crafted exact collision cannot hide a real near match).
    let needs_perceptual = hits.iter().all(|hit| policy.requires_confirmation(hit.class));
    if needs_perceptual && quality_ok {
        if let Some((hit, features)) =
            bundle.perceptual.as_ref().zip(features).and_then(|(filter, features)| Some((filter.query(features)?, features)))
        {
            let class = match hit.strength {
                MatchStrength::Strong => MatchClass::PerceptualStrong,
                MatchStrength::Weak => MatchClass::PerceptualWeak,
            };
            if acted_on(class) {
                let keys = hit.hit_keys.iter().take(usize::from(hit.bands_hit)).copied().collect();
                hits.push(Hit {
                    kind: MatchKind::Perceptual { variant: hit.variant, strength: hit.strength },
                    class,
                    key: hit.entry_key,
                    entry: MatchedEntry::Perceptual { hash: hit.hash, variant: hit.variant, strength: hit.strength },
                    candidate: Candidate::Perceptual { hashes: Box::new(features.oriented_hashes()), keys },
                });
            }
        }
    }
    // A smooth picture's PDQ hits are PDQ's own false positives (a sky, a wall: see `pdq::smooth`).
    // Checked only once something hit: the check costs more than the lookups.
    let from_pdq = |hit: &Hit| !matches!(hit.candidate, Candidate::Exact { kind, .. } if kind != HashKind::PdqExact);
    if hits.iter().any(from_pdq) && features.is_some_and(crate::pdq::smooth::is_smooth_picture) {
        hits.retain(|hit| !from_pdq(hit));
    }
    hits
}

impl Scanner {
    /// A confirmation request for `hits` (all of which need one), and the handle that will check the
    /// answer. For a video, `video` says how many confirmed frames make a match.
    fn pending(
        &self,
        bundle: &Arc<LoadedBundle>,
        mut hits: Vec<Hit>,
        now: u64,
        video: Option<pending::VideoConfirmation>,
    ) -> Result<ScanOutcome, ScanError> {
        let commitment = bundle.commitment.ok_or(ScanError::Internal { what: "confirmation without a commitment" })?;
        let header = bundle.verified.header();
        pending::strongest_first(&mut hits);
        let buckets = pending::requested_buckets(&hits, commitment.bucket_bits);
        let request = ConfirmationRequest::new(&header.bundle_id, header.sequence, buckets)?;
        let minutes = crate::clock::minutes(now);
        let request_bytes = request.to_bytes(self.device_key.as_ref().map(|key| (key.signing_key(), minutes)));
        let provisional_prompt = bundle
            .policy
            .provisional_prompt
            .then(|| hits.iter().any(|hit| bundle.policy.action(hit.class).prompts()))
            .filter(|&prompts| prompts)
            .map(|_| bundle.prompts.resolve(&self.config.locale, self.config.region.as_deref()));
        // DEBUG at most, like matches: a candidate is the user's private business, not the app's log.
        log::debug!(target: "imageguard", "candidate in bundle {} v{}: confirmation requested", header.bundle_id, header.sequence);
        Ok(ScanOutcome::NeedsConfirmation(Box::new(PendingConfirmation {
            bundle: Arc::clone(bundle),
            request,
            request_bytes,
            candidates: hits.into_iter().map(|hit| (hit.kind, hit.class, hit.candidate)).collect(),
            provisional_prompt,
            used: Arc::new(AtomicBool::new(false)),
            video,
        })))
    }

    /// Checks the platform's answer to a pending confirmation and, only if it shows a listed entry that
    /// matches, applies the policy as for any match. An answer that shows no such entry gives
    /// [`ScanOutcome::NoMatch`] and leaves no trace; an answer that fails a check (a bad proof, another
    /// request's nonce, a changed byte) is refused with [`ScanError::Confirmation`] and the handle stays
    /// usable for a proper answer. A handle confirms once.
    /// Judged at [`Scanner::now`]: the app's trusted time when it gave one, like scans and updates.
    pub fn confirm(&self, pending: &PendingConfirmation, response: &[u8]) -> Result<ScanOutcome, ScanError> {
        self.confirm_at(pending, response, self.now())
    }

    pub fn confirm_at(&self, pending: &PendingConfirmation, response: &[u8], now: u64) -> Result<ScanOutcome, ScanError> {
        guarded(|| {
            let bundle = &pending.bundle;
            let commitment = bundle.commitment.ok_or(ConfirmError::NoCommitment)?;
            let entries = confirm::verify_response(&commitment, &pending.request, response)?;
            if pending.used.swap(true, Ordering::SeqCst) {
                return Err(ConfirmError::AlreadyUsed.into());
            }
            // Every candidate the answer confirms, in the request's order, each listed entry once.
            let mut confirmed: Vec<(MatchKind, MatchClass, confirm::Confirmed)> = Vec::new();
            for (kind, class, candidate) in &pending.candidates {
                if let Some(c) = confirm::confirm_candidate(candidate, &entries) {
                    if !confirmed.iter().any(|(_, _, seen)| seen.entry == c.entry) {
                        confirmed.push((*kind, *class, c));
                    }
                }
            }
            // A video needs enough distinct listed frames confirmed, not one.
            if pending.video.is_some_and(|video| !video.is_confirmed(&pending.candidates, &entries)) {
                return Ok(ScanOutcome::NoMatch);
            }
            let Some((kind, class, first)) = confirmed.first() else {
                return Ok(ScanOutcome::NoMatch);
            };
            // From here on the match is named by the listed entry, not by the image's own hash.
            let key = entry_key(&bundle.verified.header().salt, first.entry.kind, &first.entry.hash);
            let (kind, entry) = named_by_listed_entry(*kind, first)?;
            let video = match pending.video {
                Some(_) => Some(VideoEvidence {
                    frame_hits: u16::try_from(confirmed.len()).unwrap_or(u16::MAX),
                    more_frames: confirmed
                        .iter()
                        .skip(1)
                        .take(MAX_VIDEO_FRAMES)
                        .map(|(kind, _, c)| named_by_listed_entry(*kind, c).map(|(_, entry)| entry))
                        .collect::<Result<_, _>>()?,
                }),
                None => None,
            };
            self.act(bundle, Matched { kind, class: *class, key, entry, video }, now)
        })
    }

    /// The policy for a (confirmed or not-to-be-confirmed) match of the entry named `key`.
    fn act(&self, bundle: &LoadedBundle, matched: Matched, now: u64) -> Result<ScanOutcome, ScanError> {
        let Matched { kind, class, key, entry, video } = matched;
        // Expiry is judged at the time of acting: a stale bundle keeps matching, as its policy says.
        let stale_policy = bundle::staleness(bundle.verified.header(), now).map(|_| bundle.policy.when_stale());
        let policy = stale_policy.as_ref().unwrap_or(&bundle.policy);
        // The decision is made on a copy of the state, the report signed, and only then the copy kept:
        // a report that cannot be made leaves no decision recorded.
        let header = bundle.verified.header();
        let (decision, report) = {
            let mut decisions = self.decisions.lock().unwrap_or_else(|p| p.into_inner());
            let mut next = decisions.clone();
            let decision = policy::decide(policy, &mut next, class, key, now);
            let report = match (&self.device_key, decision.report) {
                (Some(device_key), true) => {
                    let (bundle_id, list_id, context) = (&header.bundle_id, &bundle.list_id, &self.config.report_context);
                    let signed = device_key.sign_match_report(now, bundle_id, list_id, header.sequence, entry, video, context)?;
                    // Sealed to the platform and padded to one size when the bundle names a report key.
                    Some(match &bundle.report_key {
                        Some(key) => crate::report::seal_report(&signed, key)?,
                        None => signed,
                    })
                }
                // Refused when the bundle was installed (check_reporting); kept as an error, not a silent drop.
                (None, true) => return Err(ConfigError::NoDeviceKey { bundle_id: header.bundle_id.clone() }.into()),
                _ => None,
            };
            *decisions = next;
            (decision, report)
        };
        let prompt = decision
            .prompt
            .then(|| bundle.prompts.resolve(&self.config.locale, self.config.region.as_deref()));
        // DEBUG at most: a match is the user's private business, not the app's log.
        log::debug!(target: "imageguard", "match ({}) in bundle {} v{}: {:?}", class_name(class), header.bundle_id, header.sequence, decision.action());
        Ok(ScanOutcome::Match(Box::new(MatchInfo {
            kind,
            bundle_id: header.bundle_id.clone(),
            list_id: bundle.list_id.clone(),
            bundle_sequence: header.sequence,
            action: decision.action(),
            prompt,
            report,
        })))
    }
}

/// How a confirmed candidate is named in the match and its report: by the listed entry (for a perceptual
/// hit, the listed PDQ hash and the rotation/flip that came nearest).
fn named_by_listed_entry(kind: MatchKind, confirmed: &confirm::Confirmed) -> Result<(MatchKind, MatchedEntry), ScanError> {
    let listed = &confirmed.entry;
    Ok(match (kind, confirmed.variant) {
        (MatchKind::Perceptual { strength, .. }, Some(variant)) => {
            let hash = crate::pdq::PdqHash(listed.hash.as_slice().try_into().map_err(|_| ScanError::Internal { what: "listed PDQ hash length" })?);
            (MatchKind::Perceptual { variant, strength }, MatchedEntry::Perceptual { hash, variant, strength })
        }
        _ => (kind, MatchedEntry::Exact { kind: listed.kind, hash: listed.hash.clone() }),
    })
}

fn class_name(class: MatchClass) -> &'static str {
    match class {
        MatchClass::Exact => "exact",
        MatchClass::PerceptualStrong => "perceptual, strong",
        MatchClass::PerceptualWeak => "perceptual, weak",
    }
}

fn info_of(bundle: &LoadedBundle, now: u64) -> BundleInfo {
    let header = bundle.verified.header();
    BundleInfo {
        bundle_id: header.bundle_id.clone(),
        list_ids: header.list_ids.clone(),
        sequence: header.sequence,
        root_hex: bundle.verified.root_hex(),
        expires: header.expires,
        created: header.created,
        exact_entries: bundle.exact.as_ref().map_or(0, |f| f.len()),
        perceptual_entries: bundle.perceptual.as_ref().map_or(0, |f| f.entries()),
        stale: bundle::staleness(header, now),
    }
}

/// Only the pinned series, and on an update only the active one.
fn check_pinned(config: &ScannerConfig, next: &VerifiedBundle, active: Option<&VerifiedBundle>) -> Result<(), BundleError> {
    let got = &next.header().bundle_id;
    let expected = match active {
        Some(active) => vec![active.header().bundle_id.clone()],
        None => config.bundle_ids.clone(),
    };
    if !config.bundle_ids.contains(got) || !expected.contains(got) {
        return Err(BundleError::WrongBundleId { got: got.clone(), expected });
    }
    Ok(())
}

/// A policy that reports needs a device key: refused at installation, not discovered on a match.
fn check_reporting(loaded: &LoadedBundle, has_device_key: bool) -> Result<(), ConfigError> {
    let policy = &loaded.policy;
    let reports = [policy.exact, policy.perceptual_strong, policy.perceptual_weak].iter().any(|a| a.reports());
    if reports && !has_device_key {
        return Err(ConfigError::NoDeviceKey { bundle_id: loaded.verified.header().bundle_id.clone() });
    }
    Ok(())
}

fn log_installed(what: &str, loaded: &LoadedBundle, now: u64) {
    let header = loaded.verified.header();
    match bundle::staleness(header, now) {
        None => log::info!(target: "imageguard", "bundle {} v{} {what}", header.bundle_id, header.sequence),
        Some(reason) => {
            log::warn!(target: "imageguard", "bundle {} v{} {what}, stale ({reason:?}): scanning continues", header.bundle_id, header.sequence)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{sign_bundle, BundleHeader, TrustConfig};
    use crate::lists::BundleSpec;
    use crate::signing::SigningKey;
    use std::cell::Cell;

    thread_local! {
        static INDUCE_PANIC: Cell<bool> = const { Cell::new(false) };
    }

    /// A fault injected into the middle of the scan path (tests only).
    pub(super) fn maybe_induced_panic() {
        if INDUCE_PANIC.with(Cell::get) {
            panic!("induced panic inside the scan path");
        }
    }

    #[test]
    fn a_panic_inside_a_scan_arrives_as_an_internal_error_and_the_scanner_keeps_working() {
        const NOW: u64 = 1_800_000_000;
        let provider = SigningKey::generate().unwrap();
        let header = BundleHeader {
            bundle_id: "panic".into(),
            list_ids: vec!["l".into()],
            sequence: 1,
            created: NOW - 1,
            expires: NOW + 100,
            salt: [1; 32],
        };
        let bundle = sign_bundle(&BundleSpec::new(header).build().unwrap(), &provider).unwrap();
        let config = ScannerConfig::new(TrustConfig::new(vec![provider.verifying_key()], 1).unwrap(), vec!["panic".into()], "en");
        let scanner = Scanner::new_at(bundle, config, &[], &[], Some(DeviceKey::generate().unwrap()), NOW).unwrap();
        // A diagonal gradient: no PDQ quality is needed here, only a scan that reaches the matching code.
        let photo: Vec<u8> = (0..64 * 48).flat_map(|i| [(i % 64 * 4) as u8, (i / 64 * 5) as u8, 128]).collect();
        let pixels = PixelBuffer::new(&photo, 64, 48, 64 * 3, crate::decode::PixelFormat::Rgb8);

        INDUCE_PANIC.with(|flag| flag.set(true));
        let result = scanner.scan_pixels_at(&pixels, NOW);
        INDUCE_PANIC.with(|flag| flag.set(false));
        match result {
            Err(ScanError::Internal { what }) => assert!(what.contains("panic"), "{what}"),
            other => panic!("expected an internal error, got {other:?}"),
        }
        assert_eq!(scanner.scan_pixels_at(&pixels, NOW).unwrap(), ScanOutcome::NoMatch);
    }
}
