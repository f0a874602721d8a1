//! Notification delivery settings: the `[delivery]` (outbound allow-list, timeout, outbox lease), `[smtp]` and
//! `[twilio]` tables, merged like every other layer and turned into the engine's `DeliveryConfig`.
//! Passwords and tokens are never printed (`config show` leaves them out).
use std::time::Duration;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use tocsin_domain::delivery::AllowList;
use tocsin_engine::delivery::{DeliveryConfig, Secret, SmtpConfig, SmtpSecurity, TwilioConfig};

/// The `[delivery]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_outbound: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_timeout_secs: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease_secs: Option<u64>,
}

/// The `[smtp]` table.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hello_name: Option<String>,
}

/// The `[twilio]` table.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwilioLayer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_sid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_number: Option<String>,
}

/// Shows which secrets are set, never their values.
fn shown(secret: &Option<String>) -> &'static str {
    if secret.is_some() {
        "<redacted>"
    } else {
        "unset"
    }
}

impl std::fmt::Debug for SmtpLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpLayer")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &shown(&self.password))
            .field("from", &self.from)
            .field("hello_name", &self.hello_name)
            .finish()
    }
}

impl std::fmt::Debug for TwilioLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioLayer")
            .field("base_url", &self.base_url)
            .field("account_sid", &self.account_sid)
            .field("auth_token", &shown(&self.auth_token))
            .field("from_number", &self.from_number)
            .finish()
    }
}

/// `upper` where set, `lower` elsewhere, field by field.
macro_rules! over {
    ($upper:expr, $lower:expr, $type:ident { $($field:ident),* }) => {
        $type { $($field: $upper.$field.or($lower.$field)),* }
    };
}

impl DeliveryLayer {
    pub fn over(self, lower: Self) -> Self {
        over!(
            self,
            lower,
            DeliveryLayer {
                allow_outbound,
                request_timeout_secs,
                lease_secs
            }
        )
    }
}

impl SmtpLayer {
    pub fn over(self, lower: Self) -> Self {
        over!(
            self,
            lower,
            SmtpLayer {
                host,
                port,
                security,
                username,
                password,
                from,
                hello_name
            }
        )
    }
}

impl TwilioLayer {
    pub fn over(self, lower: Self) -> Self {
        over!(
            self,
            lower,
            TwilioLayer {
                base_url,
                account_sid,
                auth_token,
                from_number
            }
        )
    }
}

/// Defaults of the delivery settings.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 10;
/// How long a node's claim on a notification holds before another node may take it over.
pub const DEFAULT_LEASE_SECS: u64 = 60;
/// The longest lease accepted: a dead node's notifications wait at most this long.
pub const MAX_LEASE_SECS: u64 = 3600;
pub const DEFAULT_SMTP_PORT: u16 = 587;
pub const DEFAULT_TWILIO_BASE_URL: &str = "https://api.twilio.com";

fn nonempty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// The effective delivery configuration of `delivery`, `smtp` and `twilio`, checked.
pub fn resolve(
    delivery: DeliveryLayer,
    smtp: SmtpLayer,
    twilio: TwilioLayer,
) -> anyhow::Result<DeliveryConfig> {
    let allow_list = AllowList::parse(&delivery.allow_outbound.unwrap_or_default())
        .map_err(|e| anyhow::anyhow!("delivery.allow_outbound: {e}"))?;
    let timeout = delivery
        .request_timeout_secs
        .unwrap_or(DEFAULT_REQUEST_TIMEOUT_SECS);
    if timeout == 0 {
        bail!("delivery.request_timeout_secs must be greater than 0");
    }
    Ok(DeliveryConfig {
        allow_list,
        request_timeout: Duration::from_secs(timeout),
        smtp: resolve_smtp(smtp)?,
        twilio: resolve_twilio(twilio)?,
        ..DeliveryConfig::default()
    })
}

