//! The SDK's own persistence: bundle, trust state and decision state in one directory the app names.
//!
//! Without it every app must store three blobs in the right order with atomic writes; getting it wrong
//! (trust state saved, new bundle not) leaves the app unable to start ("rollback") and without a scanner.
//! [`DirectoryStore`] keeps, in its directory:
//!
//! - `bundle.bin`: the active bundle; `bundle.previous`: the one it replaced (the last good bundle);
//! - `trust.state`: anti-rollback state; `decisions.state`: thresholds and caps of the policy.
//!
//! Every file is replaced atomically ([`atomic`]), and an update writes the bundle before the trust state,
//! so a crash at any point leaves a directory that opens: with the old bundle and old state, or with the
//! new bundle and the old trust state (newer than accepted, so accepted again). Opening tries `bundle.bin`,
//! then `bundle.previous` (a torn or corrupt active bundle), then the bundle shipped inside the app
//! (first launch, or nothing stored is valid); anti-rollback applies to every candidate. Bundles are read
//! from and written to files here, never copied through the app.

mod atomic;

use crate::bundle::BundleError;
use crate::report::DeviceKey;
use crate::signing::KeyError;
use crate::scanner::{BundleInfo, ScanError, Scanner, ScannerConfig};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The active bundle's file name in the store directory.
pub const BUNDLE_FILE: &str = "bundle.bin";
/// The bundle the active one replaced, kept as a fallback.
pub const PREVIOUS_BUNDLE_FILE: &str = "bundle.previous";
/// Anti-rollback state.
pub const TRUST_FILE: &str = "trust.state";
/// The policy's decision state (thresholds, caps).
pub const DECISIONS_FILE: &str = "decisions.state";

const ALL_FILES: [&str; 4] = [BUNDLE_FILE, PREVIOUS_BUNDLE_FILE, TRUST_FILE, DECISIONS_FILE];

/// Why the store could not open or save.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("the store could not {action} {file}: {message}")]
    Io { action: &'static str, file: String, message: String },
    #[error("no valid bundle: the store has none and no bundle shipped with the app was given")]
    NoBundle,
    #[error(transparent)]
    Scan(#[from] ScanError),
    #[error("the device key is invalid: {0}")]
    DeviceKey(#[from] KeyError),
}

/// The steps of saving, in order; a crash can stop the sequence after any of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteStep {
    /// The new bundle is on disk as `bundle.bin.tmp`, not yet in place.
    BundleStaged,
    /// The active bundle was renamed to `bundle.previous` (no `bundle.bin` until the next step).
    PreviousKept,
    /// The new bundle is `bundle.bin`.
    BundleInstalled,
    /// `trust.state` holds the new trust state.
    TrustSaved,
    /// `decisions.state` holds the decision state.
    DecisionsSaved,
}

/// A scanner whose state lives in a directory: see the module documentation.
pub struct DirectoryStore {
    dir: PathBuf,
    scanner: Arc<Scanner>,
    /// One save at a time, so that the files always follow the write order.
    saving: Mutex<()>,
    /// Test hook: stop saving right after this step, as a crash would.
    crash_after: Mutex<Option<WriteStep>>,
}

impl std::fmt::Debug for DirectoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DirectoryStore({}, {:?})", self.dir.display(), self.scanner)
    }
}

fn io_error(action: &'static str, file: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io { action, file: file.display().to_string(), message: e.to_string() }
}

