//! Email over SMTP (lettre, async): a multipart/alternative message with a plain-text and an HTML
//! part, a Message-ID derived from the idempotency key (so a repeat is recognisable), sent to the
//! configured relay with STARTTLS, implicit TLS or neither, and optional authentication. The
//! relay's address goes through the address guard; TLS still verifies the configured host name.
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tocsin_domain::delivery::outcome::{TransportFailure, classify_smtp, classify_transport};
use tocsin_domain::delivery::{IdempotencyKey, Outcome, RenderedMessage};

use super::config::{SmtpConfig, SmtpSecurity};
use super::guard::AddressGuard;
use super::http::guard_outcome;

/// Sends email through one relay.
#[derive(Debug, Clone)]
pub struct EmailSender {
    config: SmtpConfig,
    guard: AddressGuard,
    timeout: Duration,
}

fn refused(detail: String) -> Outcome {
    classify_transport(TransportFailure::Refused, &detail)
}

/// The Message-ID of the message sent under `key`: `<key@domain of the sender>`.
pub fn message_id(key: &IdempotencyKey, from: &Mailbox) -> String {
    format!("<{key}@{}>", from.email.domain())
}

impl EmailSender {
    pub fn new(config: SmtpConfig, guard: AddressGuard, timeout: Duration) -> Self {
        Self {
            config,
            guard,
            timeout,
        }
    }

    /// Builds the message for `to`.
    pub fn message(
        &self,
        to: &str,
        rendered: &RenderedMessage,
        key: &IdempotencyKey,
    ) -> Result<Message, Outcome> {
        let from: Mailbox =
            self.config.from.parse().map_err(|error| {
                refused(format!("invalid sender {:?}: {error}", self.config.from))
            })?;
        let to: Mailbox = to
            .parse()
            .map_err(|error| refused(format!("invalid recipient {to:?}: {error}")))?;
        let html = rendered
            .html
            .clone()
            .unwrap_or_else(|| escape_html_paragraph(&rendered.text));
        Message::builder()
            .message_id(Some(message_id(key, &from)))
            .from(from)
            .to(to)
            .subject(rendered.subject.clone().unwrap_or_default())
            .multipart(MultiPart::alternative_plain_html(
                rendered.text.clone(),
                html,
            ))
            .map_err(|error| refused(format!("cannot build the message: {error}")))
    }

    async fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, Outcome> {
        let host = self.config.host.as_str();
        let addresses = self
            .guard
            .resolve(host, self.config.port)
            .await
            .map_err(guard_outcome)?;
        let Some(address) = addresses.first() else {
            return Err(refused(format!("{host} has no allowed address")));
        };
        let tls_parameters = || {
            TlsParameters::new(host.to_owned())
                .map_err(|error| refused(format!("TLS setup failed: {error}")))
        };
        let tls = match self.config.security {
            SmtpSecurity::None => Tls::None,
            SmtpSecurity::StartTls => Tls::Required(tls_parameters()?),
            SmtpSecurity::Tls => Tls::Wrapper(tls_parameters()?),
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(address.ip().to_string())
                .port(address.port())
                .tls(tls)
                .timeout(Some(self.timeout));
        if let Some(name) = &self.config.hello_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        if let (Some(user), Some(password)) = (&self.config.username, &self.config.password) {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        Ok(builder.build())
    }

    /// Sends `rendered` to `to`; the receipt is the relay's reply to the message (its queue id).
    pub async fn send(
        &self,
        to: &str,
        rendered: &RenderedMessage,
        key: &IdempotencyKey,
    ) -> Outcome {
        let message = match self.message(to, rendered, key) {
            Ok(message) => message,
            Err(outcome) => return outcome,
        };
        let transport = match self.transport().await {
            Ok(transport) => transport,
            Err(outcome) => return outcome,
        };
        match transport.send(message).await {
            Ok(response) => Outcome::Delivered {
                receipt: Some(response.message().collect::<Vec<_>>().join(" "))
                    .filter(|r| !r.is_empty()),
            },
            Err(error) => smtp_outcome(&error),
        }
    }
}

/// An SMTP failure: a reply code is classified by its class (4xx transient, 5xx permanent);
/// connection and timeout failures are retryable; a TLS failure is permanent (configuration).
fn smtp_outcome(error: &lettre::transport::smtp::Error) -> Outcome {
    if let Some(code) = error.status() {
        let number = code.to_string().parse::<u16>().unwrap_or(554);
        return classify_smtp(number, &error.to_string());
    }
    let failure = if error.is_timeout() {
        TransportFailure::Timeout
    } else if error.is_tls() || error.is_client() {
        TransportFailure::Refused
    } else {
        TransportFailure::Connect
    };
    classify_transport(failure, &error.to_string())
}

/// A plain text as an HTML paragraph, for a message rendered without an HTML body.
fn escape_html_paragraph(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!("<p style=\"white-space: pre-line\">{escaped}</p>")
}
