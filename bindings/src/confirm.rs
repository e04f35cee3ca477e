//! Confirmation across the FFI: request bytes out, response bytes in, a final outcome.
//!
//! A scan whose filter hit needs the platform's confirmation returns a [`PendingConfirmation`]; the app
//! sends its `request_bytes()` to the platform and passes the answer to `Scanner.confirm`. The handle
//! holds the candidate's hashes in memory only; dropping it forgets them. The platform side
//! ([`platform_answer`]) is exported only in builds with the `cli` feature (tests and tools), never in
//! the shipped library.

use crate::scan_records::PromptContent;
use imageguard::scanner;

/// A filter hit waiting for the platform's answer. Nothing is shown or reported before it is confirmed
/// (unless the platform's policy allows a provisional prompt).
#[derive(Debug, PartialEq, Eq, uniffi::Object)]
pub struct PendingConfirmation {
    pub(crate) inner: scanner::PendingConfirmation,
}

#[uniffi::export]
impl PendingConfirmation {
    /// The bytes to send to the platform's confirmation endpoint (bucket ids, a nonce, the bundle's id and
    /// version, the device stamp; nothing else about the image).
    pub fn request_bytes(&self) -> Vec<u8> {
        self.inner.request_bytes().to_vec()
    }

    /// The prompt to show while waiting, when the platform's policy allows one (usually none).
    pub fn provisional_prompt(&self) -> Option<PromptContent> {
        self.inner.provisional_prompt().cloned().map(Into::into)
    }
}

/// Platform side, for tests and tools: answers `request` from a platform lists file (`list build`).
#[cfg(feature = "cli")]
#[uniffi::export]
pub fn platform_answer(platform_lists: Vec<u8>, request: Vec<u8>) -> Result<Vec<u8>, crate::ImageGuardError> {
    crate::guard::call(|| {
        let lists = imageguard::confirm::PlatformLists::from_bytes(&platform_lists)
            .map_err(crate::ImageGuardError::invalid_argument)?;
        Ok(lists.answer_bytes(&request)?)
    })
}
