//! The SDK's main job: hash an image, check the bundle's filters, apply the policy, and on a hit return
//! the prompt to show and/or a signed report.
//!
//! Privacy is structural here. Everything computed about an image lives in locals of the scan call; a
//! non-match returns [`ScanOutcome::NoMatch`], which carries nothing, and logs nothing about the image.
//! Only matches reach the decision state, and only as entry keys and times.
//!
//! A `Scanner` is `Send + Sync` with no global state: apps scan from many threads at once. Bundle updates
//! swap an `Arc`: scans in flight finish on the bundle they started with, new scans see the new one.

// Untrusted input flows through here: no panicking shortcuts outside tests (checked by clippy in CI).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod loaded;
mod pending;

use crate::bundle::{self, BundleError, TrustConfig, TrustState};
use crate::decode::{DecodeError, DecodeLimits, PixelBuffer};
use crate::entry_key::entry_key;
use crate::exact::{ExactHashes, HashKind};
use crate::hashing::{self, HashOptions};
use crate::pdq::{Dihedral, PdqFeatures};
use crate::policy::{self, Action, AppOverrides, DecisionState, MatchClass};
use crate::prompts::PromptContent;
use crate::report::{DeviceKey, MatchStrength, MatchedEntry};
use crate::confirm::{self, Candidate, ConfirmError, ConfirmationRequest};
use loaded::LoadedBundle;
pub use pending::PendingConfirmation;
use std::sync::atomic::{AtomicBool, Ordering};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

/// A filter hit, before the policy or confirmation.
struct Hit {
    kind: MatchKind,
    class: MatchClass,
    /// The entry key caps count by (for unconfirmed classes: the key that hit).
    key: u64,
    entry: MatchedEntry,
    candidate: Candidate,
}

/// How a scanner behaves; everything here is the app's choice.
#[derive(Debug, Clone)]
pub struct ScannerConfig {
    /// The list providers the app trusts and how many must sign.
    pub trust: TrustConfig,
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
    pub exact_entries: u64,
    pub perceptual_entries: u64,
}

