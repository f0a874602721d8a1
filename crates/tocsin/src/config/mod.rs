//! Settings: layers from flags/environment, `tocsin.toml` and defaults, merged in that order of precedence.
pub mod delivery;
pub mod delivery_docs;
pub mod template;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use tocsin_engine::delivery::DeliveryConfig;
use tocsin_server::ServerConfig;
use tocsin_server::ingest::gate::IntakeLimits;
use tocsin_store::StoreConfig;

use self::delivery::{DeliveryLayer, SmtpLayer, TwilioLayer};

/// The configuration file read when neither `--config` nor `TOCSIN_CONFIG` names one.
pub const DEFAULT_CONFIG_FILE: &str = "tocsin.toml";
/// The SQLite file inside the data directory.
pub const SQLITE_FILE: &str = "tocsin.db";

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// One source of settings; `None` means "not set here". It is also the shape of `tocsin.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    #[serde(default)]
    pub server: ServerLayer,
    #[serde(default)]
    pub database: DatabaseLayer,
    #[serde(default)]
    pub delivery: DeliveryLayer,
    #[serde(default)]
    pub smtp: SmtpLayer,
    #[serde(default)]
    pub twilio: TwilioLayer,
}

/// The `[server]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_limit_bytes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_idle_timeout_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_max_age_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_max_failures: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_window_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shutdown_grace_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intake_rate_per_second: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intake_burst: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intake_max_in_flight: Option<u32>,
}

/// The `[database]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<u32>,
}

impl Layer {
    /// `self` where set, `lower` elsewhere.
    pub fn over(self, lower: Layer) -> Layer {
        Layer {
            listen: self.listen.or(lower.listen),
            public_url: self.public_url.or(lower.public_url),
            data_dir: self.data_dir.or(lower.data_dir),
            database_url: self.database_url.or(lower.database_url),
            log_format: self.log_format.or(lower.log_format),
            log: self.log.or(lower.log),
            server: ServerLayer {
                body_limit_bytes: self
                    .server
                    .body_limit_bytes
                    .or(lower.server.body_limit_bytes),
                session_idle_timeout_secs: self
                    .server
                    .session_idle_timeout_secs
                    .or(lower.server.session_idle_timeout_secs),
                session_max_age_secs: self
                    .server
                    .session_max_age_secs
                    .or(lower.server.session_max_age_secs),
                login_max_failures: self
                    .server
                    .login_max_failures
                    .or(lower.server.login_max_failures),
                login_window_secs: self
                    .server
                    .login_window_secs
                    .or(lower.server.login_window_secs),
                shutdown_grace_secs: self
                    .server
                    .shutdown_grace_secs
                    .or(lower.server.shutdown_grace_secs),
                owner_email: self.server.owner_email.or(lower.server.owner_email),
                intake_rate_per_second: self
                    .server
                    .intake_rate_per_second
                    .or(lower.server.intake_rate_per_second),
                intake_burst: self.server.intake_burst.or(lower.server.intake_burst),
                intake_max_in_flight: self
                    .server
                    .intake_max_in_flight
                    .or(lower.server.intake_max_in_flight),
            },
            database: DatabaseLayer {
                max_connections: self
                    .database
                    .max_connections
                    .or(lower.database.max_connections),
            },
            delivery: self.delivery.over(lower.delivery),
            smtp: self.smtp.over(lower.smtp),
            twilio: self.twilio.over(lower.twilio),
        }
    }

    /// Parses a `tocsin.toml`; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &Path) -> anyhow::Result<Layer> {
        toml::from_str(text)
            .map_err(|e| anyhow::anyhow!("invalid configuration file {}: {e}", origin.display()))
    }

    /// Reads `explicit` (which must exist), or `./tocsin.toml` when present, or nothing.
    pub fn from_file(explicit: Option<&Path>) -> anyhow::Result<Layer> {
        let path = match explicit {
            Some(path) => path.to_path_buf(),
            None => {
                let path = PathBuf::from(DEFAULT_CONFIG_FILE);
                if !path.is_file() {
                    return Ok(Layer::default());
                }
                path
            }
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read configuration file {}", path.display()))?;
        Self::parse(&text, &path)
    }
}

