//! `GET /api/v1/oncall?at=`: who is on call for every schedule at an instant, and why (the layer
//! and rotation turn, the temporary schedule, or the override), whom every escalation policy's
//! steps would page at that instant, and who fills every incident role, and why.
use axum::Json;
use axum::extract::State;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use tocsin_domain::oncall;
use tocsin_store::{escalation, roles, schedule};

use super::range::{self, AtQuery};
use super::timeline::with_overrides;
use super::views::{Names, Reason, UserRef};
use crate::api::escalation::preview::resolve_policy;
use crate::api::escalation::views::PolicyOnCall;
use crate::api::roles::staffing::staff;
use crate::api::roles::views::StaffingView;
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;

/// One person on call, and why.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OnCallEntry {
    pub user: UserRef,
    pub reason: Reason,
    /// The reason in words.
    pub explanation: String,
}

/// Who is on call in one schedule.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScheduleOnCall {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub name: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub team_id: Option<uuid::Uuid>,
    pub time_zone: String,
    /// Empty: no one is on call (a gap). Several: an alongside layer or overlapping temporary
    /// shifts.
    pub on_call: Vec<OnCallEntry>,
}

/// Who is on call at `at`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OnCallView {
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// Every schedule, by name.
    pub schedules: Vec<ScheduleOnCall>,
    /// Every escalation policy, by name: each step with the people it would page (round-robin
    /// teams show the member next in turn) and warnings for targets that would page nobody.
    pub escalation_policies: Vec<PolicyOnCall>,
    /// Every incident role, by slug: who fills it and why (as its staffing route answers).
    pub roles: Vec<StaffingView>,
}

/// Who is on call at an instant (default now) for every schedule, and why: the layer (index and
/// name) and rotation turn (number, participant), the temporary schedule, or the override.
/// `escalation_policies` answers whom each policy's steps would page, and why; `roles` who fills
/// each incident role, and why.
#[utoipa::path(get, path = "/api/v1/oncall", tag = "oncall", security(("bearer" = [])),
    params(AtQuery), responses(
    (status = 200, body = OnCallView),
    (status = 400, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn on_call(
    State(state): State<AppState>,
    Query(query): Query<AtQuery>,
) -> Result<Json<OnCallView>, ApiError> {
    let at = range::instant("at", query.at.as_deref(), state.clock.now())?;
    let next = at
        .checked_add(SignedDuration::from_micros(1))
        .map_err(|_| ApiError::parameter("at", "is outside the supported range of dates"))?;
    let mut answers = Vec::new();
    for stored in schedule::list_all_schedules(state.store.reader()).await? {
        let (definition, overrides) = with_overrides(&state, &stored, at, next).await?;
        let answer = oncall::on_call_at(&definition, at);
        answers.push((stored, definition, overrides, answer));
    }
    let users = answers.iter().flat_map(|(.., answer)| answer.users());
    let names = Names::of(state.store.reader(), users).await?;
    let schedules = answers
        .into_iter()
        .map(|(stored, definition, overrides, answer)| ScheduleOnCall {
            id: stored.id.0,
            name: stored.name.into(),
            team_id: stored.team_id.map(|t| t.0),
            time_zone: definition.time_zone.as_str().to_owned(),
            on_call: answer
                .on_call
                .into_iter()
                .map(|entry| {
                    let reason = Reason::of(entry.source, entry.turn, &definition, &overrides);
                    OnCallEntry {
                        user: names.user(entry.user),
                        explanation: reason.explain(&definition),
                        reason,
                    }
                })
                .collect(),
        })
        .collect();
    let mut escalation_policies = Vec::new();
    for stored in escalation::list_all_policies(state.store.reader()).await? {
        escalation_policies.push(resolve_policy(&state, stored, at).await?);
    }
    let mut staffed = Vec::new();
    for stored in roles::list_all_roles(state.store.reader()).await? {
        staffed.push(staff(&state, stored, at).await?);
    }
    Ok(Json(OnCallView {
        at,
        schedules,
        escalation_policies,
        roles: staffed,
    }))
}
