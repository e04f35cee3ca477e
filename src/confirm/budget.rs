//! The platform's per-device budget for confirmation requests: what keeps the endpoint from being used to
//! read the list bucket by bucket.
//!
//! A response returns whole buckets of the real list, so a client that forges requests could ask for every
//! bucket in turn. Honest devices ask only after a filter hit, which is rare (see BENCHMARKS.md), so the
//! platform serves each device key a small number of *buckets* per sliding window and refuses the rest:
//! - a request must carry a device stamp (the device's Ed25519 key, the minute, a signature over the
//!   request: checked by [`ConfirmationRequest::from_bytes`]);
//! - the stamp's minute must be within [`BudgetRules::max_skew_minutes`] of the platform's clock, so an
//!   old request cannot be replayed later;
//! - a nonce already admitted for that key in the window is refused (a replay gets nothing and costs the
//!   device nothing);
//! - the buckets answered to one key in the window may not exceed [`BudgetRules::buckets_per_window`].
//!
//! What this bounds: reading a list of `K` keys in `2^b` buckets takes `2^b / buckets_per_window` key-windows,
//! so a platform that registers device keys (or issues them through its app's own sign-in) makes
//! enumeration cost as many registered keys. The state ([`RequestBudget::to_bytes`]) is the platform's own
//! file; it holds, per device key, only the minute, bucket count and nonce of the requests in the window.

use super::messages::{ConfirmationRequest, NONCE_LEN};
use crate::signing::PUBLIC_KEY_LEN;
use crate::wire::{Reader, Truncated, Writer};
use std::collections::BTreeMap;

const MAGIC: &[u8; 4] = b"IGRB";
const VERSION: u8 = 1;
/// The most requests remembered per key: a key cannot hold more than its bucket budget anyway.
const MAX_REMEMBERED_PER_KEY: usize = 4096;

/// How much a device key may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BudgetRules {
    /// Buckets answered per device key per window. Default 64: a candidate asks for at most 16 buckets
    /// (one per perceptual band and rotation that hit), and an honest device sees a filter hit on well
    /// under one image in a thousand.
    pub buckets_per_window: u32,
    /// The sliding window, in minutes. Default one day.
    pub window_minutes: u32,
    /// How far a stamp's minute may be from the platform's clock. Default 10 minutes.
    pub max_skew_minutes: u32,
}

impl Default for BudgetRules {
    fn default() -> Self {
        BudgetRules { buckets_per_window: 64, window_minutes: 24 * 60, max_skew_minutes: 10 }
    }
}

impl BudgetRules {
    pub fn new(buckets_per_window: u32, window_minutes: u32, max_skew_minutes: u32) -> BudgetRules {
        BudgetRules { buckets_per_window, window_minutes, max_skew_minutes }
    }
}

/// Why a request was not served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BudgetRefusal {
    #[error("the request has no device stamp: the platform serves stamped requests only")]
    Unstamped,
    #[error("the request's stamp (minute {stamp}) is more than {max_skew} minutes from the platform's clock (minute {now})")]
    ClockSkew { stamp: u32, now: u32, max_skew: u32 },
    #[error("this request was already answered (replayed nonce)")]
    Replayed,
    #[error("the device key has used {used} of {limit} buckets in the last {window_minutes} minutes; this request asks for {asked}")]
    Exhausted { used: u32, asked: u32, limit: u32, window_minutes: u32 },
    #[error("the budget state file is damaged: {0}")]
    BadState(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Admitted {
    minute: u32,
    buckets: u8,
    nonce: [u8; NONCE_LEN],
}

/// Per device key, the requests admitted in the current window.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestBudget {
    rules: BudgetRules,
    spent: BTreeMap<[u8; PUBLIC_KEY_LEN], Vec<Admitted>>,
}

impl RequestBudget {
    pub fn new(rules: BudgetRules) -> RequestBudget {
        RequestBudget { rules, spent: BTreeMap::new() }
    }

    pub fn rules(&self) -> BudgetRules {
        self.rules
    }

