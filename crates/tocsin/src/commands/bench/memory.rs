//! Resident memory per active alert: the server's VmRSS (from `/proc/<pid>/status`) before and
//! after opening many distinct alerts, the growth divided by the alerts accepted.
use std::time::Duration;

/// What the memory phase measured.
#[derive(Debug, Clone, Copy)]
pub struct Footprint {
    pub before_kb: u64,
    pub after_kb: u64,
    pub alerts: u64,
}

impl Footprint {
    /// KB of resident memory per active alert (growth only; never negative).
    pub fn kb_per_alert(&self) -> Option<f64> {
        (self.alerts > 0)
            .then(|| self.after_kb.saturating_sub(self.before_kb) as f64 / self.alerts as f64)
    }
}

/// How long the server gets to settle (finish background work, collect garbage) before reading.
pub const SETTLE: Duration = Duration::from_secs(2);

/// The resident set size of `pid` in KB, from `/proc/<pid>/status`.
pub fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_vm_rss(&status)
}

fn parse_vm_rss(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_rss_is_read_from_the_status_file() {
        let status = "Name:\ttocsin\nVmPeak:\t  10 kB\nVmRSS:\t   12345 kB\nThreads:\t4\n";
        assert_eq!(parse_vm_rss(status), Some(12_345));
        assert_eq!(parse_vm_rss("Name:\tx\n"), None);
    }

    #[test]
    fn growth_is_divided_by_the_alerts() {
        let footprint = Footprint {
            before_kb: 1_000,
            after_kb: 51_000,
            alerts: 100_000,
        };
        assert_eq!(footprint.kb_per_alert(), Some(0.5));
    }
}
