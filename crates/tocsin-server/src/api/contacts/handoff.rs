//! Handoff notice preferences: `{"on_call_start":true,"on_call_end":true}`, which of "you are now
//! on call" and "you are no longer on call" a person receives (both unless they chose).
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tocsin_domain::id::UserId;
use tocsin_domain::oncall::handoff::HandoffPreference;
use tocsin_store::catalog::users;
use tocsin_store::handoff;

use super::authorize;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::state::AppState;

/// Which handoff notices a person receives.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoffNotices {
    /// "You are now on call for <schedule> until <end>" when a shift starts.
    pub on_call_start: bool,
    /// "You are no longer on call for <schedule>; <next> is on call" when a shift ends.
    pub on_call_end: bool,
}

impl From<HandoffPreference> for HandoffNotices {
    fn from(preference: HandoffPreference) -> Self {
        Self {
            on_call_start: preference.on_call_start,
            on_call_end: preference.on_call_end,
        }
    }
}

/// A user's handoff notice preference (both notices unless they chose).
#[utoipa::path(get, path = "/api/v1/users/{id}/handoff-notices", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = HandoffNotices),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UserId>,
) -> Result<Json<HandoffNotices>, ApiError> {
    authorize(&caller, id)?;
    users::get_user(state.store.reader(), id).await?;
    let preference = handoff::get_preference(state.store.reader(), id).await?;
    Ok(Json(preference.into()))
}

/// Choose which handoff notices a user receives.
#[utoipa::path(put, path = "/api/v1/users/{id}/handoff-notices", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = HandoffNotices, responses(
    (status = 200, body = HandoffNotices),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UserId>,
    extract::Json(input): extract::Json<HandoffNotices>,
) -> Result<Json<HandoffNotices>, ApiError> {
    authorize(&caller, id)?;
    let preference = HandoffPreference {
        on_call_start: input.on_call_start,
        on_call_end: input.on_call_end,
    };
    let (actor, now) = (caller.actor(), state.clock.now());
    let saved = state
        .store
        .write(move |tx| {
            Box::pin(async move { handoff::put_preference(tx, id, preference, &actor, now).await })
        })
        .await?;
    Ok(Json(saved.into()))
}
