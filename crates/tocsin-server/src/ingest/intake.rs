//! What every intake endpoint shares: reading the capped body, resolving the key, passing the
//! gate, and submitting to the ingest pipeline, with one failure type each format renders in its
//! own response shape.
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde_json::Value;
use tocsin_domain::FieldError;
use tocsin_store::alert::{IncomingAlert, Ingested};

use super::gate::Refusal;
use super::keys::{self, IntakeKey, KeyRejection};
use super::pagerduty::ParsedChange;
use crate::error::{ApiError, ProblemKind};
use crate::state::AppState;

/// The largest intake body accepted.
pub const BODY_LIMIT_BYTES: usize = 512 * 1024;

/// Why an intake request was not accepted.
#[derive(Debug)]
pub enum IntakeFailure {
    /// Over `BODY_LIMIT_BYTES`: 413.
    TooLarge,
    /// Not JSON (or unreadable): 400.
    Malformed(String),
    /// Unknown, revoked or wrong-format key: 404.
    UnknownKey,
    /// Fields at fault: 400.
    Invalid(Vec<FieldError>),
    /// The key is over its rate: 429.
    Throttled { retry_after_secs: u64 },
    /// Overload, database trouble: rendered as a problem (503 with Retry-After ...).
    Api(ApiError),
}

impl IntakeFailure {
    pub fn invalid(pointer: &str, detail: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(pointer, detail)])
    }

    /// The failure as a problem response (for formats without their own error shape).
    pub fn into_problem(self) -> ApiError {
        match self {
            IntakeFailure::TooLarge => ApiError::new(
                ProblemKind::PayloadTooLarge,
                format!("the body exceeds {BODY_LIMIT_BYTES} bytes"),
            ),
            IntakeFailure::Malformed(detail) => ApiError::new(ProblemKind::MalformedJson, detail),
            IntakeFailure::UnknownKey => {
                ApiError::new(ProblemKind::NotFound, "no such integration key")
            }
            IntakeFailure::Invalid(errors) => {
                let detail = errors
                    .iter()
                    .map(|e| e.detail.as_str())
                    .collect::<Vec<_>>()
                    .join("; ");
                ApiError::new(ProblemKind::InvalidEvent, detail).with_errors(errors)
            }
            IntakeFailure::Throttled { retry_after_secs } => ApiError::new(
                ProblemKind::TooManyRequests,
                "this integration key is sending faster than its rate limit",
            )
            .with_retry_after(retry_after_secs),
            IntakeFailure::Api(error) => error,
        }
    }
}

/// The body as text and as JSON.
pub fn read_json(body: Result<Bytes, BytesRejection>) -> Result<(String, Value), IntakeFailure> {
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            IntakeFailure::TooLarge
        } else {
            IntakeFailure::Malformed(rejection.body_text())
        }
    })?;
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| IntakeFailure::Malformed("the body is not UTF-8 text".into()))?;
    let value = serde_json::from_str(&text).map_err(|error| {
        IntakeFailure::Malformed(format!("the body is not valid JSON: {error}"))
    })?;
    Ok((text, value))
}

/// The live key of format `kind`.
pub async fn resolve_key(
    state: &AppState,
    secret: &str,
    kind: &str,
) -> Result<IntakeKey, IntakeFailure> {
    keys::resolve(state, secret, kind)
        .await
        .map_err(|rejection| match rejection {
            KeyRejection::Unknown => IntakeFailure::UnknownKey,
            KeyRejection::Store(error) => IntakeFailure::Api(error),
        })
}

/// Passes the gate: the permit is held until the write is answered.
pub fn admit(
    state: &AppState,
    key: IntakeKey,
    alerts: usize,
) -> Result<tokio::sync::OwnedSemaphorePermit, IntakeFailure> {
    admit_sender(state, key.id.0, alerts)
}

/// Passes the gate as `sender` (an integration key's or a heartbeat's id).
pub fn admit_sender(
    state: &AppState,
    sender: uuid::Uuid,
    alerts: usize,
) -> Result<tokio::sync::OwnedSemaphorePermit, IntakeFailure> {
    state
        .intake_gate
        .admit(sender, alerts)
        .map_err(|refusal| match refusal {
            Refusal::RateLimited { retry_after_secs } => {
                IntakeFailure::Throttled { retry_after_secs }
            }
            Refusal::Overloaded { retry_after_secs } => IntakeFailure::Api(
                ApiError::new(
                    ProblemKind::Unavailable,
                    "intake is at capacity; retry shortly",
                )
                .with_retry_after(retry_after_secs),
            ),
        })
}

/// Passes the gate and commits the alerts; answers once they are durable.
pub async fn submit(
    state: &AppState,
    key: IntakeKey,
    alerts: Vec<IncomingAlert>,
) -> Result<Vec<Ingested>, IntakeFailure> {
    let _permit = admit(state, key, alerts.len())?;
    metrics::counter!("tocsin_intake_alerts_total").increment(alerts.len() as u64);
    tocsin_engine::ingest::submit(
        &state.store,
        &state.orchestrator,
        alerts,
        key.actor(),
        state.clock.now(),
    )
    .await
    .map_err(|error| IntakeFailure::Api(error.into()))
}

/// Records a change event on the key's service.
pub async fn record_change(
    state: &AppState,
    key: IntakeKey,
    change: ParsedChange,
) -> Result<(), IntakeFailure> {
    let _permit = admit(state, key, 1)?;
    let now = state.clock.now();
    let record = tocsin_store::alert::change::NewChange {
        service_id: key.service_id,
        integration_key_id: key.id,
        summary: change.summary,
        source: change.source,
        happened_at: change.timestamp.unwrap_or(now),
        links: change.links,
        details: change.custom_details,
    };
    let actor = key.actor();
    state
        .store
        .write(move |tx| {
            Box::pin(
                async move { tocsin_store::alert::change::record(tx, record, &actor, now).await },
            )
        })
        .await
        .map(|_| ())
        .map_err(|error| IntakeFailure::Api(error.into()))
}
