//! The command line: subcommands and flags (each flag also reads a `TOCSIN_*` environment variable).
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::delivery::{DeliveryLayer, SmtpLayer, TwilioLayer};
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
    /// Work with incidents on a running Tocsin (through its API).
    Incident {
        #[command(subcommand)]
        command: IncidentCommand,
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
    /// Alert-to-page latency (idle and under ingest) and escalation timer lateness, compared with
    /// Prometheus Alertmanager's POST-to-webhook latency when it is installed.
    Paging(Box<crate::commands::bench::paging::BenchPagingArgs>),
    /// Incident list and detail latency with many incidents stored (1,000,000 by default),
    /// against the 20 ms p99 budget for a filtered first page.
    Incidents(Box<crate::commands::bench::incidents::BenchIncidentsArgs>),
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Declare an incident by hand; prints its number and address.
    Declare(DeclareArgs),
}

/// `tocsin incident declare`.
#[derive(Debug, clap::Args)]
pub struct DeclareArgs {
    /// What is happening, 1 to 255 characters.
    #[arg(long)]
    pub title: String,
    /// The affected service: its name or id. Its escalation policy pages unless --no-page.
    #[arg(long)]
    pub service: String,
    /// What is known so far.
    #[arg(long)]
    pub summary: Option<String>,
    /// critical, error, warning or info.
    #[arg(long, default_value = "critical")]
    pub severity: String,
    /// The incident type, such as outage, security or hr (security and HR cases are restricted).
    #[arg(long = "type")]
    pub incident_type: Option<String>,
    /// normal or restricted.
    #[arg(long)]
    pub visibility: Option<String>,
    /// A tag; repeat for several.
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Declare without paging the service's escalation policy.
    #[arg(long)]
    pub no_page: bool,
    /// Where Tocsin runs.
    #[arg(long, env = "TOCSIN_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// An API token (create one under /api/v1/tokens).
    #[arg(long, env = "TOCSIN_TOKEN", hide_env_values = true)]
    pub token: String,
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
    #[command(flatten)]
    pub delivery: Box<DeliveryArgs>,
    /// Fill a fresh database with a demo organisation and keep demo alerts coming (docs/demo.md).
    #[arg(long)]
    pub demo: bool,
}

/// Notification delivery flags of `serve` (see docs/notifications.md).
#[derive(Debug, Clone, Args)]
pub struct DeliveryArgs {
    /// Networks notifications may reach although loopback, private or link-local (CIDRs, comma-separated) [default: none].
    #[arg(
        long,
        env = "TOCSIN_ALLOW_OUTBOUND",
        value_name = "CIDR",
        value_delimiter = ','
    )]
    pub allow_outbound: Option<Vec<String>>,
    /// The longest one notification request or SMTP conversation may take [default: 10].
    #[arg(long, env = "TOCSIN_DELIVERY_TIMEOUT_SECS", value_name = "SECS")]
    pub delivery_timeout_secs: Option<u64>,
    /// Seconds a node's claim on a notification holds before another node may take it over and re-send it (1 to 3600) [default: 60].
    #[arg(long, env = "TOCSIN_DELIVERY_LEASE_SECS", value_name = "SECS")]
    pub delivery_lease_secs: Option<u64>,
    /// SMTP relay for email notifications; email is off while unset.
    #[arg(long, env = "TOCSIN_SMTP_HOST", value_name = "HOST")]
    pub smtp_host: Option<String>,
    /// SMTP relay port [default: 587].
    #[arg(long, env = "TOCSIN_SMTP_PORT", value_name = "PORT")]
    pub smtp_port: Option<u16>,
    /// SMTP connection security: starttls, tls or none [default: starttls].
    #[arg(long, env = "TOCSIN_SMTP_SECURITY", value_name = "MODE")]
    pub smtp_security: Option<String>,
    /// SMTP user name (with the password).
    #[arg(long, env = "TOCSIN_SMTP_USERNAME", value_name = "USER")]
    pub smtp_username: Option<String>,
    /// SMTP password; prefer the environment variable.
    #[arg(
        long,
        env = "TOCSIN_SMTP_PASSWORD",
        value_name = "PASSWORD",
        hide_env_values = true
    )]
    pub smtp_password: Option<String>,
    /// Sender of email notifications, e.g. "Tocsin <tocsin@example.com>".
    #[arg(long, env = "TOCSIN_SMTP_FROM", value_name = "ADDRESS")]
    pub smtp_from: Option<String>,
    /// Name given in EHLO [default: the host name].
    #[arg(long, env = "TOCSIN_SMTP_HELLO_NAME", value_name = "NAME")]
    pub smtp_hello_name: Option<String>,
    /// Base URL of the Twilio-compatible API [default: https://api.twilio.com].
    #[arg(long, env = "TOCSIN_TWILIO_BASE_URL", value_name = "URL")]
    pub twilio_base_url: Option<String>,
    /// Twilio account SID; SMS and voice are off while unset.
    #[arg(long, env = "TOCSIN_TWILIO_ACCOUNT_SID", value_name = "SID")]
    pub twilio_account_sid: Option<String>,
    /// Twilio auth token; prefer the environment variable.
    #[arg(
        long,
        env = "TOCSIN_TWILIO_AUTH_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub twilio_auth_token: Option<String>,
    /// Number SMS and calls come from (E.164).
    #[arg(long, env = "TOCSIN_TWILIO_FROM_NUMBER", value_name = "NUMBER")]
    pub twilio_from_number: Option<String>,
}

impl DeliveryArgs {
    /// The `[delivery]`, `[smtp]` and `[twilio]` settings given here.
    pub fn layers(&self) -> (DeliveryLayer, SmtpLayer, TwilioLayer) {
        let delivery = DeliveryLayer {
            allow_outbound: self.allow_outbound.clone(),
            request_timeout_secs: self.delivery_timeout_secs,
            lease_secs: self.delivery_lease_secs,
        };
        let smtp = SmtpLayer {
            host: self.smtp_host.clone(),
            port: self.smtp_port,
            security: self.smtp_security.clone(),
            username: self.smtp_username.clone(),
            password: self.smtp_password.clone(),
            from: self.smtp_from.clone(),
            hello_name: self.smtp_hello_name.clone(),
        };
        let twilio = TwilioLayer {
            base_url: self.twilio_base_url.clone(),
            account_sid: self.twilio_account_sid.clone(),
            auth_token: self.twilio_auth_token.clone(),
            from_number: self.twilio_from_number.clone(),
        };
        (delivery, smtp, twilio)
    }
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
        let (delivery, smtp, twilio) = self.delivery.layers();
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
            delivery,
            smtp,
            twilio,
            ..self.common.layer()
        }
    }
}
