//! Coordinating a response on the incident's timeline: entries written by hand (notes,
//! decisions with their rationale, commands, configuration changes, status updates), corrected
//! only by another entry, and pins of any timeline entry.
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::entries::{self, Entry, EntryInput};
use tocsin_store::incident;

use super::common::PathIds;
use super::events::EventView;
use super::incidents::visible_incident;
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadAlerts);
    let respond = || Guard::Allow(Action::RespondToAlerts);
    vec![
        route(
            Method::POST,
            "/api/v1/incidents/{id}/entries",
            respond(),
            add_entry,
        ),
        route(Method::GET, "/api/v1/incidents/{id}/pins", read(), pins),
        route(
            Method::PUT,
            "/api/v1/incidents/{id}/pins/{seq}",
            respond(),
            pin,
        ),
        route(
            Method::DELETE,
            "/api/v1/incidents/{id}/pins/{seq}",
            respond(),
            unpin,
        ),
    ]
}

/// An entry to write on the timeline.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    /// note, decision, command, config_change or status_update.
    pub kind: String,
    pub body: String,
    /// Why (a decision needs it).
    pub rationale: Option<String>,
    /// The host or system a command ran on.
    pub target: Option<String>,
    /// What a command did.
    pub outcome: Option<String>,
    /// The system a configuration change was made to (required for config_change).
    pub system: Option<String>,
    /// The change made (required for config_change).
    pub change: Option<String>,
    /// How to undo a configuration change.
    pub rollback: Option<String>,
    /// internal or stakeholders (required for status_update).
    pub audience: Option<String>,
    /// The earlier entry written by hand that this one corrects.
    pub corrects_seq: Option<i64>,
}

/// Write a note, decision, command, configuration change or status update on the timeline, as
/// the caller. Entries are never edited: a correction is a new entry with `corrects_seq`.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/entries", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = NewEntry, responses(
    (status = 201, body = EventView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn add_entry(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<NewEntry>,
) -> Result<(StatusCode, Json<EventView>), ApiError> {
    visible_incident(&state, &caller, id).await?;
    let entry = entries::validate(&EntryInput {
        kind: input.kind,
        body: input.body,
        rationale: input.rationale,
        target: input.target,
        outcome: input.outcome,
        system: input.system,
        change: input.change,
        rollback: input.rollback,
        audience: input.audience,
        corrects_seq: input.corrects_seq,
    })?;
    let written = write_entry(&state, id, entry, caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(written)))
}

/// Writes a checked entry on the incident's timeline as `actor`; answers it as written.
pub(super) async fn write_entry(
    state: &AppState,
    id: IncidentId,
    entry: Entry,
    actor: String,
) -> Result<EventView, ApiError> {
    let now = state.clock.now();
    let seq = state
        .store
        .write(move |tx| {
            Box::pin(async move { incident::add_entry(tx, id, &entry, &actor, now).await })
        })
        .await?;
    entry_at(state, id, seq).await
}

async fn entry_at(state: &AppState, id: IncidentId, seq: i64) -> Result<EventView, ApiError> {
    tocsin_store::events::read_stream(state.store.reader(), id.0, seq - 1, 1)
        .await?
        .into_iter()
        .next()
        .map(EventView::from)
        .ok_or_else(|| ApiError::not_found("timeline entry"))
}

/// An incident's pinned timeline entries.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PinList {
    /// The pinned entries themselves, in timeline order.
    pub items: Vec<EventView>,
}

/// The incident's pinned timeline entries.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/pins", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = PinList),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn pins(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<PinList>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let items = incident::pinned_entries(state.store.reader(), id)
        .await?
        .into_iter()
        .map(EventView::from)
        .collect();
    Ok(Json(PinList { items }))
}

async fn set_pin(
    state: AppState,
    caller: Caller,
    id: IncidentId,
    seq: i64,
    pin: bool,
) -> Result<Json<PinList>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { incident::set_pin(tx, id, seq, pin, &actor, now).await })
        })
        .await?;
    pins(State(state), caller, PathId(id)).await
}

/// Pin a timeline entry (any: an alert, a page, a decision ...). Pinning a pinned entry changes
/// nothing.
#[utoipa::path(put, path = "/api/v1/incidents/{id}/pins/{seq}", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("seq" = i64, Path)), responses(
    (status = 200, body = PinList),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn pin(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, seq): PathIds<IncidentId, i64>,
) -> Result<Json<PinList>, ApiError> {
    set_pin(state, caller, id, seq, true).await
}

/// Unpin a timeline entry. Unpinning an entry that is not pinned changes nothing.
#[utoipa::path(delete, path = "/api/v1/incidents/{id}/pins/{seq}", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("seq" = i64, Path)), responses(
    (status = 200, body = PinList),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn unpin(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, seq): PathIds<IncidentId, i64>,
) -> Result<Json<PinList>, ApiError> {
    set_pin(state, caller, id, seq, false).await
}
