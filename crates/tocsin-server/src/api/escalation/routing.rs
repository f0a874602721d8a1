//! A service's escalation: `PUT /api/v1/services/{id}/escalation-policy` sets its default policy
//! (shown as `escalation_policy_id` in the service), and `/api/v1/services/{id}/escalation-routes`
//! holds its ordered routing rules, the first match choosing the policy instead (a versioned
//! document: ETag / If-Match). Changing either is managing the service's team.
use axum::extract::State;
use serde::Deserialize;
use tocsin_domain::alerting::from_json;
use tocsin_domain::escalation::RoutingRules;
use tocsin_domain::id::{EscalationPolicyId, ServiceId};
use tocsin_store::{catalog, escalation};

use crate::api::common::Versioned;
use crate::api::services::{ServiceView, authorize_owner, versioned};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{self, IfMatch, PathId};
use crate::state::AppState;

/// `{"policy_id": "<uuid>"}`, or `null` to page nobody by default.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePolicyBody {
    #[schema(value_type = Option<String>, format = Uuid)]
    pub policy_id: Option<uuid::Uuid>,
}

/// Set (or clear) the service's default escalation policy, used when no routing rule matches.
#[utoipa::path(put, path = "/api/v1/services/{id}/escalation-policy", tag = "oncall",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)),
    request_body = ServicePolicyBody, responses(
    (status = 200, body = ServiceView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn set_policy(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ServiceId>,
    extract::Json(body): extract::Json<ServicePolicyBody>,
) -> Result<Versioned<ServiceView>, ApiError> {
    let current = catalog::get_service(state.store.reader(), id).await?;
    authorize_owner(&caller, current.team_id)?;
    let policy = body.policy_id.map(EscalationPolicyId);
    let (actor, now) = (caller.actor(), state.clock.now());
    state
        .store
        .write(move |tx| {
            Box::pin(
                async move { escalation::set_service_policy(tx, id, policy, &actor, now).await },
            )
        })
        .await?;
    Ok(versioned(
        catalog::get_service(state.store.reader(), id).await?,
    ))
}

/// The service's routing rules, in order; the ETag is their version (0 until first written).
#[utoipa::path(get, path = "/api/v1/services/{id}/escalation-routes", tag = "oncall",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)), responses(
    (status = 200, body = Object, headers(("ETag" = String)), description = "`{rules: [{name, \
        conditions, severity_at_least, active: {days, start, end, time_zone}, policy_id}]}`"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn get_routes(
    State(state): State<AppState>,
    PathId(id): PathId<ServiceId>,
) -> Result<Versioned<RoutingRules>, ApiError> {
    let (body, version) = escalation::get_routes(state.store.reader(), id).await?;
    Ok(Versioned { version, body })
}

/// Replace the service's routing rules: the first rule whose conditions (matchers over the
/// alert's fields), minimum severity and weekly window all match chooses the policy. Send
/// `If-Match` with the ETag read to refuse overwriting someone else's change (412).
#[utoipa::path(put, path = "/api/v1/services/{id}/escalation-routes", tag = "oncall",
    security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("If-Match" = Option<String>, Header)),
    request_body(content = Object, description = "`{rules: [{name, conditions, \
        severity_at_least, active, policy_id}]}`"), responses(
    (status = 200, body = Object, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put_routes(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ServiceId>,
    IfMatch(expected): IfMatch,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Versioned<RoutingRules>, ApiError> {
    let current = catalog::get_service(state.store.reader(), id).await?;
    authorize_owner(&caller, current.team_id)?;
    let routes = from_json::<RoutingRules>(body)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    let (body, version) = state
        .store
        .write(move |tx| {
            Box::pin(
                async move { escalation::put_routes(tx, id, routes, expected, &actor, now).await },
            )
        })
        .await?;
    Ok(Versioned { version, body })
}
