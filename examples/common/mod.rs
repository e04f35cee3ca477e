//! Helpers shared by the measuring examples (each includes this with `mod common;`).

/// The process's peak resident set size in KiB (Linux `VmHWM`; 0 where unavailable).
pub fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
