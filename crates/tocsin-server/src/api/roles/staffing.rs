//! `GET /api/v1/incident-roles/{id}/staffing?at=`: who fills a role at an instant and why (on
//! call in its schedule with the layer, rotation turn or override; its backup; nobody). The
//! on-call answer lists every role the same way.
use axum::Json;
use axum::extract::State;
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::id::{IncidentRoleId, UserId};
use tocsin_domain::oncall;
use tocsin_domain::roles::staff_role;
use tocsin_store::roles::{self, StoredRole};
use tocsin_store::schedule;

use super::views::{OnCallWhy, RoleRef, StaffingView};
use crate::api::schedules::range::{self, AtQuery};
use crate::api::schedules::timeline::with_overrides;
use crate::api::schedules::views::{Reason, UserRef};
use crate::error::ApiError;
use crate::extract::{PathId, Query};
use crate::state::AppState;

/// Who is on call in the role's schedule at `at`, in the answer's order, each with why; `None`
/// when the role has no schedule.
async fn on_call(
    state: &AppState,
    stored: &StoredRole,
    at: Timestamp,
) -> Result<Option<Vec<(UserId, OnCallWhy)>>, ApiError> {
    let Some(schedule_id) = stored.role.schedule_id else {
        return Ok(None);
    };
    let next = at
        .checked_add(SignedDuration::from_micros(1))
        .map_err(|_| ApiError::parameter("at", "is outside the supported range of dates"))?;
    let found = schedule::get_schedule(state.store.reader(), schedule_id).await?;
    let (definition, overrides) = with_overrides(state, &found, at, next).await?;
    let schedule_name = found.name.to_string();
    let answer = oncall::on_call_at(&definition, at);
    Ok(Some(
        answer
            .on_call
            .into_iter()
            .map(|entry| {
                let reason = Reason::of(entry.source, entry.turn, &definition, &overrides);
                let explanation = format!(
                    "on call in schedule \"{schedule_name}\": {}",
                    reason.explain(&definition)
                );
                let why = OnCallWhy {
                    schedule_id: schedule_id.0,
                    schedule_name: schedule_name.clone(),
                    reason,
                    explanation,
                };
                (entry.user, why)
            })
            .collect(),
    ))
}

/// Who fills `stored` at `at`, and why, people named.
pub async fn staff(
    state: &AppState,
    stored: StoredRole,
    at: Timestamp,
) -> Result<StaffingView, ApiError> {
    let on_call = on_call(state, &stored, at).await?;
    let candidates = on_call
        .iter()
        .flatten()
        .map(|(user, _)| *user)
        .chain(stored.role.backup_user_id);
    let people = roles::people(state.store.reader(), candidates).await?;
    let staffing = staff_role(&stored.role, on_call.as_deref(), |user| {
        people
            .get(&user)
            .map(|(person, _)| person.clone())
            .unwrap_or_default()
    });
    let name = |user: UserId| {
        people
            .get(&user)
            .map_or_else(|| user.to_string(), |(_, name)| name.clone())
    };
    let explanation = staffing.explain(|why| why.explanation.clone(), name);
    Ok(StaffingView {
        role: RoleRef {
            id: stored.id.0,
            slug: stored.role.slug,
            name: stored.role.name.into(),
        },
        at,
        user: staffing.user.map(|user| UserRef {
            id: user.0,
            name: name(user),
        }),
        reason: serde_json::to_value(&staffing.reason).unwrap_or_default(),
        explanation,
    })
}

/// Who fills the role at an instant (default now), and why: the first person on call in its
/// schedule who is active and has every required skill (with the layer, rotation turn or
/// override), else its backup if active, else nobody; people passed over are named with why.
#[utoipa::path(get, path = "/api/v1/incident-roles/{id}/staffing", tag = "oncall",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid), AtQuery), responses(
    (status = 200, body = StaffingView),
    (status = 400, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn staffing(
    State(state): State<AppState>,
    PathId(id): PathId<IncidentRoleId>,
    Query(query): Query<AtQuery>,
) -> Result<Json<StaffingView>, ApiError> {
    let at = range::instant("at", query.at.as_deref(), state.clock.now())?;
    let stored = roles::get_role(state.store.reader(), id).await?;
    Ok(Json(staff(&state, stored, at).await?))
}
