//! Who a device trusts, what it accepted last, and the checks that turn bytes into a [`VerifiedBundle`].

use super::format::{BundleHeader, ParsedBundle, SectionKind};
use super::{BundleError, SIGNATURE_DOMAIN};
use crate::signing::{KeyId, VerifyingKey};
use crate::wire::{Reader, Writer};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

/// How far a bundle's creation time may be ahead of the device clock (clocks drift; bundles are
/// built minutes before they ship).
const CLOCK_SKEW_SECS: u64 = 24 * 3600;

/// The list providers' keys an app trusts, and how many of them must sign.
#[derive(Debug, Clone)]
pub struct TrustConfig {
    keys: Vec<VerifyingKey>,
    threshold: usize,
}

impl TrustConfig {
    /// `threshold` distinct keys out of `keys` must sign (k of n). Several keys also allow rotation.
    pub fn new(keys: Vec<VerifyingKey>, threshold: usize) -> Result<TrustConfig, BundleError> {
        if threshold == 0 {
            return Err(BundleError::BadTrustConfig("the threshold must be at least 1"));
        }
        let mut ids: Vec<KeyId> = keys.iter().map(VerifyingKey::key_id).collect();
        ids.sort();
        ids.dedup();
        if ids.len() != keys.len() {
            return Err(BundleError::BadTrustConfig("a key is listed twice"));
        }
        if threshold > keys.len() {
            return Err(BundleError::BadTrustConfig("the threshold is larger than the number of keys"));
        }
        Ok(TrustConfig { keys, threshold })
    }

    pub fn threshold(&self) -> usize {
        self.threshold
    }

    /// How many distinct trusted keys made a valid signature over `root`.
    fn valid_signers(&self, parsed: &ParsedBundle<'_>) -> usize {
        self.keys
            .iter()
            .filter(|key| {
                parsed
                    .signatures
                    .iter()
                    .any(|(id, signature)| *id == key.key_id() && key.verify(SIGNATURE_DOMAIN, &parsed.root, signature))
            })
            .count()
    }
}

/// What a device accepted last, per bundle id: the app persists it (opaque bytes) between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustState {
    accepted: BTreeMap<String, (u64, [u8; 32])>,
}

const STATE_MAGIC: &[u8; 4] = b"IGTS";
const STATE_VERSION: u8 = 1;
const MAX_STATE_ENTRIES: u16 = 256;

impl TrustState {
    pub fn new() -> Self {
        TrustState::default()
    }

    /// The sequence number and root last accepted for `bundle_id`.
    pub fn accepted(&self, bundle_id: &str) -> Option<(u64, [u8; 32])> {
        self.accepted.get(bundle_id).copied()
    }