/// The effective settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub listen: String,
    /// `None` until the listener is bound: then it defaults to `http://<bound address>`.
    pub public_url: Option<String>,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub log_format: LogFormat,
    pub log: String,
    pub body_limit_bytes: usize,
    pub session_idle_timeout: Duration,
    pub session_max_age: Duration,
    pub login_max_failures: u32,
    pub login_window: Duration,
    pub shutdown_grace: Duration,
    pub owner_email: String,
    pub max_connections: u32,
    pub intake: IntakeLimits,
    /// Notification delivery: the outbound allow-list, SMTP and Twilio (secrets redacted in Debug).
    pub delivery: DeliveryConfig,
    /// How long this node's claim on a notification holds (`delivery.lease_secs`).
    pub delivery_lease: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        let server = ServerConfig::default();
        Self {
            listen: "127.0.0.1:8080".to_owned(),
            public_url: None,
            data_dir: PathBuf::from("./tocsin-data"),
            database_url: None,
            log_format: LogFormat::Text,
            log: "info".to_owned(),
            body_limit_bytes: server.body_limit_bytes,
            session_idle_timeout: server.session_idle_timeout,
            session_max_age: server.session_max_age,
            login_max_failures: server.login_max_failures,
            login_window: server.login_window,
            shutdown_grace: Duration::from_secs(30),
            owner_email: server.owner_email,
            max_connections: 16,
            intake: server.intake,
            delivery: DeliveryConfig::default(),
            delivery_lease: Duration::from_secs(delivery::DEFAULT_LEASE_SECS),
        }
    }
}

fn positive<T: PartialOrd + Default + Copy>(
    value: Option<T>,
    name: &str,
) -> anyhow::Result<Option<T>> {
    match value {
        Some(v) if v <= T::default() => bail!("{name} must be greater than 0"),
        other => Ok(other),
    }
}

impl Settings {
    /// Resolves flags/environment (`cli`) over the configuration file over the defaults.
    pub fn load(cli: Layer, config_file: Option<&Path>) -> anyhow::Result<Self> {
        let file = Layer::from_file(config_file)?;
        Self::from_layer(cli.over(file))
    }

