//! `GET /api/v1/escalation-policies/{id}/preview?at=`: each step of a policy with the people it
//! would page at an instant and why, round-robin teams showing the next member without using the
//! turn. The on-call answer uses the same resolution for every policy.
use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use tocsin_domain::id::EscalationPolicyId;
use tocsin_store::escalation::{self, StoredPolicy};

use super::views::{PolicyOnCall, StepView};
use crate::api::schedules::range::{self, AtQuery};
use crate::api::schedules::views::Names;
use crate::error::ApiError;
use crate::extract::{PathId, Query};
use crate::state::AppState;

/// Every step of `stored` resolved at `at`, people named.
pub async fn resolve_policy(
    state: &AppState,
    stored: StoredPolicy,
    at: Timestamp,
) -> Result<PolicyOnCall, ApiError> {
    let reader = state.store.reader();
    let mut resolved = Vec::new();
    for (index, step) in stored.policy.steps.iter().enumerate() {
        let step_resolved =
            escalation::preview_step(reader, stored.id, &stored.policy, index, at).await?;
        resolved.push((index, step.delay_minutes, step_resolved));
    }
    let users = resolved
        .iter()
        .flat_map(|(.., r)| r.users.iter().map(|paged| paged.user_id));
    let names = Names::of(reader, users.collect::<Vec<_>>()).await?;
    Ok(PolicyOnCall {
        id: stored.id.0,
        name: stored.policy.name.into(),
        at,
        steps: resolved
            .into_iter()
            .map(|(index, delay, r)| StepView::new(index, delay, r, &names))
            .collect(),
    })
}

/// Whom each step of the policy would page at an instant (default now), and why: the schedule
/// layer or override, the team (round-robin: the member next in turn, the turn not used), the
/// skill. Warnings name targets that would page nobody.
#[utoipa::path(get, path = "/api/v1/escalation-policies/{id}/preview", tag = "oncall",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid), AtQuery), responses(
    (status = 200, body = PolicyOnCall),
    (status = 400, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn preview(
    State(state): State<AppState>,
    PathId(id): PathId<EscalationPolicyId>,
    Query(query): Query<AtQuery>,
) -> Result<Json<PolicyOnCall>, ApiError> {
    let at = range::instant("at", query.at.as_deref(), state.clock.now())?;
    let stored = escalation::get_policy(state.store.reader(), id).await?;
    Ok(Json(resolve_policy(&state, stored, at).await?))
}
