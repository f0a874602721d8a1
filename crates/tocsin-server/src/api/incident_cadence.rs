//! Status-update cadence and management escalation windows: an incident's cadence and escalation
//! state (`GET /api/v1/incidents/{id}/cadence`), delay justifications holding off management
//! escalation (`POST /api/v1/incidents/{id}/delay-justifications`), and the organisation's policy
//! (`/api/v1/incident-cadence-policy`: intervals and windows per priority, the reminder lead, the
//! management levels; admins change it).
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use tocsin_domain::access::Action;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::cadence::{CadencePolicy, UpdateRecord};
use tocsin_store::cadence::{self, CadenceView, JustificationView};

use super::common::{Versioned, document_view, parse_document};
use super::incidents::visible_incident;
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, IfMatch, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

const POLICY: &str = "/api/v1/incident-cadence-policy";

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadAlerts);
    vec![
        route(
            Method::GET,
            "/api/v1/incidents/{id}/cadence",
            read(),
            get_cadence,
        ),
        route(
            Method::POST,
            "/api/v1/incidents/{id}/delay-justifications",
            Guard::Allow(Action::RespondToAlerts),
            justify,
        ),
        route(Method::GET, POLICY, read(), get_policy),
        route(
            Method::PUT,
            POLICY,
            Guard::Allow(Action::ManagePriorityPolicy),
            put_policy,
        ),
    ]
}

/// How one status update kept the cadence.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UpdateComplianceView {
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
    /// When it was owed (the first missed instant when late); null when none was owed.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<jiff::Timestamp>,
    pub on_time: bool,
    pub late_by_seconds: i64,
}

impl From<UpdateRecord> for UpdateComplianceView {
    fn from(record: UpdateRecord) -> Self {
        Self {
            at: record.at,
            due_at: record.due_at,
            on_time: record.on_time,
            late_by_seconds: record.late_by_seconds,
        }
    }
}

/// The compliance record of the incident's status updates.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ComplianceView {
    pub updates: Vec<UpdateComplianceView>,
    /// Due instants passed without an update.
    pub missed_intervals: u32,
    /// Percent of the intervals due so far met on time; null before any was due.
    pub on_time_percent: Option<u32>,
}

/// A delay justification.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JustificationOut {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub reason: String,
    #[schema(value_type = String, format = DateTime)]
    pub from: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub until: jiff::Timestamp,
    pub created_by: String,
}

impl From<JustificationView> for JustificationOut {
    fn from(j: JustificationView) -> Self {
        Self {
            id: j.id,
            reason: j.reason,
            from: j.from,
            until: j.until,
            created_by: j.created_by,
        }
    }
}

/// The management escalation window.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EscalationWindowView {
    /// The window of the incident's priority; null: it never escalates to management.
    pub threshold_minutes: Option<i64>,
    pub levels_escalated: usize,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_escalated_at: Option<jiff::Timestamp>,
    /// The next level, 1-based; null once every level was escalated to (or none applies).
    pub next_level: Option<usize>,
    pub next_level_name: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_escalation_at: Option<jiff::Timestamp>,
    pub active_justification: Option<JustificationOut>,
    pub justifications: Vec<JustificationOut>,
}

/// An incident's status-update cadence and escalation window now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IncidentCadenceView {
    /// P1..P5, or null.
    pub priority: Option<String>,
    /// Minutes between status updates at this priority; null: none required.
    pub interval_minutes: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_update_at: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_due_at: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reminder_at: Option<jiff::Timestamp>,
    /// Whether an update is owed past its due instant.
    pub overdue: bool,
    pub compliance: ComplianceView,
    pub escalation: EscalationWindowView,
}

