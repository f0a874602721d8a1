//! The people on an incident and its milestones: participants, who holds which role (one holder
//! at a time; a handover needs a briefing), and the milestone times derived from the timeline,
//! corrected only by appending a correction with a reason.
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::id::{IncidentId, UserId};
use tocsin_domain::incident::milestones::Milestone;
use tocsin_store::incident;

use super::common::{PathIds, nullable};
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
            Method::GET,
            "/api/v1/incidents/{id}/participants",
            read(),
            participants,
        ),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/participants",
            respond(),
            add_participant,
        ),
        route(Method::GET, "/api/v1/incidents/{id}/roles", read(), roles),
        route(
            Method::PUT,
            "/api/v1/incidents/{id}/roles/{role}",
            respond(),
            assign_role,
        ),
        route(
            Method::DELETE,
            "/api/v1/incidents/{id}/roles/{role}",
            respond(),
            release_role,
        ),
        route(
            Method::GET,
            "/api/v1/incidents/{id}/milestones",
            read(),
            milestones,
        ),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/milestones/corrections",
            respond(),
            correct_milestone,
        ),
    ]
}

/// A participant.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ParticipantView {
    #[schema(value_type = String, format = Uuid)]
    pub user_id: uuid::Uuid,
    pub name: String,
    #[schema(value_type = String, format = DateTime)]
    pub joined_at: jiff::Timestamp,
    pub added_by: String,
}

/// An incident's participants.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ParticipantList {
    pub items: Vec<ParticipantView>,
}

/// The people on an incident (they see it even when it is restricted).
#[utoipa::path(get, path = "/api/v1/incidents/{id}/participants", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = ParticipantList),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn participants(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<ParticipantList>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let items = incident::participants(state.store.reader(), id)
        .await?
        .into_iter()
        .map(|p| ParticipantView {
            user_id: p.user_id.0,
            name: p.name,
            joined_at: p.joined_at,
            added_by: p.added_by,
        })
        .collect();
    Ok(Json(ParticipantList { items }))
}

/// Someone to add.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddParticipant {
    #[schema(value_type = String, format = Uuid)]
    pub user_id: uuid::Uuid,
}

/// Add a participant.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/participants", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = AddParticipant, responses(
    (status = 200, body = ParticipantList),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn add_participant(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<AddParticipant>,
) -> Result<Json<ParticipantList>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let user = UserId(input.user_id);
    match tocsin_store::catalog::users::get_user(state.store.reader(), user).await {
        Ok(found) if found.active => {}
        Ok(_) | Err(tocsin_store::StoreError::NotFound(_)) => {
            return Err(ApiError::field("/user_id", "no such active user"));
        }
        Err(error) => return Err(error.into()),
    }
    let (now, actor) = (state.clock.now(), caller.actor());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { incident::add_participant(tx, id, user, &actor, now).await })
        })
        .await?;
    participants(State(state), caller, PathId(id)).await
}

/// One holding of a role.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoleAssignmentView {
    pub role: String,
    #[schema(value_type = String, format = Uuid)]
    pub user_id: uuid::Uuid,
    pub user_name: String,
    /// The handover note given to this holder.
    pub briefing: String,
    #[schema(value_type = String, format = DateTime)]
    pub started_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<jiff::Timestamp>,
    /// How long they held (or have held) it, in seconds.
    pub held_seconds: i64,
}

/// Who holds each role now, and every earlier holding.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IncidentRoles {
    pub current: Vec<RoleAssignmentView>,
    pub history: Vec<RoleAssignmentView>,
}

/// The incident's roles: current holders and history.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/roles", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = IncidentRoles),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn roles(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<IncidentRoles>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let now = state.clock.now();
    let (current, history) = incident::role_assignments(state.store.reader(), id)
        .await?
        .into_iter()
        .map(|a| RoleAssignmentView {
            held_seconds: a
                .ended_at
                .unwrap_or(now)
                .duration_since(a.started_at)
                .as_secs()
                .max(0),
            role: a.role,
            user_id: a.user_id.0,
            user_name: a.user_name,
            briefing: a.briefing,
            started_at: a.started_at,
            ended_at: a.ended_at,
        })
        .partition(|a| a.ended_at.is_none());
    Ok(Json(IncidentRoles { current, history }))
}

