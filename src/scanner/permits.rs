//! Bounds how many scans run at once in one scanner (`ScannerConfig::max_concurrent_scans`).
//!
//! Each scan holds decoder buffers (up to `DecodeLimits::max_decoded_bytes`), so the worst case memory of
//! a scanner is that limit times the number of scans in flight. An app that scans a whole gallery from a
//! thread pool, or an extension with a small memory budget, caps the second factor here: a scan past the
//! cap waits for a permit before it reads or decodes anything. A counting semaphore (std has none).

use std::sync::{Condvar, Mutex, MutexGuard};

#[derive(Debug)]
pub(crate) struct ScanPermits {
    limit: Option<usize>,
    state: Mutex<Counts>,
    freed: Condvar,
}

#[derive(Debug, Default)]
struct Counts {
    in_use: usize,
    /// The most permits ever held at once (a diagnostic the tests check the bound with).
    peak: usize,
}

/// A held permit; dropping it lets a waiting scan start.
pub(crate) struct Permit<'a> {
    permits: &'a ScanPermits,
}

impl ScanPermits {
    /// `None` or `Some(0)`: no bound.
    pub(crate) fn new(limit: Option<usize>) -> ScanPermits {
        ScanPermits { limit: limit.filter(|&n| n > 0), state: Mutex::new(Counts::default()), freed: Condvar::new() }
    }

    fn counts(&self) -> MutexGuard<'_, Counts> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until fewer than the limit are held, then takes one.
    pub(crate) fn acquire(&self) -> Permit<'_> {
        let mut counts = self.counts();
        if let Some(limit) = self.limit {
            while counts.in_use >= limit {
                counts = self.freed.wait(counts).unwrap_or_else(|p| p.into_inner());
            }
        }
        counts.in_use += 1;
        counts.peak = counts.peak.max(counts.in_use);
        Permit { permits: self }
    }

    pub(crate) fn peak(&self) -> usize {
        self.counts().peak
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.permits.counts().in_use -= 1;
        self.permits.freed.notify_one();
    }
}
