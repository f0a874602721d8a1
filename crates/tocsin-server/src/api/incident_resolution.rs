//! How an incident is resolved: its resolution record (strategy and reasoning) and its recovery
//! checklist (technical and business checks confirmed by a responder, a confirmation withdrawn
//! with a reason), with whether the resolution gate lets it resolve now.
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::resolution::{self, CheckKind, Strategy};
use tocsin_store::incident::{self, CheckChange, RecoveryCheck, ResolutionRecord};

use super::common::PathIds;
use super::incidents::visible_incident;
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

const CONFIRMATION: &str = "/api/v1/incidents/{id}/recovery-checks/{check_id}/confirmation";

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadAlerts);
    let respond = || Guard::Allow(Action::RespondToAlerts);
    vec![
        route(
            Method::GET,
            "/api/v1/incidents/{id}/resolution",
            read(),
            get,
        ),
        route(
            Method::PUT,
            "/api/v1/incidents/{id}/resolution",
            respond(),
            put,
        ),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/recovery-checks",
            respond(),
            add_check,
        ),
        route(Method::POST, CONFIRMATION, respond(), confirm),
        route(Method::DELETE, CONFIRMATION, respond(), withdraw),
    ]
}

/// The resolution record.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecordView {
    /// rollback, hotfix, workaround, failover or other.
    pub strategy: String,
    pub reasoning: String,
    pub recorded_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: jiff::Timestamp,
}

impl From<ResolutionRecord> for RecordView {
    fn from(record: ResolutionRecord) -> Self {
        Self {
            strategy: record.strategy.as_str().to_owned(),
            reasoning: record.reasoning,
            recorded_by: record.recorded_by,
            recorded_at: record.recorded_at,
        }
    }
}

/// A recovery check.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CheckView {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// technical or business.
    pub kind: String,
    pub description: String,
    pub created_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    pub confirmed: bool,
    pub confirmed_by: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub confirmed_at: Option<jiff::Timestamp>,
    pub confirmation_note: Option<String>,
}

impl From<RecoveryCheck> for CheckView {
    fn from(check: RecoveryCheck) -> Self {
        Self {
            id: check.id,
            kind: check.kind.as_str().to_owned(),
            description: check.description,
            created_by: check.created_by,
            created_at: check.created_at,
            confirmed: check.confirmed_at.is_some(),
            confirmed_by: check.confirmed_by,
            confirmed_at: check.confirmed_at,
            confirmation_note: check.confirmation_note,
        }
    }
}

/// What holds the incident open.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BlockerView {
    /// `/recovery_checks` or `/resolution`.
    pub pointer: String,
    pub detail: String,
}

/// The resolution record, the recovery checklist and whether the incident may resolve now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResolutionView {
    pub record: Option<RecordView>,
    pub recovery_checks: Vec<CheckView>,
    /// Whether it needs a resolution record before resolving (P1, P2 or major).
    pub record_required: bool,
    /// What refuses resolving now (null: it may resolve).
    pub blocked_by: Option<BlockerView>,
}

async fn view(state: &AppState, incident: &incident::Incident) -> Result<ResolutionView, ApiError> {
    let reader = state.store.reader();
    let record = incident::resolution(reader, incident.id).await?;
    let checks = incident::recovery_checks(reader, incident.id).await?;
    let (priority, is_major) = (
        incident.classification.priority,
        incident.classification.is_major,
    );
    let blocked_by = incident::gate_over(&checks, record.is_some(), priority, is_major, true)
        .err()
        .map(|refusal| BlockerView {
            pointer: refusal.pointer.to_owned(),
            detail: refusal.detail,
        });
    Ok(ResolutionView {
        record: record.map(RecordView::from),
        recovery_checks: checks.into_iter().map(CheckView::from).collect(),
        record_required: resolution::needs_resolution(priority, is_major),
        blocked_by,
    })
}

/// The incident's resolution record and recovery checklist.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/resolution", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = ResolutionView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<ResolutionView>, ApiError> {
    let found = visible_incident(&state, &caller, id).await?;
    Ok(Json(view(&state, &found).await?))
}

/// A resolution record.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutResolution {
    /// rollback, hotfix, workaround, failover or other.
    pub strategy: String,
    /// Why this strategy (required, at most 5000 characters).
    pub reasoning: String,
}