/// The outbox lease of `delivery.lease_secs`: the default when unset, else 1 to 3600 seconds.
pub fn resolve_lease(lease_secs: Option<u64>) -> anyhow::Result<Duration> {
    let secs = lease_secs.unwrap_or(DEFAULT_LEASE_SECS);
    if !(1..=MAX_LEASE_SECS).contains(&secs) {
        bail!("delivery.lease_secs must be between 1 and {MAX_LEASE_SECS} seconds, got {secs}");
    }
    Ok(Duration::from_secs(secs))
}

fn resolve_smtp(smtp: SmtpLayer) -> anyhow::Result<Option<SmtpConfig>> {
    let security: SmtpSecurity = match &smtp.security {
        Some(text) => text
            .parse()
            .map_err(|e| anyhow::anyhow!("smtp.security: {e}"))?,
        None => SmtpSecurity::default(),
    };
    let Some(host) = nonempty(smtp.host) else {
        return Ok(None);
    };
    let from = nonempty(smtp.from).context("smtp.from is required when smtp.host is set")?;
    if !from.contains('@') {
        bail!("smtp.from must be an email address (\"Tocsin <tocsin@example.com>\"), got {from:?}");
    }
    let username = nonempty(smtp.username);
    let password = nonempty(smtp.password).map(Secret::new);
    if username.is_some() != password.is_some() {
        bail!("smtp.username and smtp.password go together");
    }
    Ok(Some(SmtpConfig {
        host,
        port: smtp.port.unwrap_or(DEFAULT_SMTP_PORT),
        security,
        username,
        password,
        from,
        hello_name: nonempty(smtp.hello_name),
    }))
}

fn resolve_twilio(twilio: TwilioLayer) -> anyhow::Result<Option<TwilioConfig>> {
    let base = nonempty(twilio.base_url).unwrap_or_else(|| DEFAULT_TWILIO_BASE_URL.to_owned());
    let base_url: url::Url = base
        .parse()
        .ok()
        .filter(|u: &url::Url| matches!(u.scheme(), "http" | "https"))
        .with_context(|| format!("twilio.base_url must be an http(s) URL, got {base:?}"))?;
    let parts = (
        nonempty(twilio.account_sid),
        nonempty(twilio.auth_token),
        nonempty(twilio.from_number),
    );
    match parts {
        (None, None, None) => Ok(None),
        (Some(account_sid), Some(auth_token), Some(from_number)) => Ok(Some(TwilioConfig {
            base_url,
            account_sid,
            auth_token: Secret::new(auth_token),
            from_number,
        })),
        _ => bail!("twilio.account_sid, twilio.auth_token and twilio.from_number go together"),
    }
}

/// The layers `config show` prints for `config`: secrets left out.
pub fn shown_layers(config: &DeliveryConfig) -> (DeliveryLayer, SmtpLayer, TwilioLayer) {
    let delivery = DeliveryLayer {
        allow_outbound: Some(
            config
                .allow_list
                .cidrs()
                .iter()
                .map(ToString::to_string)
                .collect(),
        ),
        request_timeout_secs: Some(config.request_timeout.as_secs()),
        lease_secs: None,
    };
    let smtp = config
        .smtp
        .as_ref()
        .map_or_else(SmtpLayer::default, |s| SmtpLayer {
            host: Some(s.host.clone()),
            port: Some(s.port),
            security: Some(security_name(s.security).to_owned()),
            username: s.username.clone(),
            password: None,
            from: Some(s.from.clone()),
            hello_name: s.hello_name.clone(),
        });
    let twilio = config
        .twilio
        .as_ref()
        .map_or_else(TwilioLayer::default, |t| TwilioLayer {
            base_url: Some(t.base_url.to_string()),
            account_sid: Some(t.account_sid.clone()),
            auth_token: None,
            from_number: Some(t.from_number.clone()),
        });
    (delivery, smtp, twilio)
}

fn security_name(security: SmtpSecurity) -> &'static str {
    match security {
        SmtpSecurity::None => "none",
        SmtpSecurity::StartTls => "starttls",
        SmtpSecurity::Tls => "tls",
    }
}

#[cfg(test)]
#[path = "delivery_tests.rs"]
mod tests;
