//! The wall clock, read in one place for the scanner, the CLI and the tools: seconds since the Unix epoch,
//! and the minutes that reports and confirmation requests carry (no finer precision leaves the device).
//!
//! Scanners given a trusted time (`ScannerConfig::trusted_time`) use that instead; this is the fallback.

/// Seconds since the Unix epoch by the system clock; 0 if the clock is set before 1970.
pub fn unix_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Whole minutes since the Unix epoch, saturating at `u32::MAX` (the year 10136).
pub fn minutes(unix_seconds: u64) -> u32 {
    u32::try_from(unix_seconds / 60).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_truncate_and_saturate() {
        assert_eq!(minutes(119), 1);
        assert_eq!(minutes(120), 2);
        assert_eq!(minutes(u64::MAX), u32::MAX);
    }
}