/// Record (or replace) how the incident is resolved; `incident.resolution_recorded` goes on the
/// timeline with the previous record when replaced.
#[utoipa::path(put, path = "/api/v1/incidents/{id}/resolution", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = PutResolution, responses(
    (status = 200, body = ResolutionView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<PutResolution>,
) -> Result<Json<ResolutionView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let strategy = Strategy::parse(&input.strategy).ok_or_else(|| {
        ApiError::field(
            "/strategy",
            "must be rollback, hotfix, workaround, failover or other",
        )
    })?;
    let (now, actor) = (state.clock.now(), caller.actor());
    let reasoning = input.reasoning;
    state
        .store
        .write(move |tx| {
            Box::pin(async move {
                incident::record_resolution(tx, id, strategy, &reasoning, &actor, now).await
            })
        })
        .await?;
    let found = visible_incident(&state, &caller, id).await?;
    Ok(Json(view(&state, &found).await?))
}

/// A recovery check to add.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCheck {
    /// technical or business.
    pub kind: String,
    /// What to verify (at most 500 characters).
    pub description: String,
}

async fn check_view(
    state: &AppState,
    id: IncidentId,
    check: uuid::Uuid,
) -> Result<CheckView, ApiError> {
    incident::recovery_checks(state.store.reader(), id)
        .await?
        .into_iter()
        .find(|c| c.id == check)
        .map(CheckView::from)
        .ok_or_else(|| ApiError::not_found("recovery check"))
}

/// Add a recovery check (unconfirmed: it holds resolution until confirmed);
/// `incident.recovery_check_added` goes on the timeline.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/recovery-checks", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), request_body = NewCheck, responses(
    (status = 201, body = CheckView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn add_check(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<NewCheck>,
) -> Result<(StatusCode, Json<CheckView>), ApiError> {
    visible_incident(&state, &caller, id).await?;
    let kind = CheckKind::parse(&input.kind)
        .ok_or_else(|| ApiError::field("/kind", "must be technical or business"))?;
    let (now, actor) = (state.clock.now(), caller.actor());
    let description = input.description;
    let check = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                incident::add_recovery_check(tx, id, kind, &description, &actor, now).await
            })
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(check_view(&state, id, check).await?),
    ))
}

/// Confirms a check or withdraws its confirmation; answers the check as it now is.
async fn change(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
    check: uuid::Uuid,
    change: CheckChange,
) -> Result<Json<CheckView>, ApiError> {
    visible_incident(state, caller, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    state
        .store
        .write(move |tx| {
            Box::pin(
                async move { incident::change_check(tx, id, check, change, &actor, now).await },
            )
        })
        .await?;
    Ok(Json(check_view(state, id, check).await?))
}

/// A confirmation.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    /// What was seen (optional, at most 2000 characters).
    pub note: Option<String>,
}

/// Confirm a recovery check: who and when are recorded (`incident.recovery_check_confirmed`).
/// A confirmed check answers 409.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/recovery-checks/{check_id}/confirmation", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("check_id" = String, Path, format = Uuid)),
    request_body = Confirmation, responses(
    (status = 200, body = CheckView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, check): PathIds<IncidentId, uuid::Uuid>,
    extract::Json(input): extract::Json<Confirmation>,
) -> Result<Json<CheckView>, ApiError> {
    let note = input.note;
    change(&state, &caller, id, check, CheckChange::Confirm { note }).await
}

/// Why a confirmation is withdrawn.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    /// Required, at most 2000 characters.
    pub reason: String,
}

/// Withdraw a check's confirmation, with a reason: it holds resolution again
/// (`incident.recovery_check_withdrawn`). An unconfirmed check answers 409.
#[utoipa::path(delete, path = "/api/v1/incidents/{id}/recovery-checks/{check_id}/confirmation", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("check_id" = String, Path, format = Uuid)),
    request_body = Withdrawal, responses(
    (status = 200, body = CheckView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    PathIds(id, check): PathIds<IncidentId, uuid::Uuid>,
    extract::Json(input): extract::Json<Withdrawal>,
) -> Result<Json<CheckView>, ApiError> {
    let reason = input.reason;
    change(&state, &caller, id, check, CheckChange::Withdraw { reason }).await
}
