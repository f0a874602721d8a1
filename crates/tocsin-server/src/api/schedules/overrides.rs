//! A schedule's overrides: someone on call instead of whoever the schedule says, for a period.
//! Members of the schedule's team (managers and responders) add and remove them, as do managers
//! organisation-wide; they are listed by range.
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::id::{ScheduleId, UserId};
use tocsin_store::schedule::{self, NewOverride};

use super::range::{self, RangeQuery};
use super::views::{Names, OverrideView};
use crate::api::common::PathIds;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{self, PathId, Query};
use crate::state::AppState;

/// The longest range the overrides list covers in one request.
const MAX_LIST_DAYS: i64 = 366;

/// An override to add.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOverride {
    /// Who is on call instead.
    #[schema(value_type = String, format = Uuid)]
    pub user_id: uuid::Uuid,
    #[schema(value_type = String, format = DateTime)]
    pub start: Timestamp,
    /// Excluded: the override lets go at this instant.
    #[schema(value_type = String, format = DateTime)]
    pub end: Timestamp,
}

/// Overrides in a range.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OverrideList {
    pub items: Vec<OverrideView>,
}

/// Who may add or remove overrides of `id`: its team's managers and responders, or managers.
async fn authorize(state: &AppState, caller: &Caller, id: ScheduleId) -> Result<(), ApiError> {
    let stored = schedule::get_schedule(state.store.reader(), id).await?;
    caller.authorize(Action::OverrideSchedule(stored.team_id))
}

/// Add an override: the user replaces whoever the schedule says from `start` until `end` (a newer
/// override wins where two overlap).
#[utoipa::path(post, path = "/api/v1/schedules/{id}/overrides", tag = "oncall", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = CreateOverride, responses(
    (status = 201, body = OverrideView, headers(("Location" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ScheduleId>,
    extract::Json(input): extract::Json<CreateOverride>,
) -> Result<
    (
        StatusCode,
        [(header::HeaderName, String); 1],
        Json<OverrideView>,
    ),
    ApiError,
> {
    authorize(&state, &caller, id).await?;
    let new = NewOverride {
        user_id: UserId(input.user_id),
        start: input.start,
        end: input.end,
    };
    let (actor, now) = (caller.actor(), state.clock.now());
    let added = state
        .store
        .write(move |tx| {
            Box::pin(async move { schedule::add_override(tx, id, new, &actor, now).await })
        })
        .await?;
    let names = Names::of(state.store.reader(), [added.user_id]).await?;
    let location = format!("/api/v1/schedules/{id}/overrides/{}", added.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(OverrideView::new(added, &names)),
    ))
}

/// The schedule's overrides that overlap `[from, to)` (default: from now, 90 days; at most 366
/// days), oldest first.
#[utoipa::path(get, path = "/api/v1/schedules/{id}/overrides", tag = "oncall", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), RangeQuery), responses(
    (status = 200, body = OverrideList),
    (status = 400, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    PathId(id): PathId<ScheduleId>,
    Query(query): Query<RangeQuery>,
) -> Result<Json<OverrideList>, ApiError> {
    let (from, to) = range::range(&query, state.clock.now(), 90, MAX_LIST_DAYS)?;
    schedule::get_schedule(state.store.reader(), id).await?;
    let overrides = schedule::list_overrides(state.store.reader(), id, from, to).await?;
    let names = Names::of(state.store.reader(), overrides.iter().map(|o| o.user_id)).await?;
    let items = overrides
        .into_iter()
        .map(|o| OverrideView::new(o, &names))
        .collect();
    Ok(Json(OverrideList { items }))
}

/// Remove an override.
#[utoipa::path(delete, path = "/api/v1/schedules/{id}/overrides/{override_id}", tag = "oncall",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("override_id" = String, Path, format = Uuid)),
    responses(
    (status = 204),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, override_id): PathIds<ScheduleId, uuid::Uuid>,
) -> Result<StatusCode, ApiError> {
    authorize(&state, &caller, id).await?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(
                async move { schedule::remove_override(tx, id, override_id, &actor, now).await },
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
