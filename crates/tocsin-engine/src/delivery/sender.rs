//! The sender: delivers one rendered message to one destination with an idempotency key and
//! answers the classified outcome (with the provider's receipt where there is one). It never
//! retries by itself: the caller (the outbox) decides with `RetryPolicy`, the circuit breaker and
//! the rate limit, so an attempt is always recorded.
use reqwest::header::HeaderMap;
use tocsin_domain::SharedClock;
use tocsin_domain::delivery::outcome::{TransportFailure, classify_http, classify_transport};
use tocsin_domain::delivery::{IdempotencyKey, Notification, Outcome, RenderedMessage};
use url::Url;

use super::chat;
use super::config::{DeliveryConfig, TwilioConfig};
use super::destination::Destination;
use super::email::EmailSender;
use super::error::DeliveryError;
use super::guard::AddressGuard;
use super::http::{GuardedClient, HttpAnswer, OutboundRequest, header_value};
use super::twilio::{self, Resource};
use super::webhook;

/// One message to deliver: the notification (for structured payloads and action links), its
/// rendering for the destination's channel, and the key every attempt of it shares.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    pub notification: &'a Notification,
    pub message: &'a RenderedMessage,
    pub key: &'a IdempotencyKey,
}

/// Delivers to every channel; cheap to clone and share.
#[derive(Debug, Clone)]
pub struct Sender {
    http: GuardedClient,
    email: Option<EmailSender>,
    twilio: Option<TwilioConfig>,
    clock: SharedClock,
}

impl Sender {
    pub fn new(config: &DeliveryConfig, clock: SharedClock) -> Result<Self, DeliveryError> {
        let guard = AddressGuard::new(config.allow_list.clone());
        let http = GuardedClient::new(guard.clone(), config.request_timeout, config.max_redirects)?;
        let email = config
            .smtp
            .clone()
            .map(|smtp| EmailSender::new(smtp, guard, config.request_timeout));
        Ok(Self {
            http,
            email,
            twilio: config.twilio.clone(),
            clock,
        })
    }

    /// Makes one attempt.
    pub async fn send(&self, destination: &Destination, delivery: Delivery<'_>) -> Outcome {
        let outcome = match destination {
            Destination::Webhook { url, secret } => {
                let sent_at = self.clock.now();
                let body = webhook::body(delivery.notification, delivery.message, sent_at);
                let request = webhook::request(url, secret, delivery.key, body, sent_at);
                self.post(request, |_| None).await
            }
            Destination::Slack { webhook_url } => {
                let body = chat::slack_body(delivery.notification, delivery.message);
                self.post_json(webhook_url, &body, delivery.key).await
            }
            Destination::Teams { webhook_url } => {
                let body = chat::teams_body(delivery.notification, delivery.message);
                self.post_json(webhook_url, &body, delivery.key).await
            }
            Destination::Email { address } => match &self.email {
                Some(email) => email.send(address, delivery.message, delivery.key).await,
                None => not_configured("email", "[smtp]"),
            },
            Destination::Sms { number } => self.twilio(Resource::Messages, number, delivery).await,
            Destination::Voice { number } => self.twilio(Resource::Calls, number, delivery).await,
        };
        tracing::debug!(?destination, key = %delivery.key, ?outcome, "delivery attempt");
        outcome
    }

    async fn twilio(&self, resource: Resource, number: &str, delivery: Delivery<'_>) -> Outcome {
        let Some(config) = &self.twilio else {
            return not_configured("SMS and voice", "[twilio]");
        };
        match twilio::request(
            config,
            resource,
            number,
            &delivery.message.text,
            delivery.key,
        ) {
            Ok(request) => {
                self.post(request, |answer| twilio::receipt(&answer.body))
                    .await
            }
            Err(outcome) => outcome,
        }
    }

    async fn post_json(
        &self,
        url: &Url,
        body: &serde_json::Value,
        key: &IdempotencyKey,
    ) -> Outcome {
        let mut headers = HeaderMap::new();
        headers.insert("idempotency-key", header_value(key.as_str()));
        let request = OutboundRequest {
            url: url.clone(),
            headers,
            content_type: "application/json",
            body: serde_json::to_vec(body).unwrap_or_default(),
            basic_auth: None,
        };
        self.post(request, |_| None).await
    }

    /// Posts and classifies the answer; `receipt` reads the provider's id from a success.
    async fn post(
        &self,
        request: OutboundRequest,
        receipt: impl Fn(&HttpAnswer) -> Option<String>,
    ) -> Outcome {
        let answer = match self.http.post(request).await {
            Ok(answer) => answer,
            Err(outcome) => return outcome,
        };
        match classify_http(
            answer.status,
            answer.retry_after.as_deref(),
            self.clock.now(),
        ) {
            Outcome::Delivered { .. } => Outcome::Delivered {
                receipt: receipt(&answer),
            },
            other => other,
        }
    }
}

fn not_configured(what: &str, table: &str) -> Outcome {
    classify_transport(
        TransportFailure::Refused,
        &format!("{what} delivery is not configured (see {table} in tocsin.toml)"),
    )
}
