//! Response plans: `/api/v1/response-plans` is the organisation's list of plans (one versioned
//! document; admins change it), each run once per incident the first time its trigger holds;
//! `GET /api/v1/incidents/{id}/response-plans` lists the plans that ran on an incident, why, and
//! what they did.
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use serde::Serialize;
use tocsin_domain::access::Action;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::response_plan::ResponsePlans;
use tocsin_store::incident::{self, PlanRun};

use super::common::{Versioned, parse_document};
use super::incidents::visible_incident;
use crate::auth::{Caller, Guard};
use crate::error::ApiError;
use crate::extract::{self, IfMatch, PathId};
use crate::router::{Route, route};
use crate::state::AppState;

const PLANS: &str = "/api/v1/response-plans";

pub fn routes() -> Vec<Route> {
    let read = || Guard::Allow(Action::ReadAlerts);
    vec![
        route(Method::GET, PLANS, read(), get_plans),
        route(
            Method::PUT,
            PLANS,
            Guard::Allow(Action::ManagePriorityPolicy),
            put_plans,
        ),
        route(
            Method::GET,
            "/api/v1/incidents/{id}/response-plans",
            read(),
            incident_runs,
        ),
    ]
}

/// The response plans and their version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResponsePlansView {
    /// `[{key, name, description, enabled, when: {major, priority_at_most, incident_types,
    /// data_exposure}, actions: {roles, page_team_ids, page_user_ids, tasks,
    /// restrict_to_roles}}]`, in the order they run.
    #[schema(value_type = Vec<Object>)]
    pub plans: serde_json::Value,
    /// 0 until first written; send it back as `If-Match`.
    pub version: i64,
}

fn view(plans: &ResponsePlans, version: i64) -> Result<Versioned<ResponsePlansView>, ApiError> {
    let plans = serde_json::to_value(&plans.plans).map_err(|_| ApiError::internal())?;
    Ok(Versioned {
        version,
        body: ResponsePlansView { plans, version },
    })
}

/// The organisation's response plans (none until written).
#[utoipa::path(get, path = "/api/v1/response-plans", tag = "incidents", security(("bearer" = [])),
    responses((status = 200, body = ResponsePlansView, headers(("ETag" = String)))))]
pub async fn get_plans(
    State(state): State<AppState>,
) -> Result<Versioned<ResponsePlansView>, ApiError> {
    let (plans, version) = incident::response_plans(state.store.reader()).await?;
    view(&plans, version)
}

/// Replace the response plans (admins). Every user, team and role a plan names must exist.
#[utoipa::path(put, path = "/api/v1/response-plans", tag = "incidents", security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header)),
    request_body(content = Object, description = "`{plans: [...]}`"), responses(
    (status = 200, body = ResponsePlansView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put_plans(
    State(state): State<AppState>,
    caller: Caller,
    IfMatch(expected): IfMatch,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Versioned<ResponsePlansView>, ApiError> {
    let plans: ResponsePlans = parse_document(body)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let stored = plans.clone();
    let version = state
        .store
        .write(move |tx| {
            Box::pin(async move {
                incident::put_response_plans(tx, &stored, expected, &actor, now).await
            })
        })
        .await?;
    view(&plans, version)
}

/// A plan that ran on an incident.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanRunView {
    pub plan_key: String,
    pub plan_name: String,
    #[schema(value_type = String, format = DateTime)]
    pub ran_at: jiff::Timestamp,
    /// Why its trigger held, one sentence per condition.
    pub reasons: Vec<String>,
    /// What it did, one sentence per action.
    pub actions: Vec<String>,
}

/// The plans that ran on an incident.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanRunList {
    pub items: Vec<PlanRunView>,
}

/// The response plans that ran on the incident, in the order they ran.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/response-plans", tag = "incidents",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = PlanRunList),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn incident_runs(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
) -> Result<Json<PlanRunList>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let runs = incident::plan_runs(state.store.reader(), id).await?;
    let items = runs
        .into_iter()
        .map(|run: PlanRun| PlanRunView {
            plan_key: run.plan_key,
            plan_name: run.plan_name,
            ran_at: run.ran_at,
            reasons: run.reasons,
            actions: run.actions,
        })
        .collect();
    Ok(Json(PlanRunList { items }))
}
