//! External responders on one incident: responders invite a vendor's engineer with a
//! time-limited guest pass (`/api/v1/incidents/{id}/guests`, the pass shown once) and revoke it;
//! the guest uses only `/api/v1/guest/incident...` with the pass as a bearer token — the
//! incident, its timeline (live too) and, when allowed, notes. Everything else answers 403 to a
//! pass, and an expired or revoked pass answers 401.
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tocsin_domain::access::{Action, Credential};
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::entries::{self, EntryInput};
use tocsin_domain::incident::guests::{self, Invitation};
use tocsin_store::incident::{self, GuestPass};

use super::common::PathIds;
use super::events::{EventQuery, EventView, timeline};
use super::incident_coordination::write_entry;
use super::incident_live::{self, Watcher};
use super::incidents::{IncidentView, visible_incident};
use crate::auth::secrets::{GUEST_PASS_PREFIX, hash_secret, random_secret};
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    let respond = || Guard::Allow(Action::RespondToAlerts);
    vec![
        route(
            Method::GET,
            "/api/v1/incidents/{id}/guests",
            Guard::Allow(Action::ReadAlerts),
            list,
        ),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/guests",
            respond(),
            invite,
        ),
        route(
            Method::DELETE,
            "/api/v1/incidents/{id}/guests/{guest_id}",
            respond(),
            revoke,
        ),
        route(
            Method::GET,
            "/api/v1/guest/incident",
            Guard::Allow(Action::ReadAsGuest),
            guest_incident,
        ),
        route(
            Method::GET,
            "/api/v1/guest/incident/events",
            Guard::Allow(Action::ReadAsGuest),
            guest_events,
        ),
        route(
            Method::POST,
            "/api/v1/guest/incident/notes",
            Guard::Allow(Action::WriteAsGuest),
            guest_note,
        ),
    ]
}

/// A guest pass (never the pass itself).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GuestView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub name: String,
    pub email: String,
    pub organisation: String,
    /// Whether the guest may add notes.
    pub may_write: bool,
    /// Who invited them (`user:<id>`).
    pub invited_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<jiff::Timestamp>,
    /// active, expired or revoked.
    pub state: String,
}

fn view(pass: GuestPass, now: jiff::Timestamp) -> GuestView {
    let state = if pass.revoked_at.is_some() {
        "revoked"
    } else if pass.is_valid_at(now) {
        "active"
    } else {
        "expired"
    };
    GuestView {
        id: pass.id,
        name: pass.name,
        email: pass.email,
        organisation: pass.organisation,
        may_write: pass.may_write,
        invited_by: pass.invited_by,
        created_at: pass.created_at,
        expires_at: pass.expires_at,
        revoked_at: pass.revoked_at,
        state: state.to_owned(),
    }
}

/// The incident's guests.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GuestList {
    pub items: Vec<GuestView>,
}

/// The incident's guest passes, oldest first, with their state.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/guests", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = GuestList),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<GuestList>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let now = state.clock.now();
    let items = incident::guests(state.store.reader(), id)
        .await?
        .into_iter()
        .map(|pass| view(pass, now))
        .collect();
    Ok(Json(GuestList { items }))
}

/// A guest to invite.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGuest {
    pub name: String,
    pub email: String,
    /// The vendor or partner they work for.
    pub organisation: String,
    /// Whether they may add notes (default: read only).
    #[serde(default)]
    pub may_write: bool,
    /// When the pass stops working: at most 30 days ahead (default: in 24 hours).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<jiff::Timestamp>,
}

/// An invited guest and their pass, shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvitedGuest {
    pub guest: GuestView,
    /// The bearer token for `/api/v1/guest/incident...`; only its hash is kept.
    pub pass: String,
}

/// Invite an external responder to this incident only, with a time-limited guest pass.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/guests", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = NewGuest, responses(
    (status = 201, body = InvitedGuest),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<NewGuest>,
) -> Result<(StatusCode, Json<InvitedGuest>), ApiError> {
    visible_incident(&state, &caller, id).await?;
    let now = state.clock.now();
    let guest = guests::check(
        &Invitation {
            name: input.name,
            email: input.email,
            organisation: input.organisation,
            may_write: input.may_write,
            expires_at: input.expires_at,
        },
        now,
    )?;
    let pass = random_secret(GUEST_PASS_PREFIX);
    let token_hash = hash_secret(&pass);
    let actor = caller.actor();
    let stored = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                incident::invite_guest(tx, id, &guest, &token_hash, &actor, now).await
            })
        })
        .await?;
    let guest = view(stored, now);
    Ok((StatusCode::CREATED, Json(InvitedGuest { guest, pass })))
}

/// Revoke a guest pass at once (its live timeline ends too). Revoking it again changes nothing.
#[utoipa::path(delete, path = "/api/v1/incidents/{id}/guests/{guest_id}", tag = "incidents",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("guest_id" = String, Path, format = Uuid)),
    responses(
    (status = 204, description = "Revoked"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, guest): PathIds<IncidentId, uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { incident::revoke_guest(tx, id, guest, &actor, now).await })
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The guest pass behind the request: its id and its incident.
fn pass_of(caller: &Caller) -> Result<(uuid::Uuid, IncidentId), ApiError> {
    match caller.principal.as_ref().map(|p| &p.credential) {
        Some(Credential::IncidentGuest {
            guest, incident, ..
        }) => Ok((*guest, *incident)),
        _ => Err(ApiError::unauthenticated()),
    }
}

/// The incident this guest pass is for.
#[utoipa::path(get, path = "/api/v1/guest/incident", tag = "incidents", security(("bearer" = [])),
    responses(
    (status = 200, body = IncidentView),
    (status = 401, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn guest_incident(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<IncidentView>, ApiError> {
    let (_, id) = pass_of(&caller)?;
    Ok(Json(incident::get(state.store.reader(), id).await?.into()))
}

/// The timeline of the incident this guest pass is for: a JSON page, or with
/// `Accept: text/event-stream` live server-sent events (ending when the pass is revoked or expires).
#[utoipa::path(get, path = "/api/v1/guest/incident/events", tag = "incidents", security(("bearer" = [])),
    params(EventQuery), responses(
    (status = 200, body = super::events::EventPage, content_type = "application/json"),
    (status = 200, description = "Server-sent events, one timeline entry (EventView) per message", content_type = "text/event-stream"),
    (status = 401, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn guest_events(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(query): Query<EventQuery>,
) -> Result<Response, ApiError> {
    let (guest, id) = pass_of(&caller)?;
    if incident_live::wants_event_stream(&headers) {
        let after = incident_live::resume_after(&headers, query.after_seq)?;
        return Ok(incident_live::stream(state, id, Watcher::Guest(guest), after).await);
    }
    Ok(timeline(&state, id.0, "incident", query)
        .await?
        .into_response())
}

/// A guest's note.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestNote {
    pub body: String,
}

/// Add a note to the incident's timeline as the guest (passes that may write only).
#[utoipa::path(post, path = "/api/v1/guest/incident/notes", tag = "incidents", security(("bearer" = [])),
    request_body = GuestNote, responses(
    (status = 201, body = EventView),
    (status = 401, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn guest_note(
    State(state): State<AppState>,
    caller: Caller,
    extract::Json(input): extract::Json<GuestNote>,
) -> Result<(StatusCode, Json<EventView>), ApiError> {
    let (_, id) = pass_of(&caller)?;
    let entry = entries::validate(&EntryInput {
        kind: "note".to_owned(),
        body: input.body,
        ..EntryInput::default()
    })?;
    let written = write_entry(&state, id, entry, caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(written)))
}
