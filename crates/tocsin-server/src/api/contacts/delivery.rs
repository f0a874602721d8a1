//! Sending one message to one contact method now, through the configured `Sender`: the
//! destination built from the method (a webhook signed with its secret), the channel's default
//! template rendered, and a failure answered as a 502 problem carrying the outcome.
use jiff::Timestamp;
use tocsin_domain::delivery::templates::{default_templates, render};
use tocsin_domain::delivery::{Channel, IdempotencyKey, Notification, Outcome, WebhookSecret};
use tocsin_engine::delivery::{Delivery, Destination};
use tocsin_store::contact::StoredContactMethod;
use url::Url;

use crate::error::{ApiError, ProblemKind};
use crate::state::AppState;

fn url(address: &str) -> Result<Url, ApiError> {
    Url::parse(address).map_err(|_| ApiError::internal())
}

/// The destination of a method; `secret` is its webhook signing secret.
pub fn destination(
    stored: &StoredContactMethod,
    secret: Option<&str>,
) -> Result<Destination, ApiError> {
    let address = stored.method.address.clone();
    Ok(match stored.method.channel {
        Channel::Webhook => {
            let secret = secret
                .and_then(|s| WebhookSecret::parse(s).ok())
                .ok_or_else(ApiError::internal)?;
            Destination::Webhook {
                url: url(&address)?,
                secret,
            }
        }
        Channel::Slack => Destination::Slack {
            webhook_url: url(&address)?,
        },
        Channel::Teams => Destination::Teams {
            webhook_url: url(&address)?,
        },
        Channel::Email => Destination::Email { address },
        Channel::Sms => Destination::Sms { number: address },
        Channel::Voice => Destination::Voice { number: address },
    })
}

/// Renders `notification` for the destination's channel and makes one attempt.
pub async fn send(
    state: &AppState,
    destination: &Destination,
    notification: &Notification,
    now: Timestamp,
) -> Result<Outcome, ApiError> {
    let template = default_templates(notification.kind, destination.channel());
    let message = render(&template, notification).map_err(|e| {
        tracing::error!(error = %e.detail, "default template failed to render");
        ApiError::internal()
    })?;
    let key_text = format!(
        "{}-{}",
        notification.kind.as_str(),
        tocsin_domain::id::uuid_v7_at(now).simple()
    );
    let key = IdempotencyKey::parse(&key_text).map_err(|_| ApiError::internal())?;
    let delivery = Delivery {
        notification,
        message: &message,
        key: &key,
    };
    Ok(state.sender.send(destination, delivery).await)
}

/// A failed attempt as a 502 problem with the outcome (`retryable` or `permanent`, the reason).
pub fn failed(outcome: &Outcome) -> ApiError {
    let (kind, reason) = match outcome {
        Outcome::Retryable { reason, .. } => ("retryable", reason.as_str()),
        Outcome::Permanent { reason } => ("permanent", reason.as_str()),
        Outcome::Delivered { .. } => ("delivered", ""),
    };
    ApiError::new(
        ProblemKind::DeliveryFailed,
        format!("the message could not be delivered: {reason}"),
    )
    .with_extra(serde_json::json!({ "outcome": kind, "reason": reason }))
}