impl From<CadenceView> for IncidentCadenceView {
    fn from(view: CadenceView) -> Self {
        let cadence = view.cadence;
        let escalation = view.escalation;
        let on_time_percent = cadence.on_time_percent();
        let next = escalation.next;
        Self {
            priority: view.priority.map(|p| p.as_str().to_owned()),
            interval_minutes: cadence.interval.map(|i| i.as_mins()),
            last_update_at: cadence.last_update_at,
            next_due_at: cadence.next_due_at,
            reminder_at: cadence.reminder_at,
            overdue: view.open && cadence.overdue_since.is_some(),
            compliance: ComplianceView {
                updates: cadence.updates.into_iter().map(Into::into).collect(),
                missed_intervals: cadence.missed_intervals,
                on_time_percent,
            },
            escalation: EscalationWindowView {
                threshold_minutes: escalation.window_minutes,
                levels_escalated: escalation.levels_escalated,
                last_escalated_at: escalation.last_escalated_at,
                next_level: next.as_ref().map(|(n, _)| n.level),
                next_level_name: next.as_ref().map(|(_, name)| name.clone()),
                next_escalation_at: next.map(|(n, _)| n.at),
                active_justification: escalation.active_justification.map(Into::into),
                justifications: escalation
                    .justifications
                    .into_iter()
                    .map(Into::into)
                    .collect(),
            },
        }
    }
}

/// The incident's status-update cadence (interval, last update, next due, reminder, compliance
/// of every update) and its management escalation window (threshold, next level and when, the
/// justification holding).
#[utoipa::path(get, path = "/api/v1/incidents/{id}/cadence", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = IncidentCadenceView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get_cadence(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<IncidentCadenceView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let view = cadence::cadence_view(state.store.reader(), id, state.clock.now()).await?;
    Ok(Json(view.into()))
}

/// Why management escalation should wait, and until when.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JustifyDelay {
    pub reason: String,
    /// In the future, at most 7 days ahead.
    #[schema(value_type = String, format = DateTime)]
    pub until: jiff::Timestamp,
}

/// Record a delay justification: no management level is escalated to while it holds;
/// `incident.escalation_delay_justified` goes on the timeline.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/delay-justifications", tag = "incidents",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)),
    request_body = JustifyDelay, responses(
    (status = 201, body = JustificationOut),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn justify(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<JustifyDelay>,
) -> Result<(StatusCode, Json<JustificationOut>), ApiError> {
    visible_incident(&state, &caller, id).await?;
    let (now, actor) = (state.clock.now(), caller.actor());
    let justified = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                cadence::justify_delay(tx, id, &input.reason, input.until, &actor, now).await
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(justified.justification.into())))
}

/// The cadence policy and its version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CadencePolicyView {
    /// `{status_update_minutes, reminder_minutes_before, escalation_window_minutes,
    /// management_levels: [{name, user_ids}]}`.
    #[schema(value_type = Object)]
    pub policy: serde_json::Value,
    /// 0 until first written; send it back as `If-Match`.
    pub version: i64,
}

fn view(policy: &CadencePolicy, version: i64) -> Result<Versioned<CadencePolicyView>, ApiError> {
    document_view(policy, version, |policy, version| CadencePolicyView {
        policy,
        version,
    })
}

/// The status-update cadence policy (until set: updates every 30 minutes at P1, 60 at P2, 240 at
/// P3, reminders 5 minutes before; escalation windows 120 minutes at P1 and 480 at P2; no
/// management levels).
#[utoipa::path(get, path = "/api/v1/incident-cadence-policy", tag = "incidents", security(("bearer" = [])),
    responses((status = 200, body = CadencePolicyView, headers(("ETag" = String)))))]
pub async fn get_policy(
    State(state): State<AppState>,
) -> Result<Versioned<CadencePolicyView>, ApiError> {
    let (policy, version) = cadence::cadence_policy(state.store.reader()).await?;
    view(&policy, version)
}

/// Replace the status-update cadence policy (admins); absent members take their defaults.
#[utoipa::path(put, path = "/api/v1/incident-cadence-policy", tag = "incidents", security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header)),
    request_body(content = Object, description = "the cadence policy"), responses(
    (status = 200, body = CadencePolicyView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put_policy(
    State(state): State<AppState>,
    caller: Caller,
    IfMatch(expected): IfMatch,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Versioned<CadencePolicyView>, ApiError> {
    let policy: CadencePolicy = parse_document(body)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let stored = policy.clone();
    let version = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                cadence::put_cadence_policy(tx, &stored, expected, &actor, now).await
            })
        })
        .await?;
    view(&policy, version)
}
