//! The flags of `tocsin bench incidents`.
use clap::Args;

/// Flags of `bench incidents`.
#[derive(Debug, Clone, Args)]
pub struct BenchIncidentsArgs {
    /// Incidents seeded before measuring.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub incidents: usize,
    /// Services the incidents are spread over.
    #[arg(long, value_name = "S", default_value_t = 200)]
    pub services: usize,
    /// Requests timed per case (sent one at a time).
    #[arg(long, value_name = "R", default_value_t = 2_000)]
    pub requests: usize,
    /// Hard bound on each case, in seconds: requests stop there.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub duration_limit: u64,
    /// A fresh, empty PostgreSQL database to run on (default: a temporary SQLite database).
    /// The URL's password, if any, is never printed.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Also time the console pages (home, incident list, incident page) as a signed-in browser.
    #[arg(long)]
    pub pages: bool,
}
