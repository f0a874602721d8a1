//! The flags of `tocsin bench ingest`.
use std::path::PathBuf;

use clap::Args;

/// Flags of `bench ingest`.
#[derive(Debug, Clone, Args)]
pub struct BenchIngestArgs {
    /// A running Tocsin to load [default: start one in this process on 127.0.0.1:0 with a
    /// temporary SQLite database and intake limits raised out of the way].
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// An API token of the Tocsin at --url, allowed to create services and integration keys.
    #[arg(
        long,
        env = "TOCSIN_BENCH_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// The pid of the Tocsin at --url, for the memory measurement [default: skipped for --url].
    #[arg(long, value_name = "PID")]
    pub server_pid: Option<u32>,
    /// Alerts sent per scenario.
    #[arg(long, value_name = "N", default_value_t = 20_000)]
    pub alerts: usize,
    /// Requests in flight at once.
    #[arg(long, value_name = "C", default_value_t = 64)]
    pub concurrency: usize,
    /// Alerts per request in the batch scenarios.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub batch_size: usize,
    /// Distinct fingerprints the repeated scenarios cycle through.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub repeated_fingerprints: usize,
    /// Distinct active alerts opened for the memory measurement; 0 skips it.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub memory_alerts: usize,
    /// Hard bound on each scenario (and on the memory phase), in seconds: sending stops there.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub duration_limit: u64,
    /// A running Prometheus Alertmanager to compare with (its `POST /api/v2/alerts`).
    #[arg(long, value_name = "URL", conflicts_with = "alertmanager_binary")]
    pub peer_alertmanager: Option<String>,
    /// The pid of the Alertmanager at --peer-alertmanager, for its memory measurement.
    #[arg(long, value_name = "PID", requires = "peer_alertmanager")]
    pub peer_pid: Option<u32>,
    /// Start this Alertmanager binary on a free 127.0.0.1 port and stop it afterwards
    /// [default: `alertmanager` on the PATH, else /usr/bin/prometheus-alertmanager, when present].
    #[arg(long, value_name = "PATH")]
    pub alertmanager_binary: Option<PathBuf>,
    /// Measure Tocsin alone, without Alertmanager.
    #[arg(long, conflicts_with_all = ["peer_alertmanager", "alertmanager_binary"])]
    pub no_peer: bool,
}
