//! `PUT /api/v1/users/{id}/time-zone`: a person sets their own clock — the zone the console shows
//! every instant in — without asking an admin (who may set anyone's, as with `PATCH /users/{id}`).
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tocsin_domain::id::UserId;
use tocsin_domain::values::TimeZoneName;
use tocsin_store::catalog::users::{self, UserPatch};

use super::authorize;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::state::AppState;

/// A person's time zone.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeZoneChoice {
    /// An IANA time zone such as `Europe/Berlin` or `UTC`.
    pub time_zone: String,
}

/// Set a user's time zone (the person themselves or an admin).
#[utoipa::path(put, path = "/api/v1/users/{id}/time-zone", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = TimeZoneChoice, responses(
    (status = 200, body = TimeZoneChoice),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UserId>,
    extract::Json(input): extract::Json<TimeZoneChoice>,
) -> Result<Json<TimeZoneChoice>, ApiError> {
    authorize(&caller, id)?;
    let zone = TimeZoneName::parse(&input.time_zone)
        .map_err(|why| ApiError::field("/time_zone", why.0))?;
    let patch = UserPatch {
        time_zone: Some(zone),
        ..UserPatch::default()
    };
    let (actor, now) = (caller.actor(), state.clock.now());
    let user = state
        .store
        .write(move |tx| {
            Box::pin(async move { users::update_user(tx, id, patch, None, &actor, now).await })
        })
        .await?;
    Ok(Json(TimeZoneChoice {
        time_zone: user.time_zone,
    }))
}