    /// Admits `request` at `now_minutes` (minutes since the Unix epoch, the platform's clock) and charges its
    /// buckets to its device key, or says why not (and charges nothing).
    pub fn admit(&mut self, request: &ConfirmationRequest, now_minutes: u32) -> Result<(), BudgetRefusal> {
        let stamp = request.device.ok_or(BudgetRefusal::Unstamped)?;
        if stamp.minutes.abs_diff(now_minutes) > self.rules.max_skew_minutes {
            return Err(BudgetRefusal::ClockSkew { stamp: stamp.minutes, now: now_minutes, max_skew: self.rules.max_skew_minutes });
        }
        self.forget_before(now_minutes);
        let admitted = self.spent.entry(stamp.public_key).or_default();
        if admitted.iter().any(|a| a.nonce == request.nonce) {
            return Err(BudgetRefusal::Replayed);
        }
        let used: u32 = admitted.iter().map(|a| u32::from(a.buckets)).sum();
        let asked = request.buckets.len() as u32;
        if used.saturating_add(asked) > self.rules.buckets_per_window || admitted.len() >= MAX_REMEMBERED_PER_KEY {
            return Err(BudgetRefusal::Exhausted {
                used,
                asked,
                limit: self.rules.buckets_per_window,
                window_minutes: self.rules.window_minutes,
            });
        }
        admitted.push(Admitted { minute: now_minutes, buckets: request.buckets.len() as u8, nonce: request.nonce });
        Ok(())
    }

    /// Drops what fell out of the window (and keys with nothing left), so the state stays small.
    fn forget_before(&mut self, now_minutes: u32) {
        // A stamp may be up to max_skew ahead: keep nonces long enough that a replay inside the skew is seen.
        let horizon = now_minutes.saturating_sub(self.rules.window_minutes.max(2 * self.rules.max_skew_minutes));
        self.spent.retain(|_, admitted| {
            admitted.retain(|a| a.minute > horizon);
            !admitted.is_empty()
        });
    }

    /// Device keys with requests in the window.
    pub fn keys(&self) -> usize {
        self.spent.len()
    }

