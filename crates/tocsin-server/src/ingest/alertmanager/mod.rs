//! The Alertmanager webhook receiver: `POST /api/v1/integrations/{key}/alertmanager`, the key (of
//! kind `alertmanager`) in the path because Alertmanager's `webhook_config` sends no custom
//! headers without extra configuration. Every alert of one notification is committed in one write;
//! the answer (200, all Alertmanager checks is 2xx) is sent after the commit. Errors are problems.
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::intake::{self, IntakeFailure, read_json};
use crate::auth::Guard;
use crate::error::ProblemBody;
use crate::router::{Route, route};
use crate::state::AppState;

pub mod parse;

pub use parse::{ParsedAlert, labels_hash, parse_webhook};

pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::POST,
            "/api/v1/integrations/{key}/alertmanager",
            Guard::Public,
            webhook,
        )
        .with_body_limit(intake::BODY_LIMIT_BYTES),
    ]
}

/// What the receiver answers once the notification's alerts are committed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookAccepted {
    /// Always `success`.
    pub status: &'static str,
    /// How many alerts of the notification were applied.
    pub alerts: usize,
}

/// Receive an Alertmanager webhook notification (payload version 4).
///
/// Each alert becomes one Tocsin alert, deduplicated by its fingerprint: `firing` triggers (a
/// repeat is counted), `resolved` resolves. Severity comes from the `severity` label (default
/// `error`). The whole notification is committed at once before the answer.
#[utoipa::path(post, path = "/api/v1/integrations/{key}/alertmanager", tag = "intake",
    params(("key" = String, Path, description = "The secret of an integration key of kind `alertmanager`")),
    request_body(content = serde_json::Value, description = "An Alertmanager webhook notification, version 4",
        content_type = "application/json"),
    responses(
        (status = 200, description = "Every alert was committed", body = WebhookAccepted),
        (status = 400, description = "Not JSON, or invalid fields (with JSON pointers)", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 404, description = "No live alertmanager key with this secret", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 413, description = "The body exceeds 512 KiB", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 429, description = "The key is over its rate limit; see Retry-After", body = ProblemBody,
            content_type = "application/problem+json"),
        (status = 503, description = "Intake is at capacity; see Retry-After", body = ProblemBody,
            content_type = "application/problem+json"),
    ))]
pub async fn webhook(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match accept(&state, &secret, body).await {
        Ok(alerts) => (
            StatusCode::OK,
            axum::Json(WebhookAccepted {
                status: "success",
                alerts,
            }),
        )
            .into_response(),
        Err(failure) => failure.into_problem().into_response(),
    }
}

async fn accept(
    state: &AppState,
    secret: &str,
    body: Result<Bytes, BytesRejection>,
) -> Result<usize, IntakeFailure> {
    let key = intake::resolve_key(state, secret, "alertmanager").await?;
    let (_, value) = read_json(body)?;
    let alerts = parse_webhook(&value).map_err(IntakeFailure::Invalid)?;
    // The parsed body is not needed while the alerts wait for their commit.
    drop(value);
    if alerts.is_empty() {
        return Ok(0);
    }
    let incoming = alerts
        .into_iter()
        .map(|alert| alert.into_incoming(&key))
        .collect();
    Ok(intake::submit(state, key, incoming).await?.len())
}
