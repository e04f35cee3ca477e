//! The local memory behind thresholds and caps: times of recent matches and per-entry counters, keyed by
//! entry keys (never image hashes, and nothing at all about non-matching images).

use super::PolicyError;
use crate::wire::{Reader, Writer};
use std::collections::VecDeque;

const MAGIC: &[u8; 4] = b"IGDS";
/// Version 1 had no report times; it is still read.
const VERSION_1: u8 = 1;
const VERSION: u8 = 2;
/// Bounds on what the state remembers; older records are dropped first.
const MAX_MATCHES: usize = 1024;
const MAX_ENTRIES: usize = 1024;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionState {
    /// Unix seconds of recent matches, oldest first.
    matches: VecDeque<u64>,
    /// (entry key, matches counted, first match time) for entries matched within the window.
    entries: Vec<(u64, u32, u64)>,
    /// Unix seconds of recent reports, oldest first (the device-wide report cap).
    reports: VecDeque<u64>,
}

impl DecisionState {
    pub fn new() -> Self {
        DecisionState::default()
    }

    /// Forgets what is older than `window` seconds before `now`.
    pub(super) fn prune(&mut self, now: u64, window: u64) {
        let since = now.saturating_sub(window);
        while self.matches.front().is_some_and(|&t| t < since) {
            self.matches.pop_front();
        }
        self.entries.retain(|&(_, _, first)| first >= since);
        let report_since = now.saturating_sub(super::REPORT_CAP_WINDOW_SECS);
        while self.reports.front().is_some_and(|&t| t < report_since) {
            self.reports.pop_front();
        }
    }

    pub(super) fn reports_since(&self, since: u64) -> u32 {
        self.reports.iter().filter(|&&t| t >= since).count() as u32
    }

    pub(super) fn record_report(&mut self, now: u64) {
        if self.reports.len() >= MAX_MATCHES {
            self.reports.pop_front();
        }
        self.reports.push_back(now);
    }

    pub(super) fn entry_count(&self, key: u64) -> u32 {
        self.entries.iter().find(|(k, _, _)| *k == key).map_or(0, |&(_, count, _)| count)
    }

    pub(super) fn record(&mut self, key: u64, now: u64) {
        if self.matches.len() >= MAX_MATCHES {
            self.matches.pop_front();
        }
        self.matches.push_back(now);
        match self.entries.iter_mut().find(|(k, _, _)| *k == key) {
            Some(entry) => entry.1 = entry.1.saturating_add(1),
            None => {
                if self.entries.len() >= MAX_ENTRIES {
                    self.entries.remove(0);
                }
                self.entries.push((key, 1, now));
            }
        }
    }

    pub(super) fn matches_since(&self, since: u64) -> u32 {
        self.matches.iter().filter(|&&t| t >= since).count() as u32
    }

    /// Opaque bytes for the app to persist.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.raw(MAGIC).u8(VERSION).u16(self.matches.len() as u16);
        for t in &self.matches {
            w.u64(*t);
        }
        w.u16(self.entries.len() as u16);
        for (key, count, first) in &self.entries {
            w.u64(*key).u32(*count).u64(*first);
        }
        w.u16(self.reports.len() as u16);
        for t in &self.reports {
            w.u64(*t);
        }
        w.bytes
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<DecisionState, PolicyError> {
        let mut r = Reader::new(bytes);
        if r.take(4)? != MAGIC {
            return Err(PolicyError::Malformed("not an imageguard decision state"));
        }
        let version = r.u8()?;
        if version != VERSION && version != VERSION_1 {
            return Err(PolicyError::Malformed("not an imageguard decision state"));
        }
        let count = usize::from(r.u16()?);
        if count > MAX_MATCHES {
            return Err(PolicyError::Malformed("too many matches"));
        }
        let mut matches = VecDeque::with_capacity(count);
        for _ in 0..count {
            matches.push_back(r.u64()?);
        }
        let count = usize::from(r.u16()?);
        if count > MAX_ENTRIES {
            return Err(PolicyError::Malformed("too many entries"));
        }
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            entries.push((r.u64()?, r.u32()?, r.u64()?));
        }
        let mut reports = VecDeque::new();
        if version == VERSION {
            let count = usize::from(r.u16()?);
            if count > MAX_MATCHES {
                return Err(PolicyError::Malformed("too many reports"));
            }
            reports.reserve(count);
            for _ in 0..count {
                reports.push_back(r.u64()?);
            }
        }
        if !r.is_empty() {
            return Err(PolicyError::Malformed("trailing bytes"));
        }
        Ok(DecisionState { matches, entries, reports })
    }
}
