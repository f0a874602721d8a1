//! What an incident costs, live: `GET /api/v1/incidents/{id}/cost` (people's time weighted by role
//! plus revenue lost over the impact window), priced by `/api/v1/incident-cost-policy` (one
//! versioned document: hourly cost, currency, role weights; admins change it).
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use serde::Serialize;
use tocsin_domain::access::Action;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::cost::{CostLine, CostPolicy};
use tocsin_store::incident;

use super::common::{Versioned, parse_document, typed_document};
use super::incidents::visible_incident;
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, IfMatch, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

const POLICY: &str = "/api/v1/incident-cost-policy";

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadAlerts);
    vec![
        route(
            Method::GET,
            "/api/v1/incidents/{id}/cost",
            read(),
            incident_cost,
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

/// One line of the people cost.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CostLineView {
    /// A role slug; null for participants who hold no role.
    pub role: Option<String>,
    pub seconds: i64,
    pub weight_percent: u32,
    pub cost_minor: i64,
}

/// An incident's cost now, in integer minor units of `currency`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CostView {
    pub currency: String,
    pub people_minor: i64,
    pub lines: Vec<CostLineView>,
    /// Revenue lost per hour (the incident's impact input) over the impact window.
    pub revenue_minor: i64,
    /// From impact start until mitigated, else resolved, else now.
    pub impact_seconds: i64,
    pub total_minor: i64,
}

fn line(line: CostLine) -> CostLineView {
    CostLineView {
        role: line.role,
        seconds: line.seconds,
        weight_percent: line.weight_percent,
        cost_minor: line.cost_minor,
    }
}

/// What the incident has cost so far.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/cost", tag = "incidents", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = CostView),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn incident_cost(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<CostView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let cost = incident::cost(state.store.reader(), id, state.clock.now()).await?;
    Ok(Json(CostView {
        currency: cost.currency,
        people_minor: cost.people_minor,
        lines: cost.lines.into_iter().map(line).collect(),
        revenue_minor: cost.revenue_minor,
        impact_seconds: cost.impact_seconds,
        total_minor: cost.total_minor,
    }))
}

/// The cost policy and its version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CostPolicyView {
    /// `{currency, hourly_cost_minor, role_weights_percent, participant_weight_percent}`.
    #[schema(value_type = Object)]
    pub policy: serde_json::Value,
    /// 0 until first written; send it back as `If-Match`.
    pub version: i64,
}

fn view(policy: &CostPolicy, version: i64) -> Result<Versioned<CostPolicyView>, ApiError> {
    typed_document(policy, version, |policy, version| CostPolicyView {
        policy,
        version,
    })
}

/// The incident cost policy (USD 100.00 an hour, commander 150%, technical lead 125%, plain
/// participants 50% until set).
#[utoipa::path(get, path = "/api/v1/incident-cost-policy", tag = "incidents", security(("bearer" = [])),
    responses((status = 200, body = CostPolicyView, headers(("ETag" = String)))))]
pub async fn get_policy(
    State(state): State<AppState>,
) -> Result<Versioned<CostPolicyView>, ApiError> {
    let (policy, version) = incident::cost_policy(state.store.reader()).await?;
    view(&policy, version)
}

/// Replace the incident cost policy (admins); absent members take their defaults.
#[utoipa::path(put, path = "/api/v1/incident-cost-policy", tag = "incidents", security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header)),
    request_body(content = Object, description = "the cost policy"), responses(
    (status = 200, body = CostPolicyView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put_policy(
    State(state): State<AppState>,
    caller: Caller,
    IfMatch(expected): IfMatch,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Versioned<CostPolicyView>, ApiError> {
    let policy: CostPolicy = parse_document(body)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let stored = policy.clone();
    let version = state
        .store
        .write(move |tx| {
            Box::pin(
                async move { incident::put_cost_policy(tx, &stored, expected, &actor, now).await },
            )
        })
        .await?;
    view(&policy, version)
}