/// Who takes a role.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRole {
    #[schema(value_type = String, format = Uuid)]
    pub user_id: uuid::Uuid,
    /// The handover note for the new holder; required when someone holds the role now.
    pub briefing: Option<String>,
}

/// Give a role to someone (incident_commander, communications_lead, technical_lead, scribe,
/// liaison, or a custom role). One holder at a time: a current holder hands over, with a briefing.
#[utoipa::path(put, path = "/api/v1/incidents/{id}/roles/{role}", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("role" = String, Path)), request_body = AssignRole,
    responses(
    (status = 200, body = IncidentRoles),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn assign_role(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, role): PathIds<IncidentId, String>,
    extract::Json(input): extract::Json<AssignRole>,
) -> Result<Json<IncidentRoles>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    let user = UserId(input.user_id);
    let briefing = input.briefing.unwrap_or_default();
    state
        .store
        .write(move |tx| {
            Box::pin(async move {
                incident::assign_role(tx, id, &role, user, &briefing, &actor, now).await
            })
        })
        .await?;
    roles(State(state), caller, PathId(id)).await
}

/// End a role's current holding without a successor.
#[utoipa::path(delete, path = "/api/v1/incidents/{id}/roles/{role}", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("role" = String, Path)), responses(
    (status = 200, body = IncidentRoles),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn release_role(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, role): PathIds<IncidentId, String>,
) -> Result<Json<IncidentRoles>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { incident::release_role(tx, id, &role, &actor, now).await })
        })
        .await?;
    roles(State(state), caller, PathId(id)).await
}

/// A milestone time.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MilestoneView {
    /// impact_started, detected, acknowledged, escalated, mitigated or resolved.
    pub milestone: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
    /// The timeline entry it comes from.
    pub seq: i64,
    /// Set by a correction rather than derived.
    pub corrected: bool,
}

/// An incident's milestones.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MilestoneList {
    pub items: Vec<MilestoneView>,
}

/// The incident's milestone times, derived from its timeline.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/milestones", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = MilestoneList),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn milestones(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<MilestoneList>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let items = incident::milestones(state.store.reader(), id)
        .await?
        .into_iter()
        .filter_map(|(milestone, time)| {
            Some(MilestoneView {
                milestone: milestone.as_str().to_owned(),
                at: time.at?,
                seq: time.seq,
                corrected: time.corrected,
            })
        })
        .collect();
    Ok(Json(MilestoneList { items }))
}

/// A correction of one milestone.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectMilestone {
    /// impact_started, detected, acknowledged, escalated, mitigated or resolved.
    pub milestone: String,
    /// The corrected time; null clears the milestone.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<Option<jiff::Timestamp>>,
    pub reason: String,
}

/// Correct a milestone: appended to the timeline with its reason, never an edit.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/milestones/corrections", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = CorrectMilestone, responses(
    (status = 200, body = MilestoneList),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn correct_milestone(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<CorrectMilestone>,
) -> Result<Json<MilestoneList>, ApiError> {
    let milestone = Milestone::parse(&input.milestone).ok_or_else(|| {
        ApiError::field(
            "/milestone",
            "must be impact_started, detected, acknowledged, escalated, mitigated or resolved",
        )
    })?;
    let Some(at) = input.at else {
        return Err(ApiError::field(
            "/at",
            "give the corrected time, or null to clear it",
        ));
    };
    visible_incident(&state, &caller, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    state
        .store
        .write(move |tx| {
            Box::pin(async move {
                incident::correct_milestone(tx, id, milestone, at, &input.reason, &actor, now).await
            })
        })
        .await?;
    milestones(State(state), caller, PathId(id)).await
}
