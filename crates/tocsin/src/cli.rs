//! The command line: subcommands and flags (each flag also reads a `TOCSIN_*` environment variable).
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{DatabaseLayer, Layer, LogFormat, ServerLayer};

/// Tocsin: open-source incident management in one binary.
#[derive(Debug, Parser)]
#[command(name = "tocsin", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (applies pending migrations first).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(CommonArgs),
    /// Audit the event log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Measure performance against a running (or in-process) server.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Durable ingest throughput and memory per active alert, compared with Prometheus
    /// Alertmanager when it is installed.
    Ingest(Box<crate::commands::bench::BenchIngestArgs>),
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check every event stream's hash chain; exit 1 naming the first broken link.
    Verify(CommonArgs),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented example tocsin.toml holding every setting at its default.
    Default,
    /// Print the effective configuration (flags > environment > file > defaults), passwords hidden.
    Show(Box<ServeArgs>),
}

/// Flags every command that touches the database takes.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Configuration file [default: ./tocsin.toml when present].
    #[arg(long, env = "TOCSIN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory for the embedded SQLite database (tocsin.db) [default: ./tocsin-data].
    #[arg(long, env = "TOCSIN_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Use this database instead of the embedded one (postgres://user@host/db or sqlite:PATH).
    #[arg(
        long,
        env = "TOCSIN_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// PostgreSQL connections per node [default: 16].
    #[arg(long, env = "TOCSIN_DATABASE_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<u32>,
    /// Log format [default: text].
    #[arg(long, env = "TOCSIN_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Log filter, e.g. `info` or `info,tocsin_store=debug` [default: info].
    #[arg(long = "log", env = "TOCSIN_LOG", value_name = "FILTER")]
    pub log: Option<String>,
}

/// Flags of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Address to listen on; port 0 picks a free port [default: 127.0.0.1:8080].
    #[arg(long, env = "TOCSIN_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// The URL users reach Tocsin at [default: http://<listen>].
    #[arg(long, env = "TOCSIN_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Largest request body accepted, in bytes [default: 1048576].
    #[arg(long, env = "TOCSIN_BODY_LIMIT_BYTES", value_name = "BYTES")]
    pub body_limit_bytes: Option<usize>,
    /// Web sessions end after this many idle seconds [default: 43200].
    #[arg(long, env = "TOCSIN_SESSION_IDLE_TIMEOUT_SECS", value_name = "SECS")]
    pub session_idle_timeout_secs: Option<u64>,
    /// Web sessions end this many seconds after login [default: 604800].
    #[arg(long, env = "TOCSIN_SESSION_MAX_AGE_SECS", value_name = "SECS")]
    pub session_max_age_secs: Option<u64>,
    /// Failed logins allowed per account and per address within the window [default: 5].
    #[arg(long, env = "TOCSIN_LOGIN_MAX_FAILURES", value_name = "N")]
    pub login_max_failures: Option<u32>,
    /// The failed-login window, in seconds [default: 900].
    #[arg(long, env = "TOCSIN_LOGIN_WINDOW_SECS", value_name = "SECS")]
    pub login_window_secs: Option<u64>,
    /// Email of the owner account created on the first start [default: owner@tocsin.local].
    #[arg(long, env = "TOCSIN_OWNER_EMAIL", value_name = "EMAIL")]
    pub owner_email: Option<String>,
    /// Seconds in-flight requests get to finish after SIGINT/SIGTERM [default: 30].
    #[arg(long, env = "TOCSIN_SHUTDOWN_GRACE_SECS", value_name = "SECS")]
    pub shutdown_grace_secs: Option<u64>,
    /// Alerts per second each integration key may send, sustained; faster keys get 429 with Retry-After [default: 1000].
    #[arg(long, env = "TOCSIN_INTAKE_RATE_PER_SECOND", value_name = "N")]
    pub intake_rate_per_second: Option<u32>,
    /// Alerts an integration key may send at once before its rate applies [default: 10000].
    #[arg(long, env = "TOCSIN_INTAKE_BURST", value_name = "N")]
    pub intake_burst: Option<u32>,
    /// Intake requests being committed at once, over all keys; beyond it intake answers 503 with Retry-After instead of queueing [default: 4096].
    #[arg(long, env = "TOCSIN_INTAKE_MAX_IN_FLIGHT", value_name = "N")]
    pub intake_max_in_flight: Option<u32>,
}

impl CommonArgs {
    /// The settings given on the command line or in the environment.
    pub fn layer(&self) -> Layer {
        Layer {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            log_format: self.log_format,
            log: self.log.clone(),
            database: DatabaseLayer {
                max_connections: self.max_connections,
            },
            ..Layer::default()
        }
    }
}

impl ServeArgs {
    /// The settings given on the command line or in the environment.
    pub fn layer(&self) -> Layer {
        Layer {
            listen: self.listen.clone(),
            public_url: self.public_url.clone(),
            server: ServerLayer {
                body_limit_bytes: self.body_limit_bytes,
                session_idle_timeout_secs: self.session_idle_timeout_secs,
                session_max_age_secs: self.session_max_age_secs,
                login_max_failures: self.login_max_failures,
                login_window_secs: self.login_window_secs,
                shutdown_grace_secs: self.shutdown_grace_secs,
                owner_email: self.owner_email.clone(),
                intake_rate_per_second: self.intake_rate_per_second,
                intake_burst: self.intake_burst,
                intake_max_in_flight: self.intake_max_in_flight,
            },
            ..self.common.layer()
        }
    }
}
