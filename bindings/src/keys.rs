//! The device's report-signing key, as a foreign object.
//!
//! Apps keep the PKCS#8 bytes in the Android Keystore / iOS Keychain and rebuild the key at start-up.
//! Note that the PKCS#8 copy handed to foreign code leaves Rust's zeroize-on-drop guarantee.

use crate::debug::LiveToken;
use crate::records::MatchedEntry;
use crate::{guard, ImageGuardError};
use imageguard::report;
use std::sync::Arc;

#[derive(Debug, uniffi::Object)]
pub struct DeviceKey {
    pub(crate) inner: report::DeviceKey,
    _live: LiveToken,
}

impl DeviceKey {
    fn wrap(inner: report::DeviceKey) -> Arc<DeviceKey> {
        Arc::new(DeviceKey { inner, _live: LiveToken::new() })
    }
}

#[uniffi::export]
impl DeviceKey {
    /// A new random key.
    #[uniffi::constructor]
    pub fn generate() -> Result<Arc<DeviceKey>, ImageGuardError> {
        guard::call(|| {
            let key = report::DeviceKey::generate()?;
            log::debug!(target: "imageguard_ffi", "generated a device key");
            Ok(DeviceKey::wrap(key))
        })
    }

    /// Imports a key saved with [`DeviceKey::to_pkcs8`].
    #[uniffi::constructor]
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Arc<DeviceKey>, ImageGuardError> {
        guard::call(|| Ok(DeviceKey::wrap(report::DeviceKey::from_pkcs8(pkcs8)?)))
    }

    /// The private key as PKCS#8, for the platform keystore.
    pub fn to_pkcs8(&self) -> Vec<u8> {
        self.inner.to_pkcs8().to_vec()
    }

    /// The 32-byte Ed25519 public key, for the platform's list of trusted device keys.
    pub fn public_key(&self) -> Vec<u8> {
        self.inner.public_key().to_vec()
    }

    /// The key id (16 hex digits) that reports name.
    pub fn key_id(&self) -> String {
        self.inner.key_id().to_hex()
    }

    /// Builds and signs a report by hand. Scans make their reports themselves; this is for tests and tools.
    pub fn sign_report(
        &self,
        unix_seconds: u64,
        bundle_id: String,
        list_id: String,
        bundle_sequence: u64,
        entry: MatchedEntry,
        context: &[u8],
    ) -> Result<Vec<u8>, ImageGuardError> {
        guard::call(|| {
            let entry = report::MatchedEntry::try_from(entry)?;
            self.inner.sign_report(unix_seconds, &bundle_id, &list_id, bundle_sequence, entry, context).map_err(|e| match e {
                // The caller's context is too long: an argument, not a report to reject.
                report::ReportError::ContextTooLong(_) => ImageGuardError::invalid_argument(e),
                other => other.into(),
            })
        })
    }
}
