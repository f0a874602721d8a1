//! Delivery configuration: the outbound allow-list and timeouts, the SMTP relay and the
//! Twilio-compatible SMS/voice provider. Secrets are wrapped so `Debug` never prints them.
use std::fmt;
use std::time::Duration;

use tocsin_domain::delivery::AllowList;
use url::Url;

/// A secret string (password, auth token). `Debug` and `Display` show `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmtpSecurity {
    /// Plain text (a relay on the same host or network only).
    None,
    /// Upgrade with STARTTLS, refusing a server that does not offer it (usually port 587).
    #[default]
    StartTls,
    /// TLS from the first byte (implicit TLS, usually port 465).
    Tls,
}

impl std::str::FromStr for SmtpSecurity {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "none" => Ok(SmtpSecurity::None),
            "starttls" => Ok(SmtpSecurity::StartTls),
            "tls" => Ok(SmtpSecurity::Tls),
            other => Err(format!(
                "SMTP security is none, starttls or tls, not {other:?}"
            )),
        }
    }
}

/// The SMTP relay email is sent through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// Authenticate when set (with `password`).
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The sender, `Tocsin <tocsin@example.com>` or a bare address.
    pub from: String,
    /// The name sent in EHLO; the machine's host name when unset.
    pub hello_name: Option<String>,
}

/// The Twilio-compatible HTTP API SMS and voice calls go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwilioConfig {
    /// `https://api.twilio.com`, or a compatible provider's (or a test mock's) base URL.
    pub base_url: Url,
    pub account_sid: String,
    pub auth_token: Secret,
    /// The number messages and calls come from (E.164).
    pub from_number: String,
}

/// Everything the sender needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryConfig {
    /// Networks reachable despite being loopback, private or link-local.
    pub allow_list: AllowList,
    /// The longest one HTTP request or SMTP conversation may take.
    pub request_timeout: Duration,
    /// Redirects followed per request, each checked like the first URL.
    pub max_redirects: usize,
    pub smtp: Option<SmtpConfig>,
    pub twilio: Option<TwilioConfig>,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            allow_list: AllowList::default(),
            request_timeout: Duration::from_secs(10),
            max_redirects: 5,
            smtp: None,
            twilio: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_passwords_and_tokens() {
        let config = DeliveryConfig {
            smtp: Some(SmtpConfig {
                host: "smtp.example.com".into(),
                port: 587,
                security: SmtpSecurity::StartTls,
                username: Some("tocsin".into()),
                password: Some(Secret::new("hunter2-smtp")),
                from: "tocsin@example.com".into(),
                hello_name: None,
            }),
            twilio: Some(TwilioConfig {
                base_url: Url::parse("https://api.twilio.com").expect("url"),
                account_sid: "AC123".into(),
                auth_token: Secret::new("tw-token-xyz"),
                from_number: "+15005550006".into(),
            }),
            ..DeliveryConfig::default()
        };
        let shown = format!("{config:?} {}", Secret::new("plain"));
        for secret in ["hunter2-smtp", "tw-token-xyz", "plain"] {
            assert!(!shown.contains(secret), "{secret} leaked: {shown}");
        }
        assert!(shown.contains("smtp.example.com"), "{shown}");
    }

    #[test]
    fn security_modes_parse_from_their_configuration_names() {
        assert_eq!("none".parse(), Ok(SmtpSecurity::None));
        assert_eq!("starttls".parse(), Ok(SmtpSecurity::StartTls));
        assert_eq!("tls".parse(), Ok(SmtpSecurity::Tls));
        assert!("ssl".parse::<SmtpSecurity>().is_err());
    }
}
