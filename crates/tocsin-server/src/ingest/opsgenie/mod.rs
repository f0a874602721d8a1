//! Opsgenie's alert API: `POST /v2/alerts` (create), `POST /v2/alerts/{identifier}/close` and
//! `/acknowledge`, and `GET /v2/alerts/requests/{requestId}`, authenticated by
//! `Authorization: GenieKey <key>` with a key of kind `opsgenie`, answered in Opsgenie's shapes, so
//! an Opsgenie client works by changing its base URL. Every request is recorded in the same write
//! as the alert change it caused, so its request id reports the outcome. A missing, malformed or
//! unknown key answers 404 (never 401), like every Tocsin intake endpoint.
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::Value;
use tocsin_domain::alerting::dedup::{AlertAction, AlertState};
use tocsin_domain::id::{AlertId, IntakeRequestId};
use tocsin_store::StoreError;
use tocsin_store::alert::requests::{self, IntakeRequest};
use tocsin_store::alert::{self, ActionNote, IncomingAlert};

use super::intake::{self, IntakeFailure, read_json};
use super::keys::IntakeKey;
use crate::auth::Guard;
use crate::router::{Route, route};
use crate::state::AppState;

pub mod parse;
mod reply;

pub use parse::{IdentifierType, ParsedCreate, parse_create};

const SCHEME: &str = "GenieKey";

pub fn routes() -> Vec<Route> {
    let limit = intake::BODY_LIMIT_BYTES;
    vec![
        route(Method::POST, "/v2/alerts", Guard::Public, create).with_body_limit(limit),
        route(
            Method::POST,
            "/v2/alerts/{identifier}/close",
            Guard::Public,
            close,
        )
        .with_body_limit(limit),
        route(
            Method::POST,
            "/v2/alerts/{identifier}/acknowledge",
            Guard::Public,
            acknowledge,
        )
        .with_body_limit(limit),
        route(
            Method::GET,
            "/v2/alerts/requests/{request_id}",
            Guard::Public,
            request_status,
        ),
    ]
}

/// Whether an `Authorization` value uses Opsgenie's `GenieKey` scheme (case-insensitive).
pub fn is_genie_key(value: &HeaderValue) -> bool {
    genie_secret(value).is_some()
}

/// The key of a `GenieKey <key>` value (empty when only the scheme was sent).
fn genie_secret(value: &HeaderValue) -> Option<&str> {
    let text = value.to_str().ok()?.trim_start();
    let (scheme, rest) = text.split_once(' ').unwrap_or((text, ""));
    scheme.eq_ignore_ascii_case(SCHEME).then_some(rest.trim())
}

/// The live `opsgenie` key of the request's `Authorization: GenieKey <key>`.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<IntakeKey, IntakeFailure> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(genie_secret)
        .ok_or(IntakeFailure::UnknownKey)?;
    intake::resolve_key(state, secret, "opsgenie").await
}

/// A new request: its id and when it arrived.
fn begin(state: &AppState) -> (IntakeRequestId, Instant) {
    (IntakeRequestId::new(state.clock.now()), Instant::now())
}

fn respond(result: Result<(), IntakeFailure>, id: IntakeRequestId, started: Instant) -> Response {
    match result {
        Ok(()) => reply::accepted(id, started),
        Err(failure) => reply::failure(failure, id, started),
    }
}

/// Passes the gate, applies the alert and records the request, in one write.
async fn submit_recorded(
    state: &AppState,
    key: IntakeKey,
    incoming: IncomingAlert,
    record: IntakeRequest,
) -> Result<(), IntakeFailure> {
    let _permit = intake::admit(state, key, 1)?;
    metrics::counter!("tocsin_intake_alerts_total").increment(1);
    tocsin_engine::ingest::submit_recorded(
        &state.store,
        &state.orchestrator,
        incoming,
        record,
        key.actor(),
        state.clock.now(),
    )
    .await
    .map(|_| ())
    .map_err(|error| IntakeFailure::Api(error.into()))
}

fn new_record(
    state: &AppState,
    id: IntakeRequestId,
    key: IntakeKey,
    action: &str,
    alias: String,
) -> IntakeRequest {
    IntakeRequest {
        id,
        integration_key_id: key.id,
        action: action.to_owned(),
        dedup_key: alias,
        outcome: String::new(),
        alert_id: None,
        received_at: state.clock.now(),
    }
}

/// Create an alert (Opsgenie `POST /v2/alerts`).
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (id, started) = begin(&state);
    respond(accept_create(&state, &headers, body, id).await, id, started)
}

async fn accept_create(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    id: IntakeRequestId,
) -> Result<(), IntakeFailure> {
    let key = authenticate(state, headers).await?;
    let (raw, value) = read_json(body)?;
    let parsed = parse_create(&value).map_err(IntakeFailure::Invalid)?;
    let record = new_record(state, id, key, "Create", parsed.alias.clone());
    submit_recorded(state, key, parsed.into_incoming(&key, raw), record).await
}

