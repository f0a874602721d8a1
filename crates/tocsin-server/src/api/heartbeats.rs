//! `/api/v1/services/{id}/heartbeats`: heartbeat monitors of a service. Like integration keys,
//! every route (reads included) is for the managers of the service's owning team: the views carry
//! the ping key, which lets anyone holding it keep the heartbeat alive.
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use tocsin_domain::alerting::heartbeat::{check_grace, check_interval};
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::error::Collector;
use tocsin_domain::id::{HeartbeatId, ServiceId};
use tocsin_domain::values::Name;
use tocsin_store::heartbeat::{self, Heartbeat, HeartbeatPatch, NewHeartbeat};

use super::common::{Created, PathIds, Versioned, location};
use super::integration_keys::authorize_service;
use crate::auth::secrets::{HEARTBEAT_KEY_PREFIX, random_secret};
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, IfMatch, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

const LIST: &str = "/api/v1/services/{id}/heartbeats";
const ONE: &str = "/api/v1/services/{id}/heartbeats/{heartbeat_id}";

pub fn routes() -> Vec<Route> {
    vec![
        route(Method::GET, LIST, Guard::UserThenHandler, list),
        route(Method::POST, LIST, Guard::UserThenHandler, create),
        route(Method::GET, ONE, Guard::UserThenHandler, get),
        route(Method::PATCH, ONE, Guard::UserThenHandler, update),
        route(Method::DELETE, ONE, Guard::UserThenHandler, delete),
    ]
}

/// The path a heartbeat's pings go to.
pub fn ping_path(secret: &str) -> String {
    format!("/api/v1/heartbeats/{secret}/ping")
}

/// A heartbeat monitor, with its ping key.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HeartbeatView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    #[schema(value_type = String, format = Uuid)]
    pub service_id: uuid::Uuid,
    pub name: String,
    /// Pings are expected at least this often (seconds).
    pub interval_secs: i64,
    /// How much later than the interval a ping may still come (seconds).
    pub grace_secs: i64,
    /// The severity of the alert a missed deadline opens: critical, error, warning or info.
    pub severity: String,
    /// waiting (never pinged), up, or down (its alert is open).
    pub state: String,
    /// The ping key: it can only ping this heartbeat.
    pub secret: String,
    /// Where to send pings, with any method (`GET`, `POST`, `HEAD` ...).
    pub ping_path: String,
    /// The dedup key of the alert it opens and resolves.
    pub dedup_key: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_ping_at: Option<jiff::Timestamp>,
    /// When it goes down without a ping: last ping (or creation) + interval + grace.
    #[schema(value_type = String, format = DateTime)]
    pub due_at: jiff::Timestamp,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl From<Heartbeat> for HeartbeatView {
    fn from(h: Heartbeat) -> Self {
        Self {
            id: h.id.0,
            service_id: h.service_id.0,
            ping_path: ping_path(&h.secret),
            name: h.name,
            interval_secs: h.interval_secs,
            grace_secs: h.grace_secs,
            severity: h.severity.as_str().to_owned(),
            state: h.state.as_str().to_owned(),
            secret: h.secret,
            dedup_key: h.dedup_key,
            last_ping_at: h.last_ping_at,
            due_at: h.due_at,
            version: h.version,
            created_at: h.created_at,
            updated_at: h.updated_at,
        }
    }
}

fn versioned(heartbeat: Heartbeat) -> Versioned<HeartbeatView> {
    Versioned {
        version: heartbeat.version,
        body: heartbeat.into(),
    }
}

/// A service's heartbeats (a handful per service, so not paginated).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HeartbeatList {
    pub items: Vec<HeartbeatView>,
    /// Always absent: every heartbeat fits on one page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateHeartbeat {
    pub name: String,
    /// 10 seconds to 31 days.
    pub interval_secs: i64,
    /// 0 to 1 day; 0 when omitted.
    pub grace_secs: Option<i64>,
    /// critical, error, warning or info; error when omitted.
    pub severity: Option<String>,
}

/// A change; absent fields stay as they are. The deadline is recomputed from the last ping.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateHeartbeat {
    pub name: Option<String>,
    pub interval_secs: Option<i64>,
    pub grace_secs: Option<i64>,
    pub severity: Option<String>,
}

fn parse_severity(raw: &str) -> Result<Severity, String> {
    raw.parse::<Severity>().map_err(|e| e.to_string())
}

/// List a service's heartbeat monitors, with their ping keys.
#[utoipa::path(get, path = "/api/v1/services/{id}/heartbeats", tag = "heartbeats",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = HeartbeatList),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathId(service): PathId<ServiceId>,
) -> Result<Json<HeartbeatList>, ApiError> {
    authorize_service(&state, &caller, service).await?;
    let all = heartbeat::list(state.store.reader(), service).await?;
    Ok(Json(HeartbeatList {
        items: all.into_iter().map(HeartbeatView::from).collect(),
        next_cursor: None,
    }))
}

