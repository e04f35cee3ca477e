//! A filter hit waiting for the platform's confirmation.
//!
//! The scanner keeps nothing about a pending hit: the app holds this handle, sends
//! [`PendingConfirmation::request_bytes`] to the platform and passes the answer to
//! [`super::Scanner::confirm`]. The handle holds the candidate's hashes in memory only (they are needed to
//! compare with the listed entries, which the platform never sees them); dropping it forgets them. If
//! the app is offline it retries with the same handle; if the process ends, nothing remains, and the next
//! scan of the image finds the same candidate again.

use super::loaded::LoadedBundle;
use super::MatchKind;
use crate::confirm::{Candidate, ConfirmationRequest};
use crate::policy::MatchClass;
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
