//! The flags of `tocsin bench paging`.
use std::path::PathBuf;

use clap::Args;

/// Flags of `bench paging`.
#[derive(Debug, Clone, Args)]
pub struct BenchPagingArgs {
    /// Alerts timed per run (each run sends them one at a time).
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub alerts: usize,
    /// Concurrent senders of the background ingest load (alerts that page nobody).
    #[arg(long, value_name = "C", default_value_t = 16)]
    pub background_concurrency: usize,
    /// Incidents opened for the timer-lateness run, so about this many timers are pending; 0
    /// skips it.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub timers: usize,
    /// Seconds over which those incidents are opened.
    #[arg(long, value_name = "SECS", default_value_t = 50)]
    pub timer_spread: u64,
    /// Hard bound on each run, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub duration_limit: u64,
    /// Start this Alertmanager binary for the comparison [default: `alertmanager` on the PATH,
    /// else /usr/bin/prometheus-alertmanager, when present].
    #[arg(long, value_name = "PATH")]
    pub alertmanager_binary: Option<PathBuf>,
    /// Measure Tocsin alone.
    #[arg(long, conflicts_with = "alertmanager_binary")]
    pub no_peer: bool,
}
