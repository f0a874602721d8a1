//! PagerDuty Events API v2: `POST /v2/enqueue` (alert events) and `POST /v2/change/enqueue`
//! (change events), answered in PagerDuty's own shapes so an existing client library pointed at
//! Tocsin works unchanged.
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::intake::{self, IntakeFailure, read_json};
use super::keys::IntakeKey;
use crate::auth::Guard;
use crate::router::{Route, route};
use crate::state::AppState;

mod parse;

pub use parse::{ParsedChange, ParsedEvent, parse_change, parse_event};

pub fn routes() -> Vec<Route> {
    vec![
        route(Method::POST, "/v2/enqueue", Guard::Public, enqueue)
            .with_body_limit(intake::BODY_LIMIT_BYTES),
        route(
            Method::POST,
            "/v2/change/enqueue",
            Guard::Public,
            change_enqueue,
        )
        .with_body_limit(intake::BODY_LIMIT_BYTES),
    ]
}

/// PagerDuty's error body.
fn invalid(status: StatusCode, message: &str, errors: Vec<String>) -> Response {
    (
        status,
        axum::Json(json!({ "status": "invalid event", "message": message, "errors": errors })),
    )
        .into_response()
}

fn failure_response(failure: IntakeFailure) -> Response {
    match failure {
        IntakeFailure::TooLarge => invalid(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request body too large",
            vec![format!("the body exceeds {} bytes", intake::BODY_LIMIT_BYTES)],
        ),
        IntakeFailure::Malformed(detail) => invalid(
            StatusCode::BAD_REQUEST,
            "Event object is invalid",
            vec![detail],
        ),
        IntakeFailure::UnknownKey => invalid(
            StatusCode::NOT_FOUND,
            "Event object is invalid",
            vec!["Invalid routing key".into()],
        ),
        IntakeFailure::Invalid(errors) => invalid(
            StatusCode::BAD_REQUEST,
            "Event object is invalid",
            errors.into_iter().map(|e| e.detail).collect(),
        ),
        IntakeFailure::Throttled { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", retry_after_secs.to_string())],
            axum::Json(json!({
                "status": "throttle event",
                "message": "Requests for this routing key are arriving too quickly. Please retry later."
            })),
        )
            .into_response(),
        IntakeFailure::Api(error) => error.into_response(),
    }
}

/// The routing key of a PagerDuty body, resolved.
async fn routing_key(state: &AppState, body: &Value) -> Result<IntakeKey, IntakeFailure> {
    let Some(secret) = body.get("routing_key").and_then(Value::as_str) else {
        return Err(IntakeFailure::invalid(
            "/routing_key",
            "'routing_key' is missing or not a string",
        ));
    };
    intake::resolve_key(state, secret, "pagerduty").await
}

/// Send an alert event (trigger, acknowledge or resolve), PagerDuty Events API v2.
pub async fn enqueue(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match accept_event(&state, body).await {
        Ok(dedup_key) => (
            StatusCode::ACCEPTED,
            axum::Json(json!({ "status": "success", "message": "Event processed", "dedup_key": dedup_key })),
        )
            .into_response(),
        Err(failure) => failure_response(failure),
    }
}

async fn accept_event(
    state: &AppState,
    body: Result<Bytes, BytesRejection>,
) -> Result<String, IntakeFailure> {
    let (raw, value) = read_json(body)?;
    let key = routing_key(state, &value).await?;
    let generated = tocsin_domain::id::uuid_v7_at(state.clock.now())
        .simple()
        .to_string();
    let event = parse_event(&value, generated).map_err(IntakeFailure::Invalid)?;
    let dedup_key = event.dedup_key.clone();
    intake::submit(state, key, vec![event.into_incoming(&key, raw)]).await?;
    Ok(dedup_key)
}

/// Record a change event (a deploy, a configuration push) on the key's service.
pub async fn change_enqueue(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match accept_change(&state, body).await {
        Ok(()) => (
            StatusCode::ACCEPTED,
            axum::Json(json!({ "status": "success", "message": "Change event processed" })),
        )
            .into_response(),
        Err(failure) => failure_response(failure),
    }
}

async fn accept_change(
    state: &AppState,
    body: Result<Bytes, BytesRejection>,
) -> Result<(), IntakeFailure> {
    let (_, value) = read_json(body)?;
    let key = routing_key(state, &value).await?;
    let change = parse_change(&value).map_err(IntakeFailure::Invalid)?;
    intake::record_change(state, key, change).await
}
