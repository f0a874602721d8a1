//! Opsgenie's response shapes: `{"result", "took", "requestId"}` for accepted requests,
//! `{"message", "took", "requestId"}` (plus `errors` by field) for refusals, and the request
//! status document that reports what a request did.
use std::time::Instant;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use tocsin_domain::id::IntakeRequestId;
use tocsin_store::alert::requests::IntakeRequest;

use crate::ingest::intake::{BODY_LIMIT_BYTES, IntakeFailure};

/// Seconds since `started`, as Opsgenie's `took`.
pub fn took(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0
}

/// 202: the request is on record and its effect committed.
pub fn accepted(request_id: IntakeRequestId, started: Instant) -> Response {
    let body = json!({
        "result": "Request will be processed",
        "took": took(started),
        "requestId": request_id,
    });
    (StatusCode::ACCEPTED, axum::Json(body)).into_response()
}

/// An Opsgenie error body.
pub fn error(
    status: StatusCode,
    message: &str,
    request_id: IntakeRequestId,
    started: Instant,
) -> Response {
    let body = json!({ "message": message, "took": took(started), "requestId": request_id });
    (status, axum::Json(body)).into_response()
}

/// A refused request in Opsgenie's shape; a missing, malformed or unknown key is 404, as every
/// Tocsin intake answers it (an Opsgenie client sees it as it would a wrong API key).
pub fn failure(failure: IntakeFailure, request_id: IntakeRequestId, started: Instant) -> Response {
    match failure {
        IntakeFailure::TooLarge => error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("Request body should be at most {BODY_LIMIT_BYTES} bytes"),
            request_id,
            started,
        ),
        IntakeFailure::Malformed(detail) => error(
            StatusCode::BAD_REQUEST,
            &format!("Request body is not processable: {detail}"),
            request_id,
            started,
        ),
        IntakeFailure::UnknownKey => error(
            StatusCode::NOT_FOUND,
            "Could not authenticate: no such Opsgenie integration key (send Authorization: GenieKey <key>)",
            request_id,
            started,
        ),
        IntakeFailure::Invalid(errors) => {
            let by_field: Map<String, Value> = errors
                .iter()
                .map(|e| {
                    let field = e.pointer.trim_start_matches('/').replace('/', ".");
                    (field, Value::String(e.detail.clone()))
                })
                .collect();
            let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
            let body = json!({
                "message": "Request body is not processable. Please check the errors.",
                "errors": by_field,
                "pointers": pointers,
                "took": took(started),
                "requestId": request_id,
            });
            (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
        }
        IntakeFailure::Throttled { retry_after_secs } => {
            let mut response = error(
                StatusCode::TOO_MANY_REQUESTS,
                "You are making too many requests! To avoid errors, we recommend you limit requests.",
                request_id,
                started,
            );
            if let Ok(value) = retry_after_secs.to_string().parse() {
                response.headers_mut().insert("retry-after", value);
            }
            response
        }
        IntakeFailure::Api(error) => error.into_response(),
    }
}

/// Whether a request did what it asked, and Opsgenie's words for it.
pub fn status_of(action: &str, outcome: &str) -> (bool, &'static str) {
    match (action, outcome) {
        ("Create", "open") => (true, "Created alert"),
        ("Create", _) => (true, "Alert already exists; its count was increased"),
        ("Close", "resolve") => (true, "Closed alert"),
        ("Acknowledge", "acknowledge") => (true, "Acknowledged alert"),
        ("Acknowledge", "already_acknowledged") => (true, "Alert is already acknowledged"),
        (_, "no_open_alert") => (false, "Alert is not open"),
        _ => (false, "Alert does not exist"),
    }
}

/// 200: what request `recorded` did.
pub fn request_status(
    recorded: &IntakeRequest,
    request_id: IntakeRequestId,
    started: Instant,
) -> Response {
    let (success, status) = status_of(&recorded.action, &recorded.outcome);
    let body = json!({
        "data": {
            "success": success,
            "action": recorded.action,
            "processedAt": recorded.received_at.to_string(),
            "integrationId": recorded.integration_key_id,
            "isSuccess": success,
            "status": status,
            "alertId": recorded.alert_id.map(|a| a.to_string()).unwrap_or_default(),
            "alias": recorded.dedup_key,
        },
        "took": took(started),
        "requestId": request_id,
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}