impl DirectoryStore {
    /// Opens (creating it if needed) the store in `dir`: the stored bundle, else the previous one, else the
    /// bundle file shipped with the app (`bootstrap`), each checked against `config` and the stored trust
    /// state. `device_key` (PKCS#8) signs reports. A candidate other than `bundle.bin` that opens is saved
    /// as `bundle.bin`, so the next open is direct.
    pub fn open(
        dir: &Path,
        config: ScannerConfig,
        bootstrap: Option<&Path>,
        device_key_pkcs8: Option<&[u8]>,
    ) -> Result<DirectoryStore, StoreError> {
        fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
        atomic::remove_stale_temporaries(dir, &ALL_FILES).map_err(|e| io_error("clean", dir, e))?;
        let read = |name: &str| atomic::read_if_present(dir, name).map_err(|e| io_error("read", &dir.join(name), e));
        let trust = read(TRUST_FILE)?.unwrap_or_default();
        let decisions = read(DECISIONS_FILE)?.unwrap_or_default();

        let mut candidates: Vec<(PathBuf, bool)> =
            [BUNDLE_FILE, PREVIOUS_BUNDLE_FILE].iter().map(|name| (dir.join(name), true)).collect();
        candidates.extend(bootstrap.map(|path| (path.to_path_buf(), false)));
        let mut last_error = StoreError::NoBundle;
        for (index, (path, optional)) in candidates.iter().enumerate() {
            let bytes = match fs::read(path) {
                Ok(bytes) => bytes,
                Err(e) if *optional && e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_error("read", path, e)),
            };
            let key = match device_key_pkcs8 {
                Some(pkcs8) => Some(DeviceKey::from_pkcs8(pkcs8)?),
                None => None,
            };
            match Scanner::new(bytes, config.clone(), &trust, &decisions, key) {
                Ok(scanner) => {
                    let store = DirectoryStore {
                        dir: dir.to_path_buf(),
                        scanner: Arc::new(scanner),
                        saving: Mutex::new(()),
                        crash_after: Mutex::new(None),
                    };
                    if index > 0 {
                        // The active file is invalid: drop it rather than keep it as the "previous" one.
                        let active = dir.join(BUNDLE_FILE);
                        match fs::remove_file(&active) {
                            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io_error("remove", &active, e)),
                            _ => {}
                        }
                        log::warn!(target: "imageguard::store", "opened the fallback bundle {}", path.display());
                        store.save_bundle()?;
                    } else if store.scanner.trust_state() != trust {
                        store.save_trust()?;
                    }
                    return Ok(store);
                }
                // Unreadable saved state is not a bundle problem: another bundle would not help.
                Err(e @ (ScanError::DecisionState(_) | ScanError::Config(_) | ScanError::Bundle(BundleError::BadState(_)))) => {
                    return Err(e.into())
                }
                Err(e) => {
                    log::warn!(target: "imageguard::store", "bundle {} refused: {e}", path.display());
                    last_error = e.into();
                }
            }
        }
        Err(last_error)
    }

    /// The scanner, for scanning (shared: scans need no store lock).
    pub fn scanner(&self) -> &Arc<Scanner> {
        &self.scanner
    }

    /// The store's directory.
    pub fn directory(&self) -> &Path {
        &self.dir
    }

    /// Installs the full bundle in the file at `path` (read here, never through the app) and saves it.
    /// Nothing changes if any check fails.
    pub fn update_bundle_file(&self, path: &Path) -> Result<BundleInfo, StoreError> {
        let bytes = fs::read(path).map_err(|e| io_error("read", path, e))?;
        let info = self.scanner.update_bundle(bytes)?;
        self.save_bundle()?;
        Ok(info)
    }

    /// Installs a full bundle already in memory and saves it; prefer [`DirectoryStore::update_bundle_file`]
    /// for downloads, which never holds the bundle in the app. Nothing changes if any check fails.
    pub fn update_bundle(&self, bytes: Vec<u8>) -> Result<BundleInfo, StoreError> {
        let info = self.scanner.update_bundle(bytes)?;
        self.save_bundle()?;
        Ok(info)
    }

    /// Applies a delta to the active bundle and saves the result. Nothing changes if any check fails.
    pub fn apply_delta(&self, delta: &[u8]) -> Result<BundleInfo, StoreError> {
        let info = self.scanner.apply_delta(delta)?;
        self.save_bundle()?;
        Ok(info)
    }

    /// Saves the decision state (call when the app goes to the background, and after matches).
    pub fn save_decision_state(&self) -> Result<(), StoreError> {
        let _saving = self.saving.lock().unwrap_or_else(|p| p.into_inner());
        let bytes = self.scanner.decision_state();
        atomic::replace(&self.dir, DECISIONS_FILE, &bytes).map_err(|e| io_error("write", &self.dir.join(DECISIONS_FILE), e))?;
        self.step(WriteStep::DecisionsSaved)
    }

    /// Test hook: the next save stops right after `step`, leaving the files as a crash there would.
    #[doc(hidden)]
    pub fn crash_after(&self, step: WriteStep) {
        *self.crash_after.lock().unwrap_or_else(|p| p.into_inner()) = Some(step);
    }

    fn step(&self, done: WriteStep) -> Result<(), StoreError> {
        let mut crash = self.crash_after.lock().unwrap_or_else(|p| p.into_inner());
        if *crash == Some(done) {
            *crash = None;
            return Err(StoreError::Io { action: "finish saving", file: format!("{done:?}"), message: "simulated crash".into() });
        }
        Ok(())
    }

    /// Saves the active bundle, then the trust state: bundle first, so that no crash leaves a trust
    /// state newer than every stored bundle.
    fn save_bundle(&self) -> Result<(), StoreError> {
        let _saving = self.saving.lock().unwrap_or_else(|p| p.into_inner());
        let (dir, active) = (&self.dir, self.dir.join(BUNDLE_FILE));
        let staged = atomic::temporary(dir, BUNDLE_FILE);
        atomic::write_synced(&staged, &self.scanner.bundle_bytes()).map_err(|e| io_error("write", &staged, e))?;
        self.step(WriteStep::BundleStaged)?;
        if active.exists() {
            let previous = dir.join(PREVIOUS_BUNDLE_FILE);
            fs::rename(&active, &previous).map_err(|e| io_error("rename", &active, e))?;
            self.step(WriteStep::PreviousKept)?;
        }
        fs::rename(&staged, &active).map_err(|e| io_error("rename", &staged, e))?;
        atomic::sync_dir(dir).map_err(|e| io_error("sync", dir, e))?;
        self.step(WriteStep::BundleInstalled)?;
        self.save_trust_locked()
    }

    fn save_trust(&self) -> Result<(), StoreError> {
        let _saving = self.saving.lock().unwrap_or_else(|p| p.into_inner());
        self.save_trust_locked()
    }

    fn save_trust_locked(&self) -> Result<(), StoreError> {
        let bytes = self.scanner.trust_state();
        atomic::replace(&self.dir, TRUST_FILE, &bytes).map_err(|e| io_error("write", &self.dir.join(TRUST_FILE), e))?;
        self.step(WriteStep::TrustSaved)
    }
}
