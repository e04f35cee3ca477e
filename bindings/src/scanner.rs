//! The scanner as a foreign object: one per app, shared by all threads (the core is `Send + Sync`).

use crate::debug::LiveToken;
use crate::hashing::{pixel_buffer, PixelFormat};
use crate::keys::DeviceKey;
use crate::scan_records::{BundleInfo, ScanOutcome, ScannerConfig};
use crate::{guard, ImageGuardError};
use imageguard::bundle::TrustConfig;
use imageguard::report;
use imageguard::scanner;
use imageguard::signing::VerifyingKey;
use imageguard::store::DirectoryStore;
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, uniffi::Object)]
pub struct Scanner {
    pub(crate) inner: Arc<scanner::Scanner>,
    /// Set when opened with [`Scanner::open`]: updates and state are then saved in its directory.
    store: Option<DirectoryStore>,
    _live: LiveToken,
}

fn core_key(device_key: Option<Arc<DeviceKey>>) -> Result<Option<report::DeviceKey>, ImageGuardError> {
    Ok(match device_key {
        Some(key) => Some(report::DeviceKey::from_pkcs8(&key.inner.to_pkcs8())?),
        None => None,
    })
}

pub(crate) fn core_config(config: ScannerConfig) -> Result<scanner::ScannerConfig, ImageGuardError> {
    let keys = config.trusted_keys.iter().map(|k| VerifyingKey::from_bytes(k)).collect::<Result<Vec<_>, _>>()?;
    let trust = TrustConfig::new(keys, config.threshold as usize).map_err(ImageGuardError::invalid_argument)?;
    let mut core = scanner::ScannerConfig::new(trust, config.bundle_ids, config.locale);
    core.region = config.region;
    core.overrides = config.overrides.into();
    core.limits = config.decode_limits.map(Into::into).unwrap_or_default();
    core.report_context = config.report_context;
    core.trusted_time = config.trusted_time;
    core.builtin_prompts_only = config.builtin_prompts_only;
    core.allowed_link_hosts = config.allowed_link_hosts;
    core.max_concurrent_scans = (config.max_concurrent_scans > 0).then_some(config.max_concurrent_scans as usize);
    Ok(core)
}

#[uniffi::export]
impl Scanner {
    /// A scanner over a signed bundle. `trust_state` and `decision_state` are what the app saved from
    /// [`Scanner::trust_state`] / [`Scanner::decision_state`] (empty on first use). Reports are signed with
    /// `device_key` when given.
    #[uniffi::constructor]
    pub fn new(
        bundle: Vec<u8>,
        config: ScannerConfig,
        trust_state: &[u8],
        decision_state: &[u8],
        device_key: Option<Arc<DeviceKey>>,
    ) -> Result<Arc<Scanner>, ImageGuardError> {
        guard::call(|| {
            let inner = scanner::Scanner::new(bundle, core_config(config)?, trust_state, decision_state, core_key(device_key)?)?;
            Ok(Arc::new(Scanner { inner: Arc::new(inner), store: None, _live: LiveToken::new() }))
        })
    }

    /// A scanner whose bundle, trust state and decision state live in `directory` (created if needed),
    /// written atomically by the library: the stored bundle, else the previous one, else the bundle file
    /// shipped with the app (`bootstrap_bundle_path`, e.g. copied out of the APK / app bundle). Updates
    /// are saved as they are installed; call [`Scanner::save_state`] when the app goes to the background.
    #[uniffi::constructor]
    pub fn open(
        directory: String,
        config: ScannerConfig,
        bootstrap_bundle_path: Option<String>,
        device_key: Option<Arc<DeviceKey>>,
    ) -> Result<Arc<Scanner>, ImageGuardError> {
        guard::call(|| {
            let pkcs8 = device_key.map(|key| key.inner.to_pkcs8());
            let store = DirectoryStore::open(
                Path::new(&directory),
                core_config(config)?,
                bootstrap_bundle_path.as_deref().map(Path::new),
                pkcs8.as_deref().map(|k| k.as_slice()),
            )
            .map_err(crate::store::store_error)?;
            Ok(Arc::new(Scanner { inner: store.scanner().clone(), store: Some(store), _live: LiveToken::new() }))
        })
    }