/// Close an alert by id or alias (Opsgenie `POST /v2/alerts/{identifier}/close`).
pub async fn close(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(identifier): Path<String>,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (id, started) = begin(&state);
    let request = Transition {
        action: AlertAction::Resolve,
        identifier,
        query,
    };
    let result = accept_transition(&state, &headers, request, body, id).await;
    respond(result, id, started)
}

/// Acknowledge an alert by id or alias (Opsgenie `POST /v2/alerts/{identifier}/acknowledge`).
pub async fn acknowledge(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(identifier): Path<String>,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (id, started) = begin(&state);
    let request = Transition {
        action: AlertAction::Acknowledge,
        identifier,
        query,
    };
    let result = accept_transition(&state, &headers, request, body, id).await;
    respond(result, id, started)
}

/// A close or acknowledge as asked.
struct Transition {
    action: AlertAction,
    identifier: String,
    query: Option<String>,
}

/// The body of a close or acknowledge: optional, so an empty one is `null`.
fn optional_json(body: Result<Bytes, BytesRejection>) -> Result<(String, Value), IntakeFailure> {
    match body {
        Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => Ok((String::new(), Value::Null)),
        other => read_json(other),
    }
}

/// What a close or acknowledge names.
enum Target {
    /// The alias (dedup key) of an alert of the key's service that may be open.
    Alias(String),
    /// Nothing to change: the outcome to record, and the alert named if it exists.
    Nothing {
        outcome: &'static str,
        alert: Option<AlertId>,
    },
}

const NOT_FOUND: Target = Target::Nothing {
    outcome: "not_found",
    alert: None,
};

/// Resolves the identifier: an alias as given; an id to its alert, if it is this service's and
/// still open.
async fn target(
    state: &AppState,
    key: IntakeKey,
    kind: IdentifierType,
    identifier: &str,
) -> Result<Target, IntakeFailure> {
    if kind == IdentifierType::Alias {
        return Ok(Target::Alias(identifier.to_owned()));
    }
    let Ok(alert_id) = identifier.parse::<AlertId>() else {
        return Ok(NOT_FOUND);
    };
    match alert::get(state.store.reader(), alert_id).await {
        Ok(found) if found.service_id != key.service_id => Ok(NOT_FOUND),
        // A resolved alert's key may since name a newer alert: the id names only this one.
        Ok(found) if found.state == AlertState::Resolved => Ok(Target::Nothing {
            outcome: "no_open_alert",
            alert: Some(alert_id),
        }),
        Ok(found) => Ok(Target::Alias(found.dedup_key)),
        Err(StoreError::NotFound(_)) => Ok(NOT_FOUND),
        Err(error) => Err(IntakeFailure::Api(error.into())),
    }
}

async fn accept_transition(
    state: &AppState,
    headers: &HeaderMap,
    request: Transition,
    body: Result<Bytes, BytesRejection>,
    id: IntakeRequestId,
) -> Result<(), IntakeFailure> {
    let key = authenticate(state, headers).await?;
    let kind = parse::identifier_type(request.query.as_deref()).map_err(IntakeFailure::Invalid)?;
    let (raw, value) = optional_json(body)?;
    let note = parse::parse_transition(&value).map_err(IntakeFailure::Invalid)?;
    let name = match request.action {
        AlertAction::Acknowledge => "Acknowledge",
        _ => "Close",
    };
    match target(state, key, kind, &request.identifier).await? {
        Target::Alias(alias) => {
            let record = new_record(state, id, key, name, alias.clone());
            let summary = format!("{name} through the Opsgenie API");
            let mut incoming = parse::transition(&key, request.action, alias, summary, raw);
            incoming.action_note = (note != ActionNote::default()).then_some(note);
            submit_recorded(state, key, incoming, record).await
        }
        Target::Nothing { outcome, alert } => {
            let _permit = intake::admit(state, key, 1)?;
            let mut record = new_record(state, id, key, name, request.identifier);
            record.outcome = outcome.to_owned();
            record.alert_id = alert;
            tocsin_engine::ingest::record_request(&state.store, record)
                .await
                .map_err(|error| IntakeFailure::Api(error.into()))
        }
    }
}

/// What a request did (Opsgenie `GET /v2/alerts/requests/{requestId}`); only the key that made
/// it may ask.
pub async fn request_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(asked): Path<String>,
) -> Response {
    let (id, started) = begin(&state);
    let key = match authenticate(&state, &headers).await {
        Ok(key) => key,
        Err(failure) => return reply::failure(failure, id, started),
    };
    let Ok(asked) = asked.parse::<IntakeRequestId>() else {
        return reply::error(StatusCode::NOT_FOUND, "Request not found", id, started);
    };
    match requests::get(state.store.reader(), asked, key.id).await {
        Ok(Some(recorded)) => reply::request_status(&recorded, id, started),
        Ok(None) => reply::error(StatusCode::NOT_FOUND, "Request not found", id, started),
        Err(error) => reply::failure(IntakeFailure::Api(error.into()), id, started),
    }
}