/// Why a scan or a bundle operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    #[error("the image could not be read: {0}")]
    Image(#[from] DecodeError),
    #[error("the bundle was refused: {0}")]
    Bundle(#[from] BundleError),
    #[error("the bundle's content is invalid: {0}")]
    BadBundle(String),
    #[error("the saved state is invalid: {0}")]
    BadState(String),
    #[error("the report could not be made: {0}")]
    Report(String),
    #[error("the confirmation was refused: {0}")]
    Confirmation(#[from] ConfirmError),
    #[error("the scan was cancelled")]
    Cancelled,
    #[error("internal error: {0}")]
    Internal(String),
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
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scanner({:?})", self.bundle_info())
    }
}

fn now_unix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Runs `f`, turning a panic into [`ScanError::Internal`]: panics never reach the app.
fn guarded<T>(f: impl FnOnce() -> Result<T, ScanError>) -> Result<T, ScanError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(ScanError::Internal("an unexpected failure inside imageguard".into())))
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
        Scanner::new_at(bundle_bytes, config, trust_state, decision_state, device_key, now_unix())
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
                DecisionState::from_bytes(decision_state).map_err(|e| ScanError::BadState(e.to_string()))?
            };
            let verified = bundle::verify_bundle(bundle_bytes, &config.trust, &state, now)?;
            let loaded = LoadedBundle::load(verified, &config.overrides)?;
            loaded.verified.accept(&mut state);
            log::info!(target: "imageguard", "bundle {} v{} loaded", loaded.verified.header().bundle_id, loaded.verified.sequence());
            Ok(Scanner {
                config,
                bundle: RwLock::new(Arc::new(loaded)),
                trust_state: Mutex::new(state),
                decisions: Mutex::new(decisions),
                device_key,
            })
        })
    }

    fn current(&self) -> Arc<LoadedBundle> {
        match self.bundle.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn install(&self, loaded: LoadedBundle) -> BundleInfo {
        let mut state = self.trust_state.lock().unwrap_or_else(|p| p.into_inner());
        loaded.verified.accept(&mut state);
        let loaded = Arc::new(loaded);
        let info = info_of(&loaded);
        *self.bundle.write().unwrap_or_else(|p| p.into_inner()) = loaded;
        log::info!(target: "imageguard", "bundle {} v{} installed", info.bundle_id, info.sequence);
        info
    }

    /// Replaces the bundle with a newer full bundle. Nothing changes if any check fails.
    pub fn update_bundle(&self, bytes: Vec<u8>) -> Result<BundleInfo, ScanError> {
        self.update_bundle_at(bytes, now_unix())
    }

    pub fn update_bundle_at(&self, bytes: Vec<u8>, now: u64) -> Result<BundleInfo, ScanError> {
        guarded(|| {
            let state = self.trust_state.lock().unwrap_or_else(|p| p.into_inner()).clone();
            let verified = bundle::verify_bundle(bytes, &self.config.trust, &state, now)?;
            Ok(self.install(LoadedBundle::load(verified, &self.config.overrides)?))
        })
    }

    /// Applies a delta to the active bundle. Nothing changes if any check fails.
    pub fn apply_delta(&self, delta: &[u8]) -> Result<BundleInfo, ScanError> {
        self.apply_delta_at(delta, now_unix())
    }

    pub fn apply_delta_at(&self, delta: &[u8], now: u64) -> Result<BundleInfo, ScanError> {
        guarded(|| {
            let state = self.trust_state.lock().unwrap_or_else(|p| p.into_inner()).clone();
            let base = self.current();
            let verified = bundle::apply_delta(&base.verified, delta, &self.config.trust, &state, now)?;
            Ok(self.install(LoadedBundle::load(verified, &self.config.overrides)?))
        })
    }

    /// The active bundle's identity: show it, or check its root against the platform's published roots.
    pub fn bundle_info(&self) -> BundleInfo {
        info_of(&self.current())
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
        self.scan_bytes_at(bytes, now_unix())
    }

    pub fn scan_bytes_at(&self, bytes: &[u8], now: u64) -> Result<ScanOutcome, ScanError> {
        guarded(|| {
            let bundle = self.current();
            let options = HashOptions { limits: self.config.limits, exact: bundle.exact_request, jpeg_fast_path: true };
            let hashes = hashing::hash_bytes(bytes, &options)?;
            self.decide(&bundle, &hashes.pdq, Some(&hashes.exact), now)
        })
    }

    /// Scans a file.
    pub fn scan_file(&self, path: &Path) -> Result<ScanOutcome, ScanError> {
        let bytes = hashing::read_file(path, &self.config.limits)?;
        self.scan_bytes(&bytes)
    }

    /// Scans raw pixels (perceptual matching only: there are no file bytes to hash exactly).
    pub fn scan_pixels(&self, pixels: &PixelBuffer<'_>) -> Result<ScanOutcome, ScanError> {
        self.scan_pixels_at(pixels, now_unix())
    }

    pub fn scan_pixels_at(&self, pixels: &PixelBuffer<'_>, now: u64) -> Result<ScanOutcome, ScanError> {
        guarded(|| {
            let bundle = self.current();
            let features = hashing::hash_pixels(pixels, &self.config.limits)?;
            self.decide(&bundle, &features, None, now)
        })
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

    /// Matching and the policy. `features` and `exact` never leave this function unless they matched.
    fn decide(
        &self,
        bundle: &Arc<LoadedBundle>,
        features: &PdqFeatures,
        exact: Option<&ExactHashes>,
        now: u64,
    ) -> Result<ScanOutcome, ScanError> {
        #[cfg(test)]
        tests::maybe_induced_panic();
        let salt = bundle.verified.header().salt;
        let policy = &bundle.policy;
        let quality_ok = features.quality() >= policy.min_quality;
        let dihedral = features.dihedral_hashes();

        // A known false positive (by its file hash or its PDQ hash) triggers nothing at all.
        let negative = &bundle.negative;
        if !negative.is_empty()
            && (exact.into_iter().flat_map(ExactHashes::iter).any(|(kind, hash)| negative.suppresses_key(entry_key(&salt, kind, hash)))
                || negative.suppresses_pdq(&dihedral))
        {
            return Ok(ScanOutcome::NoMatch);
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
            if let Some(hit) = bundle.perceptual.as_ref().and_then(|filter| filter.query(features)) {
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
                        candidate: Candidate::Perceptual { hashes: Box::new(dihedral), keys },
                    });
                }
            }
        }
        if let Some(hit) = hits.iter().position(|hit| !policy.requires_confirmation(hit.class)).map(|i| hits.swap_remove(i)) {
            return self.act(bundle, hit.kind, hit.class, hit.key, hit.entry, now);
        }
        if hits.is_empty() {
            return Ok(ScanOutcome::NoMatch);
        }
        self.pending(bundle, hits, now)
    }

    /// A confirmation request for `hits` (all of which need one), and the handle that will check the answer.
    fn pending(&self, bundle: &Arc<LoadedBundle>, hits: Vec<Hit>, now: u64) -> Result<ScanOutcome, ScanError> {
        let commitment = bundle.commitment.ok_or_else(|| ScanError::Internal("confirmation without a commitment".into()))?;
        let header = bundle.verified.header();
        let buckets: Vec<u32> = hits.iter().flat_map(|hit| hit.candidate.buckets(commitment.bucket_bits)).collect();
        let request = ConfirmationRequest::new(&header.bundle_id, header.sequence, buckets)?;
        let minutes = u32::try_from(now / 60).unwrap_or(u32::MAX);
        let request_bytes = request.to_bytes(self.device_key.as_ref().map(|key| (key.signing_key(), minutes)));
        let provisional_prompt = bundle
            .policy
            .provisional_prompt
            .then(|| hits.iter().any(|hit| bundle.policy.action(hit.class).prompts()))
            .filter(|&prompts| prompts)
            .map(|_| bundle.prompts.resolve(&self.config.locale, self.config.region.as_deref()));
        log::info!(target: "imageguard", "candidate in bundle {} v{}: confirmation requested", header.bundle_id, header.sequence);
        Ok(ScanOutcome::NeedsConfirmation(Box::new(PendingConfirmation {
            bundle: Arc::clone(bundle),
            request,
            request_bytes,
            candidates: hits.into_iter().map(|hit| (hit.kind, hit.class, hit.candidate)).collect(),
            provisional_prompt,
            used: Arc::new(AtomicBool::new(false)),
        })))
    }

    /// Checks the platform's answer to a pending confirmation and, only if it shows a listed entry that
    /// matches, applies the policy as for any match. An answer that shows no such entry gives
    /// [`ScanOutcome::NoMatch`] and leaves no trace; an answer that fails a check (a bad proof, another
    /// request's nonce, a changed byte) is refused with [`ScanError::Confirmation`] and the handle stays
    /// usable for a proper answer. A handle confirms once.
    pub fn confirm(&self, pending: &PendingConfirmation, response: &[u8]) -> Result<ScanOutcome, ScanError> {
        self.confirm_at(pending, response, now_unix())
    }

    pub fn confirm_at(&self, pending: &PendingConfirmation, response: &[u8], now: u64) -> Result<ScanOutcome, ScanError> {
        guarded(|| {
            let bundle = &pending.bundle;
            let commitment = bundle.commitment.ok_or(ConfirmError::NoCommitment)?;
            let entries = confirm::verify_response(&commitment, &pending.request, response)?;
            if pending.used.swap(true, Ordering::SeqCst) {
                return Err(ConfirmError::AlreadyUsed.into());
            }
            let confirmed = pending
                .candidates
                .iter()
                .find_map(|(kind, class, candidate)| Some((*kind, *class, confirm::confirm_candidate(candidate, &entries)?)));
            let Some((kind, class, confirmed)) = confirmed else {
                return Ok(ScanOutcome::NoMatch);
            };
            // From here on the match is named by the listed entry, not by the image's own hash.
            let listed = &confirmed.entry;
            let key = entry_key(&bundle.verified.header().salt, listed.kind, &listed.hash);
            let (kind, entry) = match (kind, confirmed.variant) {
                (MatchKind::Perceptual { strength, .. }, Some(variant)) => {
                    let hash = crate::pdq::PdqHash(listed.hash.as_slice().try_into().map_err(|_| ScanError::Internal("listed PDQ hash length".into()))?);
                    (MatchKind::Perceptual { variant, strength }, MatchedEntry::Perceptual { hash, variant, strength })
                }
                _ => (kind, MatchedEntry::Exact { kind: listed.kind, hash: listed.hash.clone() }),
            };
            self.act(bundle, kind, class, key, entry, now)
        })
    }

    /// The policy for a (confirmed or not-to-be-confirmed) match of the entry named `key`.
    fn act(
        &self,
        bundle: &LoadedBundle,
        kind: MatchKind,
        class: MatchClass,
        key: u64,
        entry: MatchedEntry,
        now: u64,
    ) -> Result<ScanOutcome, ScanError> {
        let policy = &bundle.policy;
        let decision = {
            let mut decisions = self.decisions.lock().unwrap_or_else(|p| p.into_inner());
            policy::decide(policy, &mut decisions, class, key, now)
        };
        let header = bundle.verified.header();
        let prompt = decision
            .prompt
            .then(|| bundle.prompts.resolve(&self.config.locale, self.config.region.as_deref()));
        let report = match (&self.device_key, decision.report) {
            (Some(device_key), true) => Some(
                {
                    let signed = device_key
                        .sign_report(now, &header.bundle_id, &bundle.list_id, header.sequence, entry, &self.config.report_context)
                        .map_err(|e| ScanError::Report(e.to_string()))?;
                    // Sealed to the platform and padded to one size when the bundle names a report key.
                    match &bundle.report_key {
                        Some(key) => crate::report::seal_report(&signed, key).map_err(|e| ScanError::Report(e.to_string()))?,
                        None => signed,
                    }
                },
            ),
            (None, true) => {
                log::warn!(target: "imageguard", "the policy asks for a report but no device key is set");
                None
            }
            _ => None,
        };
        log::info!(target: "imageguard", "match ({}) in bundle {} v{}: {:?}", class_name(class), header.bundle_id, header.sequence, decision.action());
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

fn class_name(class: MatchClass) -> &'static str {
    match class {
        MatchClass::Exact => "exact",
        MatchClass::PerceptualStrong => "perceptual, strong",
        MatchClass::PerceptualWeak => "perceptual, weak",
    }
}

