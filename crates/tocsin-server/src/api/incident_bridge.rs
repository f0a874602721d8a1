//! An incident's bridge (the conference call) and meeting cadence, shown with the next checkpoint
//! (`tocsin_domain::incident::bridge::next_checkpoint`); set, replaced and ended on the timeline.
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::bridge::next_checkpoint;
use tocsin_store::incident::{self, NewBridge};

use super::incidents::visible_incident;
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

const BRIDGE: &str = "/api/v1/incidents/{id}/bridge";

pub fn routes() -> Vec<Route> {
    let respond = || Guard::Allow(Action::RespondToAlerts);
    vec![
        route(Method::GET, BRIDGE, Guard::Allow(Action::ReadAlerts), get),
        route(Method::PUT, BRIDGE, respond(), put),
        route(Method::DELETE, BRIDGE, respond(), end),
    ]
}

/// The incident's bridge (all null while none is running).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BridgeView {
    pub active: bool,
    pub url: Option<String>,
    pub meeting_cadence_minutes: Option<u32>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub first_checkpoint_at: Option<jiff::Timestamp>,
    /// The next checkpoint at or after now: the first while it is ahead, then one every cadence.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_checkpoint_at: Option<jiff::Timestamp>,
    pub set_by: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub set_at: Option<jiff::Timestamp>,
}

async fn view(state: &AppState, id: IncidentId) -> Result<BridgeView, ApiError> {
    let now = state.clock.now();
    Ok(match incident::bridge(state.store.reader(), id).await? {
        None => BridgeView {
            active: false,
            url: None,
            meeting_cadence_minutes: None,
            first_checkpoint_at: None,
            next_checkpoint_at: None,
            set_by: None,
            set_at: None,
        },
        Some(bridge) => BridgeView {
            active: true,
            next_checkpoint_at: next_checkpoint(
                bridge.first_checkpoint_at,
                bridge.meeting_cadence_minutes,
                now,
            ),
            url: Some(bridge.url),
            meeting_cadence_minutes: bridge.meeting_cadence_minutes,
            first_checkpoint_at: bridge.first_checkpoint_at,
            set_by: Some(bridge.set_by),
            set_at: Some(bridge.set_at),
        },
    })
}

/// The incident's bridge and its next checkpoint.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/bridge", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = BridgeView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<BridgeView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    Ok(Json(view(&state, id).await?))
}

/// A bridge to set.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutBridge {
    /// The conference URL (http or https, at most 2000 characters).
    pub url: String,
    /// Minutes between checkpoints, 5 to 1440.
    pub meeting_cadence_minutes: Option<u32>,
    /// The first checkpoint (default: one cadence from now).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub first_checkpoint_at: Option<jiff::Timestamp>,
}

/// Set or replace the bridge (`incident.bridge_set`, with the previous one).
#[utoipa::path(put, path = "/api/v1/incidents/{id}/bridge", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = PutBridge, responses(
    (status = 200, body = BridgeView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<PutBridge>,
) -> Result<Json<BridgeView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    let bridge = NewBridge {
        url: input.url,
        meeting_cadence_minutes: input.meeting_cadence_minutes,
        first_checkpoint_at: input.first_checkpoint_at,
    };
    state
        .store
        .write(move |tx| {
            Box::pin(async move { incident::set_bridge(tx, id, bridge, &actor, now).await })
        })
        .await?;
    Ok(Json(view(&state, id).await?))
}

/// End the bridge (`incident.bridge_ended`); ending none changes nothing.
#[utoipa::path(delete, path = "/api/v1/incidents/{id}/bridge", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = BridgeView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn end(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<BridgeView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    state
        .store
        .write(move |tx| Box::pin(async move { incident::end_bridge(tx, id, &actor, now).await }))
        .await?;
    Ok(Json(view(&state, id).await?))
}
