//! Timelines: the event streams of teams, services, users, schedules, escalation policies and
//! incident roles, oldest first, paged by sequence
//! number (`?after_seq=&limit=`). A deleted object's timeline stays readable.
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::id::{
    EscalationPolicyId, IncidentRoleId, ScheduleId, ServiceId, TeamId, UserId,
};
use tocsin_store::StoredEvent;
use tocsin_store::events::read_stream;

use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{PathId, Query};
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    let guard = || Guard::Allow(Action::ReadEvents);
    vec![
        route(Method::GET, "/api/v1/teams/{id}/events", guard(), team),
        route(
            Method::GET,
            "/api/v1/services/{id}/events",
            guard(),
            service,
        ),
        route(
            Method::GET,
            "/api/v1/schedules/{id}/events",
            guard(),
            schedule,
        ),
        route(
            Method::GET,
            "/api/v1/escalation-policies/{id}/events",
            guard(),
            escalation_policy,
        ),
        route(
            Method::GET,
            "/api/v1/incident-roles/{id}/events",
            guard(),
            incident_role,
        ),
        // The handler also requires ReadUsers: a user's timeline is part of the directory.
        route(Method::GET, "/api/v1/users/{id}/events", guard(), user),
    ]
}

/// One event of a timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventView {
    /// Position in the stream, from 1.
    pub seq: i64,
    #[schema(value_type = String, format = Uuid)]
    pub event_id: uuid::Uuid,
    /// What happened, e.g. `service.updated`.
    pub kind: String,
    /// Who did it, e.g. `user:<id>`.
    pub actor: String,
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: jiff::Timestamp,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

impl From<StoredEvent> for EventView {
    fn from(event: StoredEvent) -> Self {
        Self {
            seq: event.seq,
            event_id: event.event_id,
            kind: event.kind,
            actor: event.actor,
            occurred_at: event.occurred_at,
            payload: event.payload,
        }
    }
}

/// A page of a timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventPage {
    pub items: Vec<EventView>,
    /// Pass as `after_seq` for the next page; absent on the last page.
    pub next_after_seq: Option<i64>,
}

/// `?after_seq=&limit=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// Return events after this sequence number (default 0: from the start).
    pub after_seq: Option<i64>,
    /// How many events to return, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

pub(crate) async fn timeline(
    state: &AppState,
    stream: uuid::Uuid,
    stream_type: &str,
    query: EventQuery,
) -> Result<Json<EventPage>, ApiError> {
    let limit = match query.limit {
        None => DEFAULT_LIMIT,
        Some(limit @ 1..=MAX_LIMIT) => limit,
        Some(_) => {
            return Err(ApiError::field(
                "/limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
    };
    let after = match query.after_seq {
        None => 0,
        Some(after @ 0..) => after,
        Some(_) => return Err(ApiError::field("/after_seq", "must not be negative")),
    };
    let mut events = read_stream(state.store.reader(), stream, after, limit + 1).await?;
    // A stream of another kind of object is as missing as no stream at all.
    if events.iter().any(|e| e.stream_type != stream_type) || (after == 0 && events.is_empty()) {
        return Err(ApiError::not_found(stream_type));
    }
    let more = events.len() > usize::try_from(limit).unwrap_or(0);
    events.truncate(usize::try_from(limit).unwrap_or(0));
    let next_after_seq = if more {
        events.last().map(|e| e.seq)
    } else {
        None
    };
    Ok(Json(EventPage {
        items: events.into_iter().map(EventView::from).collect(),
        next_after_seq,
    }))
}

/// A team's timeline (changes and membership).
#[utoipa::path(get, path = "/api/v1/teams/{id}/events", tag = "catalog", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), EventQuery), responses(
    (status = 200, body = EventPage),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn team(
    State(state): State<AppState>,
    PathId(id): PathId<TeamId>,
    Query(query): Query<EventQuery>,
) -> Result<Json<EventPage>, ApiError> {
    timeline(&state, id.0, "team", query).await
}

/// A service's timeline (changes and integration keys).
#[utoipa::path(get, path = "/api/v1/services/{id}/events", tag = "catalog", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), EventQuery), responses(
    (status = 200, body = EventPage),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn service(
    State(state): State<AppState>,
    PathId(id): PathId<ServiceId>,
    Query(query): Query<EventQuery>,
) -> Result<Json<EventPage>, ApiError> {
    timeline(&state, id.0, "service", query).await
}

/// A schedule's timeline (created, replaced, overrides added and removed, calendar subscriptions;
/// never a subscription's secret).
#[utoipa::path(get, path = "/api/v1/schedules/{id}/events", tag = "oncall", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), EventQuery), responses(
    (status = 200, body = EventPage),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn schedule(
    State(state): State<AppState>,
    PathId(id): PathId<ScheduleId>,
    Query(query): Query<EventQuery>,
) -> Result<Json<EventPage>, ApiError> {
    timeline(&state, id.0, "schedule", query).await
}

/// An escalation policy's timeline (created, replaced, deleted).
#[utoipa::path(get, path = "/api/v1/escalation-policies/{id}/events", tag = "oncall",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid), EventQuery), responses(
    (status = 200, body = EventPage),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn escalation_policy(
    State(state): State<AppState>,
    PathId(id): PathId<EscalationPolicyId>,
    Query(query): Query<EventQuery>,
) -> Result<Json<EventPage>, ApiError> {
    timeline(&state, id.0, "escalation_policy", query).await
}

/// An incident role's timeline (created, replaced, deleted).
#[utoipa::path(get, path = "/api/v1/incident-roles/{id}/events", tag = "oncall",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid), EventQuery), responses(
    (status = 200, body = EventPage),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn incident_role(
    State(state): State<AppState>,
    PathId(id): PathId<IncidentRoleId>,
    Query(query): Query<EventQuery>,
) -> Result<Json<EventPage>, ApiError> {
    timeline(&state, id.0, "incident_role", query).await
}

/// A user's timeline (profile, role and password changes; never the password).
#[utoipa::path(get, path = "/api/v1/users/{id}/events", tag = "catalog", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), EventQuery), responses(
    (status = 200, body = EventPage),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn user(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UserId>,
    Query(query): Query<EventQuery>,
) -> Result<Json<EventPage>, ApiError> {
    caller.authorize(Action::ReadUsers)?;
    timeline(&state, id.0, "user", query).await
}
