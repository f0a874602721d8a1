//! Creating, listing, reading, replacing and deleting schedules. Changing a schedule is managing
//! its owning team (an unowned one needs the manager role), as for services; reading needs the
//! observer role (schedules name people).
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tocsin_domain::id::{ScheduleId, TeamId};
use tocsin_store::schedule::{self, StoredSchedule};

use super::input::{ScheduleBody, parse_schedule};
use super::timeline::warnings;
use super::views::ScheduleView;
use crate::api::common::{Created, Versioned, conflict_at, location};
use crate::api::services::authorize_owner;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{self, IfMatch, Page, PageQuery, PathId, Query};
use crate::state::AppState;

const COLLECTION: &str = "/api/v1/schedules";

/// `?team_id=&limit=&cursor=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScheduleQuery {
    /// Only schedules this team owns.
    pub team_id: Option<uuid::Uuid>,
    /// How many items to return, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

async fn view(state: &AppState, stored: StoredSchedule) -> Result<ScheduleView, ApiError> {
    let warnings = warnings(state, &stored).await?;
    Ok(ScheduleView::new(stored, warnings))
}

/// List schedules, optionally only one team's (without warnings: read one for those).
#[utoipa::path(get, path = "/api/v1/schedules", tag = "oncall", security(("bearer" = [])),
    params(ScheduleQuery), responses((status = 200, body = inline(Page<ScheduleView>))))]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<ScheduleQuery>,
) -> Result<Json<Page<ScheduleView>>, ApiError> {
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    };
    let limit = page.limit()?;
    let team = query.team_id.map(TeamId);
    let reader = state.store.reader();
    let rows = schedule::list_schedules(reader, team, page.after()?, limit + 1).await?;
    Ok(Json(
        Page::from_rows(rows, limit, |s| s.id.0).map(|s| ScheduleView::new(s, Vec::new())),
    ))
}

/// Create a schedule. Every user it names must exist and be active.
#[utoipa::path(post, path = "/api/v1/schedules", tag = "oncall", security(("bearer" = [])),
    request_body = ScheduleBody, responses(
    (status = 201, body = ScheduleView, headers(("ETag" = String), ("Location" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Created<ScheduleView>, ApiError> {
    let new = parse_schedule(body)?;
    authorize_owner(&caller, new.team_id)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let stored = state
        .store
        .write(move |tx| {
            Box::pin(async move { schedule::create_schedule(tx, new, &actor, now).await })
        })
        .await
        .map_err(conflict_at("/name"))?;
    Ok(Created {
        location: location(COLLECTION, stored.id),
        version: stored.version,
        body: view(&state, stored).await?,
    })
}

/// Read a schedule, with warnings naming every gap of the next 14 days.
#[utoipa::path(get, path = "/api/v1/schedules/{id}", tag = "oncall", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = ScheduleView, headers(("ETag" = String))),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    PathId(id): PathId<ScheduleId>,
) -> Result<Versioned<ScheduleView>, ApiError> {
    let stored = schedule::get_schedule(state.store.reader(), id).await?;
    Ok(Versioned {
        version: stored.version,
        body: view(&state, stored).await?,
    })
}

/// Replace a schedule (name, description, team, time zone, layers, temporary schedules; its
/// overrides stay). Send `If-Match` with the ETag read to refuse overwriting someone else's change.
#[utoipa::path(put, path = "/api/v1/schedules/{id}", tag = "oncall", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("If-Match" = Option<String>, Header)),
    request_body = ScheduleBody, responses(
    (status = 200, body = ScheduleView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ScheduleId>,
    IfMatch(expected): IfMatch,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Versioned<ScheduleView>, ApiError> {
    let current = schedule::get_schedule(state.store.reader(), id).await?;
    authorize_owner(&caller, current.team_id)?;
    let change = parse_schedule(body)?;
    if change.team_id != current.team_id {
        authorize_owner(&caller, change.team_id)?;
    }
    let (actor, now) = (caller.actor(), state.clock.now());
    let stored = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                schedule::update_schedule(tx, id, change, expected, &actor, now).await
            })
        })
        .await
        .map_err(conflict_at("/name"))?;
    Ok(Versioned {
        version: stored.version,
        body: view(&state, stored).await?,
    })
}

/// Delete a schedule, its overrides and its calendar subscriptions. A schedule an escalation
/// policy pages cannot be deleted (409 naming the policies).
#[utoipa::path(delete, path = "/api/v1/schedules/{id}", tag = "oncall", security(("bearer" = [])),
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
    PathId(id): PathId<ScheduleId>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    let current = schedule::get_schedule(state.store.reader(), id).await?;
    authorize_owner(&caller, current.team_id)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { schedule::delete_schedule(tx, id, expected, &actor, now).await })
        })
        .await
        .map_err(conflict_at(""))?;
    Ok(StatusCode::NO_CONTENT)
}
