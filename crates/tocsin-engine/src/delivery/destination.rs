//! Where one notification goes: a contact method resolved to its channel and address. Incoming
//! webhook URLs are credentials (anyone holding one may post), so `Debug` shows only their host.
use std::fmt;

use tocsin_domain::delivery::{Channel, WebhookSecret};
use url::Url;

/// One destination.
#[derive(Clone, PartialEq, Eq)]
pub enum Destination {
    /// An outbound webhook signed per Standard Webhooks.
    Webhook {
        url: Url,
        secret: WebhookSecret,
    },
    /// A Slack incoming webhook.
    Slack {
        webhook_url: Url,
    },
    /// A Microsoft Teams incoming webhook (Workflows or the older connector).
    Teams {
        webhook_url: Url,
    },
    Email {
        address: String,
    },
    /// A phone number in E.164 form (`+14155550100`).
    Sms {
        number: String,
    },
    Voice {
        number: String,
    },
}

impl Destination {
    pub fn channel(&self) -> Channel {
        match self {
            Destination::Webhook { .. } => Channel::Webhook,
            Destination::Slack { .. } => Channel::Slack,
            Destination::Teams { .. } => Channel::Teams,
            Destination::Email { .. } => Channel::Email,
            Destination::Sms { .. } => Channel::Sms,
            Destination::Voice { .. } => Channel::Voice,
        }
    }

    /// The endpoint a failure says something about, for the circuit breaker: an HTTP
    /// destination's origin (scheme, host, port), or the SMTP relay / SMS provider as a whole.
    pub fn circuit_key(&self) -> String {
        match self {
            Destination::Webhook { url, .. }
            | Destination::Slack { webhook_url: url }
            | Destination::Teams { webhook_url: url } => {
                format!(
                    "{}:{}",
                    self.channel().as_str(),
                    url.origin().ascii_serialization()
                )
            }
            Destination::Email { .. } => "email:smtp".to_owned(),
            Destination::Sms { .. } | Destination::Voice { .. } => "twilio".to_owned(),
        }
    }

    /// The exact destination, for its rate limit (each Slack webhook, each phone number).
    pub fn rate_key(&self) -> String {
        let channel = self.channel().as_str();
        match self {
            Destination::Webhook { url, .. }
            | Destination::Slack { webhook_url: url }
            | Destination::Teams { webhook_url: url } => format!("{channel}:{url}"),
            Destination::Email { address } => format!("{channel}:{}", address.to_lowercase()),
            Destination::Sms { number } | Destination::Voice { number } => {
                format!("{channel}:{number}")
            }
        }
    }
}

impl fmt::Debug for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = |url: &Url| url.host_str().unwrap_or("?").to_owned();
        match self {
            Destination::Webhook { url, .. } => {
                write!(f, "Webhook({}, secret redacted)", host(url))
            }
            Destination::Slack { webhook_url } => {
                write!(f, "Slack({}/<redacted>)", host(webhook_url))
            }
            Destination::Teams { webhook_url } => {
                write!(f, "Teams({}/<redacted>)", host(webhook_url))
            }
            Destination::Email { address } => write!(f, "Email({address})"),
            Destination::Sms { number } => write!(f, "Sms({number})"),
            Destination::Voice { number } => write!(f, "Voice({number})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("url")
    }

    #[test]
    fn debug_hides_webhook_paths_and_secrets() {
        let slack = Destination::Slack {
            webhook_url: url("https://hooks.slack.com/services/T000/B000/XXXXSECRET"),
        };
        let shown = format!("{slack:?}");
        assert_eq!(shown, "Slack(hooks.slack.com/<redacted>)");
        let secret =
            WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("secret");
        let webhook = Destination::Webhook {
            url: url("https://example.com/hook?token=abc"),
            secret,
        };
        let shown = format!("{webhook:?}");
        assert!(
            !shown.contains("MfKQ9r8") && !shown.contains("abc"),
            "{shown}"
        );
    }

    #[test]
    fn breakers_are_per_origin_and_rate_limits_per_destination() {
        let a = Destination::Slack {
            webhook_url: url("https://hooks.slack.com/services/A"),
        };
        let b = Destination::Slack {
            webhook_url: url("https://hooks.slack.com/services/B"),
        };
        assert_eq!(a.circuit_key(), b.circuit_key());
        assert_ne!(a.rate_key(), b.rate_key());
        let sms = Destination::Sms {
            number: "+1555".into(),
        };
        let voice = Destination::Voice {
            number: "+1555".into(),
        };
        assert_eq!(sms.circuit_key(), voice.circuit_key());
        assert_ne!(sms.rate_key(), voice.rate_key());
    }
}
