//! Notification rules: which verified contact method, for which urgency, after how many minutes.
//! Verifying a user's first method gives them a high-urgency rule at 0 minutes when they have no
//! rules.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tocsin_domain::contact::check_delay;
use tocsin_domain::delivery::Urgency;
use tocsin_domain::id::{ContactMethodId, NotificationRuleId, UserId};
use tocsin_store::catalog::users;
use tocsin_store::contact;

use super::authorize;
use super::views::{RuleList, RuleView};
use crate::api::common::{PathIds, conflict_at};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::state::AppState;

/// A rule to add.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRule {
    /// One of the user's contact methods.
    #[schema(value_type = String, format = Uuid)]
    pub contact_method_id: uuid::Uuid,
    /// high or low.
    #[schema(value_type = String, example = "high")]
    pub urgency: Urgency,
    /// Minutes after the page, 0 to 1440.
    pub delay_minutes: u16,
}

/// List a user's notification rules.
#[utoipa::path(get, path = "/api/v1/users/{id}/notification-rules", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = RuleList),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UserId>,
) -> Result<Json<RuleList>, ApiError> {
    authorize(&caller, id)?;
    users::get_user(state.store.reader(), id).await?;
    let rules = contact::list_rules(state.store.reader(), id).await?;
    Ok(Json(RuleList {
        items: rules.into_iter().map(RuleView::from).collect(),
    }))
}

/// Add a notification rule.
#[utoipa::path(post, path = "/api/v1/users/{id}/notification-rules", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = CreateRule, responses(
    (status = 201, body = RuleView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UserId>,
    extract::Json(input): extract::Json<CreateRule>,
) -> Result<(StatusCode, Json<RuleView>), ApiError> {
    authorize(&caller, id)?;
    let delay =
        check_delay(input.delay_minutes).map_err(|e| ApiError::field("/delay_minutes", e))?;
    let method = ContactMethodId(input.contact_method_id);
    let (actor, now) = (caller.actor(), state.clock.now());
    let rule = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                contact::add_rule(tx, id, method, input.urgency, delay, &actor, now).await
            })
        })
        .await
        .map_err(conflict_at("/delay_minutes"))?;
    Ok((StatusCode::CREATED, Json(rule.into())))
}

/// Remove a notification rule.
#[utoipa::path(delete, path = "/api/v1/users/{id}/notification-rules/{rule_id}", tag = "people",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("rule_id" = String, Path, format = Uuid)),
    responses(
    (status = 204),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, rule): PathIds<UserId, NotificationRuleId>,
) -> Result<StatusCode, ApiError> {
    authorize(&caller, id)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(async move { contact::remove_rule(tx, id, rule, &actor, now).await })
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