    /// Fills what `layer` leaves unset with the defaults, and checks the values.
    pub fn from_layer(layer: Layer) -> anyhow::Result<Self> {
        let d = Self::default();
        let secs = Duration::from_secs;
        let server = layer.server;
        let delivery_lease = delivery::resolve_lease(layer.delivery.lease_secs)?;
        let settings = Self {
            listen: layer.listen.unwrap_or(d.listen),
            public_url: layer.public_url.filter(|u| !u.is_empty()),
            data_dir: layer.data_dir.unwrap_or(d.data_dir),
            database_url: layer.database_url.filter(|u| !u.is_empty()),
            log_format: layer.log_format.unwrap_or(d.log_format),
            log: layer.log.unwrap_or(d.log),
            body_limit_bytes: positive(server.body_limit_bytes, "server.body_limit_bytes")?
                .unwrap_or(d.body_limit_bytes),
            session_idle_timeout: positive(
                server.session_idle_timeout_secs,
                "server.session_idle_timeout_secs",
            )?
            .map_or(d.session_idle_timeout, secs),
            session_max_age: positive(server.session_max_age_secs, "server.session_max_age_secs")?
                .map_or(d.session_max_age, secs),
            login_max_failures: positive(server.login_max_failures, "server.login_max_failures")?
                .unwrap_or(d.login_max_failures),
            login_window: positive(server.login_window_secs, "server.login_window_secs")?
                .map_or(d.login_window, secs),
            shutdown_grace: server.shutdown_grace_secs.map_or(d.shutdown_grace, secs),
            owner_email: server
                .owner_email
                .filter(|e| !e.is_empty())
                .unwrap_or(d.owner_email),
            max_connections: positive(layer.database.max_connections, "database.max_connections")?
                .unwrap_or(d.max_connections),
            intake: IntakeLimits {
                rate_per_second: positive(
                    server.intake_rate_per_second,
                    "server.intake_rate_per_second",
                )?
                .map_or(d.intake.rate_per_second, f64::from),
                burst: positive(server.intake_burst, "server.intake_burst")?
                    .map_or(d.intake.burst, f64::from),
                max_in_flight: positive(
                    server.intake_max_in_flight,
                    "server.intake_max_in_flight",
                )?
                .map_or(d.intake.max_in_flight, |n| n as usize),
            },
            delivery: delivery::resolve(layer.delivery, layer.smtp, layer.twilio)?,
            delivery_lease,
        };
        if let Some(url) = &settings.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            bail!("public_url must start with http:// or https://, got {url:?}");
        }
        settings.store_config()?;
        Ok(settings)
    }

    /// Where the data lives: the database URL when set, else `<data_dir>/tocsin.db`.
    pub fn store_config(&self) -> anyhow::Result<StoreConfig> {
        let Some(url) = &self.database_url else {
            return Ok(StoreConfig::sqlite(self.data_dir.join(SQLITE_FILE)));
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(StoreConfig::Postgres {
                url: url.clone(),
                max_connections: self.max_connections,
                schema: None,
            })
        } else if let Some(path) = url
            .strip_prefix("sqlite://")
            .or(url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                bail!(
                    "database_url sqlite: needs a file path, e.g. sqlite:/var/lib/tocsin/tocsin.db"
                );
            }
            Ok(StoreConfig::sqlite(path))
        } else {
            bail!(
                "database_url must start with postgres://, postgresql:// or sqlite: (got {})",
                StoreConfig::postgres(url.clone()).describe()
            )
        }
    }

    /// The server's settings, once the public URL is known.
    pub fn server_config(&self, public_url: String) -> ServerConfig {
        ServerConfig {
            public_url,
            body_limit_bytes: self.body_limit_bytes,
            session_idle_timeout: self.session_idle_timeout,
            session_max_age: self.session_max_age,
            login_max_failures: self.login_max_failures,
            login_window: self.login_window,
            owner_email: self.owner_email.clone(),
            intake: self.intake,
            delivery: self.delivery.clone(),
        }
    }

    /// The settings as a `tocsin.toml`, with any database password, SMTP password and Twilio
    /// token left out.
    pub fn to_toml(&self) -> anyhow::Result<String> {
        let store = self.store_config()?;
        let (mut delivery, smtp, twilio) = delivery::shown_layers(&self.delivery);
        delivery.lease_secs = Some(self.delivery_lease.as_secs());
        let layer = Layer {
            listen: Some(self.listen.clone()),
            public_url: Some(
                self.public_url
                    .clone()
                    .unwrap_or_else(|| format!("http://{}", self.listen)),
            ),
            data_dir: Some(self.data_dir.clone()),
            database_url: self.database_url.as_ref().map(|_| store.describe()),
            log_format: Some(self.log_format),
            log: Some(self.log.clone()),
            server: ServerLayer {
                body_limit_bytes: Some(self.body_limit_bytes),
                session_idle_timeout_secs: Some(self.session_idle_timeout.as_secs()),
                session_max_age_secs: Some(self.session_max_age.as_secs()),
                login_max_failures: Some(self.login_max_failures),
                login_window_secs: Some(self.login_window.as_secs()),
                shutdown_grace_secs: Some(self.shutdown_grace.as_secs()),
                owner_email: Some(self.owner_email.clone()),
                intake_rate_per_second: Some(self.intake.rate_per_second as u32),
                intake_burst: Some(self.intake.burst as u32),
                intake_max_in_flight: Some(
                    u32::try_from(self.intake.max_in_flight).unwrap_or(u32::MAX),
                ),
            },
            database: DatabaseLayer {
                max_connections: Some(self.max_connections),
            },
            delivery,
            smtp,
            twilio,
        };
        Ok(toml::to_string(&layer)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let file = Layer::parse(
            "listen = \"0.0.0.0:9000\"\nlog = \"debug\"\n[server]\nlogin_max_failures = 9\n",
            Path::new("t.toml"),
        )
        .expect("parses");
        let cli = Layer {
            listen: Some("127.0.0.1:7000".into()),
            ..Layer::default()
        };
        let settings = Settings::from_layer(cli.over(file)).expect("valid");
        assert_eq!(settings.listen, "127.0.0.1:7000");
        assert_eq!(settings.log, "debug");
        assert_eq!(settings.login_max_failures, 9);
        assert_eq!(
            settings.body_limit_bytes,
            Settings::default().body_limit_bytes
        );
    }

    #[test]
    fn unknown_keys_name_the_key_and_the_file() {
        let error = Layer::parse("[server]\nbody_limit = 5\n", Path::new("/etc/tocsin.toml"))
            .expect_err("unknown key")
            .to_string();
        assert!(error.contains("body_limit"), "{error}");
        assert!(error.contains("/etc/tocsin.toml"), "{error}");
    }

    #[test]
    fn database_urls_choose_the_backend_and_hide_passwords() {
        let mut settings = Settings {
            database_url: Some("postgres://tocsin:s3cret@db:5432/tocsin".into()),
            ..Settings::default()
        };
        let described = settings.store_config().expect("postgres").describe();
        assert!(!described.contains("s3cret"), "{described}");
        assert!(!settings.to_toml().expect("toml").contains("s3cret"));
        settings.database_url = Some("sqlite:/tmp/x.db".into());
        assert!(matches!(
            settings.store_config(),
            Ok(StoreConfig::Sqlite { .. })
        ));
        settings.database_url = Some("mysql://x".into());
        assert!(settings.store_config().is_err());
    }

    #[test]
    fn zero_limits_are_refused() {
        let layer = Layer {
            server: ServerLayer {
                body_limit_bytes: Some(0),
                ..ServerLayer::default()
            },
            ..Layer::default()
        };
        assert!(Settings::from_layer(layer).is_err());
    }
}