fn info_of(bundle: &LoadedBundle) -> BundleInfo {
    let header = bundle.verified.header();
    BundleInfo {
        bundle_id: header.bundle_id.clone(),
        list_ids: header.list_ids.clone(),
        sequence: header.sequence,
        root_hex: bundle.verified.root_hex(),
        expires: header.expires,
        exact_entries: bundle.exact.as_ref().map_or(0, |f| f.len()),
        perceptual_entries: bundle.perceptual.as_ref().map_or(0, |f| f.entries()),
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
        let config = ScannerConfig {
            trust: TrustConfig::new(vec![provider.verifying_key()], 1).unwrap(),
            locale: "en".into(),
            region: None,
            overrides: AppOverrides::default(),
            limits: DecodeLimits::default(),
            report_context: Vec::new(),
        };
        let scanner = Scanner::new_at(bundle, config, &[], &[], None, NOW).unwrap();
        let photo = crate::synthetic::photo(3, 64, 48);
        let pixels = PixelBuffer::new(&photo.pixels, 64, 48, 64 * 3, crate::decode::PixelFormat::Rgb8);

        INDUCE_PANIC.with(|flag| flag.set(true));
        let result = scanner.scan_pixels_at(&pixels, NOW);
        INDUCE_PANIC.with(|flag| flag.set(false));
        match result {
            Err(ScanError::Internal(message)) => assert!(!message.is_empty()),
            other => panic!("expected an internal error, got {other:?}"),
        }
        assert_eq!(scanner.scan_pixels_at(&pixels, NOW).unwrap(), ScanOutcome::NoMatch);
    }
}