/// Create a heartbeat monitor; the answer carries its ping key and ping path. Its first deadline
/// runs from now.
#[utoipa::path(post, path = "/api/v1/services/{id}/heartbeats", tag = "heartbeats",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)),
    request_body = CreateHeartbeat, responses(
    (status = 201, body = HeartbeatView, headers(("ETag" = String), ("Location" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PathId(service): PathId<ServiceId>,
    extract::Json(input): extract::Json<CreateHeartbeat>,
) -> Result<Created<HeartbeatView>, ApiError> {
    authorize_service(&state, &caller, service).await?;
    let mut errors = Collector::default();
    let name = errors.take("/name", Name::parse(&input.name));
    let interval_secs = errors.take("/interval_secs", check_interval(input.interval_secs));
    let grace_secs = errors.take("/grace_secs", check_grace(input.grace_secs.unwrap_or(0)));
    let severity = errors.take(
        "/severity",
        parse_severity(input.severity.as_deref().unwrap_or("error")),
    );
    errors.finish()?;
    let (Some(name), Some(interval_secs), Some(grace_secs), Some(severity)) =
        (name, interval_secs, grace_secs, severity)
    else {
        return Err(ApiError::internal());
    };
    let new = NewHeartbeat {
        name: name.into(),
        secret: random_secret(HEARTBEAT_KEY_PREFIX),
        interval_secs,
        grace_secs,
        severity,
    };
    let (actor, now) = (caller.actor(), state.clock.now());
    let created = state
        .store
        .write(move |tx| {
            Box::pin(async move { heartbeat::create(tx, service, new, &actor, now).await })
        })
        .await?;
    Ok(Created {
        location: location(
            &format!("/api/v1/services/{service}/heartbeats"),
            created.id,
        ),
        version: created.version,
        body: created.into(),
    })
}

/// Read a heartbeat monitor.
#[utoipa::path(get, path = "/api/v1/services/{id}/heartbeats/{heartbeat_id}", tag = "heartbeats",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("heartbeat_id" = String, Path, format = Uuid)),
    responses(
    (status = 200, body = HeartbeatView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(service, id): PathIds<ServiceId, HeartbeatId>,
) -> Result<Versioned<HeartbeatView>, ApiError> {
    authorize_service(&state, &caller, service).await?;
    Ok(versioned(
        heartbeat::get(state.store.reader(), service, id).await?,
    ))
}

/// Change a heartbeat monitor's name, interval, grace period or severity.
#[utoipa::path(patch, path = "/api/v1/services/{id}/heartbeats/{heartbeat_id}", tag = "heartbeats",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("heartbeat_id" = String, Path, format = Uuid),
        ("If-Match" = Option<String>, Header)),
    request_body = UpdateHeartbeat, responses(
    (status = 200, body = HeartbeatView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(service, id): PathIds<ServiceId, HeartbeatId>,
    IfMatch(expected): IfMatch,
    extract::Json(input): extract::Json<UpdateHeartbeat>,
) -> Result<Versioned<HeartbeatView>, ApiError> {
    authorize_service(&state, &caller, service).await?;
    let mut errors = Collector::default();
    let patch = HeartbeatPatch {
        name: input
            .name
            .as_deref()
            .and_then(|raw| errors.take("/name", Name::parse(raw)))
            .map(String::from),
        interval_secs: input
            .interval_secs
            .and_then(|secs| errors.take("/interval_secs", check_interval(secs))),
        grace_secs: input
            .grace_secs
            .and_then(|secs| errors.take("/grace_secs", check_grace(secs))),
        severity: input
            .severity
            .as_deref()
            .and_then(|raw| errors.take("/severity", parse_severity(raw))),
    };
    errors.finish()?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let updated = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                heartbeat::update(tx, service, id, patch, expected, &actor, now).await
            })
        })
        .await?;
    Ok(versioned(updated))
}

/// Delete a heartbeat monitor; an alert it has open is resolved.
#[utoipa::path(delete, path = "/api/v1/services/{id}/heartbeats/{heartbeat_id}", tag = "heartbeats",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("heartbeat_id" = String, Path, format = Uuid),
        ("If-Match" = Option<String>, Header)),
    responses(
    (status = 204),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(service, id): PathIds<ServiceId, HeartbeatId>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    authorize_service(&state, &caller, service).await?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { heartbeat::delete(tx, service, id, expected, &actor, now).await })
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
