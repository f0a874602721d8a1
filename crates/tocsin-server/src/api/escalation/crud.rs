//! Creating, listing, reading, replacing and deleting escalation policies. Changing a policy is
//! managing its owning team (an unowned one needs the manager role), as for schedules; reading
//! needs the observer role (policies name people).
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tocsin_domain::id::{EscalationPolicyId, TeamId};
use tocsin_store::escalation;

use super::COLLECTION;
use super::input::parse_policy;
use super::views::PolicyView;
use crate::api::common::{Created, Versioned, conflict_at, location};
use crate::api::services::authorize_owner;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{self, IfMatch, Page, PageQuery, PathId, Query};
use crate::state::AppState;

/// `?team_id=&limit=&cursor=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PolicyQuery {
    /// Only policies this team owns.
    pub team_id: Option<uuid::Uuid>,
    /// How many items to return, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List escalation policies, optionally only one team's.
#[utoipa::path(get, path = "/api/v1/escalation-policies", tag = "oncall",
    security(("bearer" = [])), params(PolicyQuery),
    responses((status = 200, body = inline(Page<PolicyView>))))]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<PolicyQuery>,
) -> Result<Json<Page<PolicyView>>, ApiError> {
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    };
    let limit = page.limit()?;
    let team = query.team_id.map(TeamId);
    let reader = state.store.reader();
    let rows = escalation::list_policies(reader, team, page.after()?, limit + 1).await?;
    Ok(Json(
        Page::from_rows(rows, limit, |p| p.id.0).map(PolicyView::from),
    ))
}

/// Create an escalation policy. Every user it names must exist and be active; every schedule
/// and team must exist.
#[utoipa::path(post, path = "/api/v1/escalation-policies", tag = "oncall",
    security(("bearer" = [])), request_body(content = Object, description = "A policy: name, description, team_id, steps, repeat, ack_timeout_minutes (see docs/oncall.md)"), responses(
    (status = 201, body = PolicyView, headers(("ETag" = String), ("Location" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Created<PolicyView>, ApiError> {
    let policy = parse_policy(body)?;
    authorize_owner(&caller, policy.team_id)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let stored = state
        .store
        .write(move |tx| {
            Box::pin(async move { escalation::create_policy(tx, policy, &actor, now).await })
        })
        .await
        .map_err(conflict_at("/name"))?;
    Ok(Created {
        location: location(COLLECTION, stored.id),
        version: stored.version,
        body: stored.into(),
    })
}

/// Read an escalation policy.
#[utoipa::path(get, path = "/api/v1/escalation-policies/{id}", tag = "oncall",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = PolicyView, headers(("ETag" = String))),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    PathId(id): PathId<EscalationPolicyId>,
) -> Result<Versioned<PolicyView>, ApiError> {
    let stored = escalation::get_policy(state.store.reader(), id).await?;
    Ok(Versioned {
        version: stored.version,
        body: stored.into(),
    })
}

/// Replace an escalation policy. Send `If-Match` with the ETag read to refuse overwriting someone
/// else's change.
#[utoipa::path(put, path = "/api/v1/escalation-policies/{id}", tag = "oncall",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("If-Match" = Option<String>, Header)),
    request_body(content = Object, description = "A policy, as for create"), responses(
    (status = 200, body = PolicyView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EscalationPolicyId>,
    IfMatch(expected): IfMatch,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Versioned<PolicyView>, ApiError> {
    let current = escalation::get_policy(state.store.reader(), id).await?;
    authorize_owner(&caller, current.policy.team_id)?;
    let policy = parse_policy(body)?;
    if policy.team_id != current.policy.team_id {
        authorize_owner(&caller, policy.team_id)?;
    }
    let (actor, now) = (caller.actor(), state.clock.now());
    let stored = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                escalation::update_policy(tx, id, policy, expected, &actor, now).await
            })
        })
        .await
        .map_err(conflict_at("/name"))?;
    Ok(Versioned {
        version: stored.version,
        body: stored.into(),
    })
}

/// Delete an escalation policy that no service uses (as its default or in a routing rule).
#[utoipa::path(delete, path = "/api/v1/escalation-policies/{id}", tag = "oncall",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("If-Match" = Option<String>, Header)), responses(
    (status = 204),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EscalationPolicyId>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    let current = escalation::get_policy(state.store.reader(), id).await?;
    authorize_owner(&caller, current.policy.team_id)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { escalation::delete_policy(tx, id, expected, &actor, now).await })
        })
        .await
        .map_err(conflict_at(""))?;
    Ok(StatusCode::NO_CONTENT)
}
