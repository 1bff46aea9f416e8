//! The bench process's peak resident memory, from `/proc/self/status` (Linux).

use std::fs;

/// The peak resident set size (VmHWM) in KiB, if the kernel reports it.
pub fn peak_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Starts the peak afresh at the current size (writing 5 to `clear_refs`, Linux ≥ 4.0), so that
/// a measurement is not charged for seeding done before it; answers whether it worked.
pub fn reset_peak() -> bool {
    fs::write("/proc/self/clear_refs", "5").is_ok()
}
