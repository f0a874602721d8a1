//! `/api/v1/users/{id}/notification-plan?urgency=high&at=...`: what would happen if the user were
//! paged at `at` (default now): `tocsin_domain::contact::plan_notifications` over their stored
//! profile.
use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tocsin_domain::contact::{masked_address, plan_notifications};
use tocsin_domain::delivery::{Channel, Urgency};
use tocsin_domain::id::UserId;
use tocsin_store::contact;

use super::authorize;
use crate::api::schedules::range::instant;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{PathId, Query};
use crate::state::AppState;

/// `?urgency=&at=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// high (default) or low.
    pub urgency: Option<String>,
    /// The instant of the page, RFC 3339; default now.
    pub at: Option<String>,
}

/// One planned contact.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlannedContactView {
    #[schema(value_type = String, format = Uuid)]
    pub contact_method_id: uuid::Uuid,
    #[schema(value_type = String, example = "sms")]
    pub channel: Channel,
    /// Masked like the contact method's.
    pub address: String,
    #[schema(value_type = String, format = DateTime)]
    pub send_at: Timestamp,
    pub reason: String,
}

/// Who would be contacted when.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationPlanView {
    #[schema(value_type = String, example = "high")]
    pub urgency: Urgency,
    #[schema(value_type = String, format = DateTime)]
    pub paged_at: Timestamp,
    pub contacts: Vec<PlannedContactView>,
    /// Why defaults were used, or that the user cannot be reached.
    pub fallback: Option<String>,
}

fn parse_urgency(raw: Option<&str>) -> Result<Urgency, ApiError> {
    match raw.map(str::trim) {
        None | Some("high") => Ok(Urgency::High),
        Some("low") => Ok(Urgency::Low),
        Some(_) => Err(ApiError::parameter("urgency", "must be high or low")),
    }
}

/// Preview how a user would be notified of a page.
#[utoipa::path(get, path = "/api/v1/users/{id}/notification-plan", tag = "people", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), PlanQuery), responses(
    (status = 200, body = NotificationPlanView),
    (status = 400, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UserId>,
    Query(query): Query<PlanQuery>,
) -> Result<Json<NotificationPlanView>, ApiError> {
    authorize(&caller, id)?;
    let urgency = parse_urgency(query.urgency.as_deref())?;
    let paged_at = instant("at", query.at.as_deref(), state.clock.now())?;
    let mut profiles = contact::profiles_read(state.store.reader(), &[id]).await?;
    let profile = profiles
        .remove(&id)
        .ok_or_else(|| ApiError::not_found("user"))?;
    let plan = plan_notifications(&profile, urgency, paged_at);
    let contacts = plan
        .contacts
        .into_iter()
        .map(|c| PlannedContactView {
            contact_method_id: c.contact_method_id.0,
            channel: c.channel,
            address: masked_address(c.channel, &c.address),
            send_at: c.send_at,
            reason: c.reason,
        })
        .collect();
    Ok(Json(NotificationPlanView {
        urgency,
        paged_at,
        contacts,
        fallback: plan.fallback,
    }))
}