    /// Installs the full bundle in the file at `path` (read by the library, never copied through the app);
    /// saved in the directory when opened with [`Scanner::open`]. Nothing changes if any check fails.
    pub fn update_bundle_file(&self, path: String) -> Result<BundleInfo, ImageGuardError> {
        guard::call(|| match &self.store {
            Some(store) => Ok(store.update_bundle_file(Path::new(&path)).map_err(crate::store::store_error)?),
            None => {
                let bytes = std::fs::read(&path).map_err(|e| ImageGuardError::io(format!("{path}: {e}")))?;
                Ok(self.inner.update_bundle(bytes)?)
            }
        })
    }

    /// Saves the decision state in the directory (a scanner from [`Scanner::open`]; otherwise a no-op:
    /// persist [`Scanner::decision_state`] yourself).
    pub fn save_state(&self) -> Result<(), ImageGuardError> {
        guard::call(|| match &self.store {
            Some(store) => store.save_decision_state().map_err(crate::store::store_error),
            None => Ok(()),
        })
    }

    /// Scans encoded image bytes (JPEG, PNG, WebP, GIF, BMP).
    pub fn scan_bytes(&self, bytes: &[u8]) -> Result<ScanOutcome, ImageGuardError> {
        guard::call(|| Ok(self.inner.scan_bytes(bytes)?.into()))
    }

    /// Scans raw pixels (perceptual matching only: there are no file bytes to hash exactly).
    pub fn scan_pixels(
        &self,
        pixels: &[u8],
        width: u32,
        height: u32,
        stride: u32,
        format: PixelFormat,
    ) -> Result<ScanOutcome, ImageGuardError> {
        guard::call(|| {
            let buffer = pixel_buffer(pixels, width, height, stride, format);
            Ok(self.inner.scan_pixels(&buffer)?.into())
        })
    }

    /// Reads and scans a file.
    pub fn scan_file(&self, path: String) -> Result<ScanOutcome, ImageGuardError> {
        guard::call(|| Ok(self.inner.scan_file(Path::new(&path))?.into()))
    }

    /// Checks the platform's answer to a pending confirmation: `Match` only when it proves a listed entry
    /// that matches, `NoMatch` (and no trace) otherwise. An answer that fails a check throws
    /// `ConfirmationRejected`; the handle stays usable for a proper answer. A handle confirms once.
    pub fn confirm(&self, pending: Arc<crate::confirm::PendingConfirmation>, response: Vec<u8>) -> Result<ScanOutcome, ImageGuardError> {
        guard::call(|| Ok(self.inner.confirm(&pending.inner, &response)?.into()))
    }

    /// Replaces the bundle with a newer full bundle. Nothing changes if any check fails.
    pub fn update_bundle(&self, bundle: Vec<u8>) -> Result<BundleInfo, ImageGuardError> {
        guard::call(|| match &self.store {
            Some(store) => Ok(store.update_bundle(bundle).map_err(crate::store::store_error)?),
            None => Ok(self.inner.update_bundle(bundle)?),
        })
    }

    /// Applies a delta to the active bundle. Nothing changes if any check fails.
    pub fn apply_delta(&self, delta: &[u8]) -> Result<BundleInfo, ImageGuardError> {
        guard::call(|| match &self.store {
            Some(store) => Ok(store.apply_delta(delta).map_err(crate::store::store_error)?),
            None => Ok(self.inner.apply_delta(delta)?),
        })
    }

    /// Gives the scanner a time the app trusts (unix seconds, e.g. from its server); it then advances on
    /// the monotonic clock instead of the device's settable clock.
    pub fn set_trusted_time(&self, unix_seconds: u64) {
        self.inner.set_trusted_time(unix_seconds)
    }

    pub fn bundle_info(&self) -> BundleInfo {
        self.inner.bundle_info()
    }

    /// The active bundle's bytes, to store after an update or a delta.
    pub fn bundle_bytes(&self) -> Vec<u8> {
        self.inner.bundle_bytes().to_vec()
    }

    /// Anti-rollback state to persist after every bundle change.
    pub fn trust_state(&self) -> Vec<u8> {
        self.inner.trust_state()
    }

    /// Threshold/cap state to persist (e.g. when the app goes to the background).
    pub fn decision_state(&self) -> Vec<u8> {
        self.inner.decision_state()
    }
}

/// For the test hooks (`test-hooks` feature).
#[cfg_attr(not(feature = "test-hooks"), allow(dead_code))]
impl Scanner {
    /// The directory store behind a scanner from [`Scanner::open`].
    pub(crate) fn store(&self) -> Option<&DirectoryStore> {
        self.store.as_ref()
    }

    pub(crate) fn core(&self) -> &scanner::Scanner {
        &self.inner
    }
}
