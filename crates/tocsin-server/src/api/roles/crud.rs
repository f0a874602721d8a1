//! Creating, listing, reading, replacing and deleting incident roles. Roles belong to no team, so
//! changing one needs the manager role (as for an unowned schedule); reading needs the observer
//! role (roles name people).
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tocsin_domain::id::IncidentRoleId;
use tocsin_domain::roles::IncidentRole;
use tocsin_store::roles;

use super::COLLECTION;
use super::views::RoleView;
use crate::api::common::{Created, Versioned, conflict_at, location, parse_document};
use crate::api::services::authorize_owner;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{self, IfMatch, Page, PageQuery, PathId, Query};
use crate::state::AppState;

/// `?limit=&cursor=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoleQuery {
    /// How many items to return, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List incident roles.
#[utoipa::path(get, path = "/api/v1/incident-roles", tag = "oncall", security(("bearer" = [])),
    params(RoleQuery), responses((status = 200, body = inline(Page<RoleView>))))]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<RoleQuery>,
) -> Result<Json<Page<RoleView>>, ApiError> {
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    };
    let limit = page.limit()?;
    let rows = roles::list_roles(state.store.reader(), page.after()?, limit + 1).await?;
    Ok(Json(
        Page::from_rows(rows, limit, |r| r.id.0).map(RoleView::from),
    ))
}

/// Create an incident role. Its schedule must exist; its backup must exist and be active; its
/// slug must be unused (409).
#[utoipa::path(post, path = "/api/v1/incident-roles", tag = "oncall", security(("bearer" = [])),
    request_body(content = Object, description = "A role: slug, name, instructions, schedule_id, required_skills, backup_user_id (see docs/oncall.md)"), responses(
    (status = 201, body = RoleView, headers(("ETag" = String), ("Location" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Created<RoleView>, ApiError> {
    authorize_owner(&caller, None)?;
    let role: IncidentRole = parse_document(body)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let stored = state
        .store
        .write(move |tx| Box::pin(async move { roles::create_role(tx, role, &actor, now).await }))
        .await
        .map_err(conflict_at("/slug"))?;
    Ok(Created {
        location: location(COLLECTION, stored.id),
        version: stored.version,
        body: stored.into(),
    })
}

/// Read an incident role.
#[utoipa::path(get, path = "/api/v1/incident-roles/{id}", tag = "oncall",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = RoleView, headers(("ETag" = String))),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    PathId(id): PathId<IncidentRoleId>,
) -> Result<Versioned<RoleView>, ApiError> {
    let stored = roles::get_role(state.store.reader(), id).await?;
    Ok(Versioned {
        version: stored.version,
        body: stored.into(),
    })
}

/// Replace an incident role. Send `If-Match` with the ETag read to refuse overwriting someone
/// else's change.
#[utoipa::path(put, path = "/api/v1/incident-roles/{id}", tag = "oncall",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("If-Match" = Option<String>, Header)),
    request_body(content = Object, description = "A role, as for create"), responses(
    (status = 200, body = RoleView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentRoleId>,
    IfMatch(expected): IfMatch,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Versioned<RoleView>, ApiError> {
    authorize_owner(&caller, None)?;
    let role: IncidentRole = parse_document(body)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let stored = state
        .store
        .write(move |tx| {
            Box::pin(async move { roles::update_role(tx, id, role, expected, &actor, now).await })
        })
        .await
        .map_err(conflict_at("/slug"))?;
    Ok(Versioned {
        version: stored.version,
        body: stored.into(),
    })
}

/// Delete an incident role. A role an escalation policy pages cannot be deleted (409 naming the
/// policies).
#[utoipa::path(delete, path = "/api/v1/incident-roles/{id}", tag = "oncall",
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
    PathId(id): PathId<IncidentRoleId>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    authorize_owner(&caller, None)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { roles::delete_role(tx, id, expected, &actor, now).await })
        })
        .await
        .map_err(conflict_at(""))?;
    Ok(StatusCode::NO_CONTENT)
}
