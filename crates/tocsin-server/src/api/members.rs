//! `/api/v1/teams/{id}/members`: who belongs to a team and in which team role. The team's managers
//! (or the manager org role) add, change and remove members.
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::catalog::TeamRole;
use tocsin_domain::id::{TeamId, UserId};
use tocsin_store::catalog::members::{self, TeamMember};

use super::common::PathIds;
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

pub fn routes() -> Vec<Route> {
    vec![
        // Members are people (names, emails): reading them is reading the user directory.
        route(
            Method::GET,
            "/api/v1/teams/{id}/members",
            Guard::Allow(Action::ReadUsers),
            list,
        ),
        route(
            Method::PUT,
            "/api/v1/teams/{id}/members/{user_id}",
            Guard::UserThenHandler,
            put,
        ),
        route(
            Method::DELETE,
            "/api/v1/teams/{id}/members/{user_id}",
            Guard::UserThenHandler,
            remove,
        ),
    ]
}

/// A member of a team.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MemberView {
    #[schema(value_type = String, format = Uuid)]
    pub user_id: uuid::Uuid,
    pub name: String,
    pub email: String,
    #[schema(value_type = String, example = "responder")]
    pub role: TeamRole,
    #[schema(value_type = String, format = DateTime)]
    pub added_at: jiff::Timestamp,
}

impl From<TeamMember> for MemberView {
    fn from(member: TeamMember) -> Self {
        Self {
            user_id: member.user_id.0,
            name: member.name.into(),
            email: member.email.into(),
            role: member.role,
            added_at: member.added_at,
        }
    }
}

/// The members of a team; a team is small, so the list is not paginated.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MemberList {
    pub items: Vec<MemberView>,
    /// Always absent: the whole team fits on one page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutMember {
    /// manager, responder or observer.
    pub role: String,
}

/// List a team's members.
#[utoipa::path(get, path = "/api/v1/teams/{id}/members", tag = "catalog", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = MemberList),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    PathId(team): PathId<TeamId>,
) -> Result<Json<MemberList>, ApiError> {
    let all = members::list_members(state.store.reader(), team).await?;
    Ok(Json(MemberList {
        items: all.into_iter().map(MemberView::from).collect(),
        next_cursor: None,
    }))
}

/// Add a member or change their team role.
#[utoipa::path(put, path = "/api/v1/teams/{id}/members/{user_id}", tag = "catalog",
    security(("bearer" = [])), request_body = PutMember,
    params(("id" = String, Path, format = Uuid), ("user_id" = String, Path, format = Uuid)), responses(
    (status = 200, body = MemberView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(team, user): PathIds<TeamId, UserId>,
    extract::Json(input): extract::Json<PutMember>,
) -> Result<Json<MemberView>, ApiError> {
    caller.authorize(Action::ManageTeam(team))?;
    let role = TeamRole::parse(&input.role).map_err(|e| ApiError::field("/role", e.to_string()))?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { members::put_member(tx, team, user, role, &actor, now).await })
        })
        .await?;
    members::list_members(state.store.reader(), team)
        .await?
        .into_iter()
        .find(|m| m.user_id == user)
        .map(|m| Json(m.into()))
        .ok_or_else(|| ApiError::not_found("team member"))
}

/// Remove a member from a team.
#[utoipa::path(delete, path = "/api/v1/teams/{id}/members/{user_id}", tag = "catalog",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("user_id" = String, Path, format = Uuid)), responses(
    (status = 204),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(team, user): PathIds<TeamId, UserId>,
) -> Result<StatusCode, ApiError> {
    caller.authorize(Action::ManageTeam(team))?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { members::remove_member(tx, team, user, &actor, now).await })
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