    /// Anti-rollback: refuses a sequence below the accepted one for `bundle_id`, or the accepted sequence
    /// with other content. Reloading exactly the accepted bundle is allowed.
    pub fn check_not_older(&self, bundle_id: &str, sequence: u64, root: &[u8; 32]) -> Result<(), BundleError> {
        match self.accepted(bundle_id) {
            Some((accepted, accepted_root)) if sequence < accepted || (sequence == accepted && *root != accepted_root) => {
                Err(BundleError::Rollback { got: sequence, accepted })
            }
            _ => Ok(()),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.raw(STATE_MAGIC).u8(STATE_VERSION).u16(self.accepted.len() as u16);
        for (id, (sequence, root)) in &self.accepted {
            w.short_bytes(id.as_bytes()).u64(*sequence).raw(root);
        }
        w.bytes
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<TrustState, BundleError> {
        let bad = |_| BundleError::BadState("truncated");
        let mut r = Reader::new(bytes);
        if r.take(4).map_err(bad)? != STATE_MAGIC || r.u8().map_err(bad)? != STATE_VERSION {
            return Err(BundleError::BadState("not an imageguard trust state"));
        }
        let count = r.u16().map_err(bad)?;
        if count > MAX_STATE_ENTRIES {
            return Err(BundleError::BadState("too many entries"));
        }
        let mut accepted = BTreeMap::new();
        for _ in 0..count {
            let id = std::str::from_utf8(r.short_bytes().map_err(bad)?)
                .map_err(|_| BundleError::BadState("an id is not UTF-8"))?
                .to_string();
            let entry = (r.u64().map_err(bad)?, r.array().map_err(bad)?);
            if accepted.insert(id, entry).is_some() {
                return Err(BundleError::BadState("an id appears twice"));
            }
        }
        if !r.is_empty() {
            return Err(BundleError::BadState("trailing bytes"));
        }
        Ok(TrustState { accepted })
    }
}

/// A bundle whose signatures, validity window and sequence number were checked. It owns its bytes and
/// hands out section payloads without copying.
#[derive(Debug, Clone)]
pub struct VerifiedBundle {
    bytes: Arc<Vec<u8>>,
    header: BundleHeader,
    sections: Vec<(SectionKind, Range<usize>)>,
    root: [u8; 32],
    signers: usize,
}

impl VerifiedBundle {
    pub fn header(&self) -> &BundleHeader {
        &self.header
    }

    pub fn sequence(&self) -> u64 {
        self.header.sequence
    }

    /// BLAKE3 over the bundle's content: what the signatures cover, and what a platform publishes so that
    /// anyone can check which list version a device runs.
    pub fn root(&self) -> [u8; 32] {
        self.root
    }

    pub fn root_hex(&self) -> String {
        crate::hex::encode(&self.root)
    }

    /// How many distinct trusted keys signed it.
    pub fn signers(&self) -> usize {
        self.signers
    }

    /// The whole bundle as received.
    pub fn bytes(&self) -> &Arc<Vec<u8>> {
        &self.bytes
    }

    pub fn section(&self, kind: SectionKind) -> Option<&[u8]> {
        let range = self.sections.iter().find(|(k, _)| *k == kind)?.1.clone();
        self.bytes.get(range)
    }

    /// The byte range of a section within [`VerifiedBundle::bytes`], for zero-copy views.
    pub fn section_range(&self, kind: SectionKind) -> Option<Range<usize>> {
        Some(self.sections.iter().find(|(k, _)| *k == kind)?.1.clone())
    }

    /// Records this bundle as the newest accepted for its id. Call once the app has switched to it.
    /// Refuses (and changes nothing) if `state` accepted a newer one meanwhile: callers that verified
    /// against an older snapshot of the state cannot roll it back.
    pub fn accept(&self, state: &mut TrustState) -> Result<(), BundleError> {
        state.check_not_older(&self.header.bundle_id, self.header.sequence, &self.root)?;
        state.accepted.insert(self.header.bundle_id.clone(), (self.header.sequence, self.root));
        Ok(())
    }
}

/// Why a bundle is stale: valid in every way except its validity window, by the clock it was checked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaleReason {
    /// The clock is past the bundle's `expires`.
    Expired,
    /// The bundle's `created` is more than a day ahead of the clock.
    NotYetValid,
}

/// Whether `header`'s validity window holds at `now` (unix seconds); `None` when it does.
pub fn staleness(header: &BundleHeader, now: u64) -> Option<StaleReason> {
    if now >= header.expires {
        Some(StaleReason::Expired)
    } else if header.created > now.saturating_add(CLOCK_SKEW_SECS) {
        Some(StaleReason::NotYetValid)
    } else {
        None
    }
}

/// Checks a bundle: structure, at least `k` valid signatures from distinct trusted keys, validity at
/// `now` (unix seconds) and anti-rollback against `state`. Reloading the bundle that `state` already
/// accepted (same sequence, same root) is allowed; anything older, or the same sequence with other
/// content, is refused.
pub fn verify_bundle(
    bytes: impl Into<Arc<Vec<u8>>>,
    trust: &TrustConfig,
    state: &TrustState,
    now: u64,
) -> Result<VerifiedBundle, BundleError> {
    let verified = verify_signed_bundle(bytes, trust, state)?;
    let header = verified.header();
    match staleness(header, now) {
        Some(StaleReason::Expired) => Err(BundleError::Expired { expires: header.expires, now }),
        Some(StaleReason::NotYetValid) => Err(BundleError::NotYetValid { created: header.created, now }),
        None => Ok(verified),
    }
}

/// [`verify_bundle`] without the validity window: structure, signatures and anti-rollback only. The
/// scanner uses it so that a wrong device clock cannot switch scanning off; it reports the bundle stale
/// instead ([`staleness`]).
pub fn verify_signed_bundle(
    bytes: impl Into<Arc<Vec<u8>>>,
    trust: &TrustConfig,
    state: &TrustState,
) -> Result<VerifiedBundle, BundleError> {
    let bytes: Arc<Vec<u8>> = bytes.into(); // a Vec moves in without a copy
    let parsed = ParsedBundle::parse(&bytes)?;
    let signers = trust.valid_signers(&parsed);
    if signers < trust.threshold {
        return Err(BundleError::NotEnoughSignatures { valid: signers, required: trust.threshold });
    }
    let header = &parsed.header;
    state.check_not_older(&header.bundle_id, header.sequence, &parsed.root)?;
    let (header, sections, root) = (parsed.header.clone(), parsed.sections.clone(), parsed.root);
    Ok(VerifiedBundle { bytes, header, sections, root, signers })
}
