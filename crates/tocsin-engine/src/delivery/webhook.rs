//! Outbound webhooks per Standard Webhooks: a JSON body `{type, timestamp, data}` signed with the
//! destination's secret, the idempotency key as `webhook-id`.
use jiff::Timestamp;
use reqwest::header::HeaderMap;
use serde_json::json;
use tocsin_domain::delivery::{IdempotencyKey, Notification, RenderedMessage, WebhookSecret};
use url::Url;

use super::http::{OutboundRequest, header_value};

/// The event type receivers switch on: `notification.page`, `notification.resolved`, ...
pub fn event_type(notification: &Notification) -> String {
    format!("notification.{}", notification.kind.as_str())
}

/// The JSON body: the notification's fields under `data`, plus the rendered `text`.
pub fn body(notification: &Notification, message: &RenderedMessage, sent_at: Timestamp) -> Vec<u8> {
    let mut data = serde_json::to_value(notification).unwrap_or_default();
    if let Some(object) = data.as_object_mut() {
        object.insert("text".into(), json!(message.text));
    }
    let envelope = json!({
        "type": event_type(notification),
        "timestamp": sent_at.to_string(),
        "data": data,
    });
    serde_json::to_vec(&envelope).unwrap_or_default()
}

/// The signed request.
pub fn request(
    url: &Url,
    secret: &WebhookSecret,
    key: &IdempotencyKey,
    body: Vec<u8>,
    sent_at: Timestamp,
) -> OutboundRequest {
    let seconds = sent_at.as_second();
    let mut headers = HeaderMap::new();
    headers.insert("webhook-id", header_value(key.as_str()));
    headers.insert("webhook-timestamp", header_value(&seconds.to_string()));
    headers.insert(
        "webhook-signature",
        header_value(&secret.sign(key.as_str(), seconds, &body)),
    );
    OutboundRequest {
        url: url.clone(),
        headers,
        content_type: "application/json",
        body,
        basic_auth: None,
    }
}