    /// `"IGRB"`, version u8 (1), rules (3 x u32), key count u32, then per key: public key [32], count u16, and
    /// per admitted request: minute u32, bucket count u8, nonce [16].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.raw(MAGIC).u8(VERSION);
        w.u32(self.rules.buckets_per_window).u32(self.rules.window_minutes).u32(self.rules.max_skew_minutes);
        w.u32(self.spent.len() as u32);
        for (key, admitted) in &self.spent {
            w.raw(key).u16(admitted.len() as u16);
            for a in admitted {
                w.u32(a.minute).u8(a.buckets).raw(&a.nonce);
            }
        }
        w.bytes
    }

    /// Reads a state written by [`Self::to_bytes`]. The rules are the file's; a platform that changes its
    /// rules starts with [`Self::with_rules`].
    pub fn from_bytes(bytes: &[u8]) -> Result<RequestBudget, BudgetRefusal> {
        let t = |_: Truncated| BudgetRefusal::BadState("truncated");
        let mut r = Reader::new(bytes);
        if r.take(4).map_err(t)? != MAGIC || r.u8().map_err(t)? != VERSION {
            return Err(BudgetRefusal::BadState("not a request budget file (bad magic or version)"));
        }
        let rules = BudgetRules::new(r.u32().map_err(t)?, r.u32().map_err(t)?, r.u32().map_err(t)?);
        let keys = r.u32().map_err(t)? as usize;
        let mut spent = BTreeMap::new();
        for _ in 0..keys {
            let key: [u8; PUBLIC_KEY_LEN] = r.array().map_err(t)?;
            let count = usize::from(r.u16().map_err(t)?);
            if count > MAX_REMEMBERED_PER_KEY {
                return Err(BudgetRefusal::BadState("too many requests for one key"));
            }
            let mut admitted = Vec::with_capacity(count.min(r.remaining() / 21));
            for _ in 0..count {
                admitted.push(Admitted { minute: r.u32().map_err(t)?, buckets: r.u8().map_err(t)?, nonce: r.array().map_err(t)? });
            }
            if spent.insert(key, admitted).is_some() {
                return Err(BudgetRefusal::BadState("a device key appears twice"));
            }
        }
        if !r.is_empty() {
            return Err(BudgetRefusal::BadState("trailing bytes"));
        }
        Ok(RequestBudget { rules, spent })
    }

    /// The same spending under other rules (the platform changed its limits).
    pub fn with_rules(mut self, rules: BudgetRules) -> RequestBudget {
        self.rules = rules;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::SigningKey;

    const NOW: u32 = 29_000_000;

    fn stamped(key: &SigningKey, buckets: Vec<u32>, minute: u32) -> ConfirmationRequest {
        let request = ConfirmationRequest::new("acme", 7, buckets).unwrap();
        ConfirmationRequest::from_bytes(&request.to_bytes(Some((key, minute)))).unwrap()
    }

    #[test]
    fn a_key_gets_its_buckets_per_window_and_no_more() {
        let key = SigningKey::generate().unwrap();
        let other = SigningKey::generate().unwrap();
        let mut budget = RequestBudget::new(BudgetRules::new(6, 60, 10));
        budget.admit(&stamped(&key, vec![1, 2, 3, 4], NOW), NOW).unwrap();
        let over = budget.admit(&stamped(&key, vec![5, 6, 7], NOW), NOW);
        assert_eq!(over, Err(BudgetRefusal::Exhausted { used: 4, asked: 3, limit: 6, window_minutes: 60 }));
        budget.admit(&stamped(&key, vec![5, 6], NOW), NOW).unwrap();
        // Another key has its own budget; the first key's comes back once the window has passed.
        budget.admit(&stamped(&other, vec![9], NOW), NOW).unwrap();
        assert!(budget.admit(&stamped(&key, vec![8], NOW + 30), NOW + 30).is_err());
        budget.admit(&stamped(&key, vec![8], NOW + 61), NOW + 61).unwrap();
    }

    #[test]
    fn unstamped_skewed_and_replayed_requests_are_refused_and_cost_nothing() {
        let key = SigningKey::generate().unwrap();
        let mut budget = RequestBudget::new(BudgetRules::new(4, 60, 10));
        let unstamped = ConfirmationRequest::new("acme", 7, vec![1]).unwrap();
        assert_eq!(budget.admit(&unstamped, NOW), Err(BudgetRefusal::Unstamped));
        let old = stamped(&key, vec![1], NOW - 11);
        assert_eq!(budget.admit(&old, NOW), Err(BudgetRefusal::ClockSkew { stamp: NOW - 11, now: NOW, max_skew: 10 }));
        let request = stamped(&key, vec![1, 2], NOW);
        budget.admit(&request, NOW).unwrap();
        assert_eq!(budget.admit(&request, NOW + 5), Err(BudgetRefusal::Replayed));
        // The refusals charged nothing: two buckets remain.
        budget.admit(&stamped(&key, vec![3, 4], NOW), NOW).unwrap();
    }

    #[test]
    fn the_state_round_trips_and_damaged_state_is_refused() {
        let key = SigningKey::generate().unwrap();
        let mut budget = RequestBudget::new(BudgetRules::default());
        budget.admit(&stamped(&key, vec![1, 2, 3], NOW), NOW).unwrap();
        let bytes = budget.to_bytes();
        let read = RequestBudget::from_bytes(&bytes).unwrap();
        assert_eq!(read, budget);
        for cut in 0..bytes.len() {
            assert!(RequestBudget::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(RequestBudget::from_bytes(&trailing).is_err());
        // A reloaded budget still refuses the replay.
        let mut read = read;
        assert_eq!(read.admit(&stamped(&key, vec![1, 2, 3], NOW), NOW).map(|_| ()), Ok(()));
        let replay = ConfirmationRequest { nonce: budget.spent[&key.public_key()][0].nonce, ..stamped(&key, vec![1], NOW) };
        assert_eq!(read.admit(&replay, NOW), Err(BudgetRefusal::Replayed));
    }
}
