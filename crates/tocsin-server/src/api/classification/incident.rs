//! An incident's impact inputs, priority set by hand, classification and temporary P1. Each
//! loads the incident through `visible_incident`, writes one transaction (events with the reason
//! on the incident's timeline) and answers the incident as it now is.
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use tocsin_domain::access::Action;
use tocsin_domain::id::IncidentId;
use tocsin_domain::priority::{Level, Priority};
use tocsin_store::classification::{self, ImpactChange};
use tocsin_store::{StoreError, Tx, catalog, incident};

use crate::api::common::conflict_at;
use crate::api::incidents::{IncidentView, visible_incident};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{self, PathId};
use crate::state::AppState;

/// The longest a temporary P1 may run: one day.
pub const MAX_TEMPORARY_MINUTES: i64 = 24 * 60;

/// Refuses negative impact figures.
pub(super) fn check_impact(customers: Option<i64>, revenue: Option<i64>) -> Result<(), ApiError> {
    if customers.is_some_and(|n| n < 0) {
        return Err(ApiError::field(
            "/customers_affected",
            "must not be negative",
        ));
    }
    if revenue.is_some_and(|n| n < 0) {
        return Err(ApiError::field(
            "/revenue_per_hour_minor",
            "must not be negative",
        ));
    }
    Ok(())
}

fn reason_of(reason: &str) -> Result<String, ApiError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(ApiError::field("/reason", "must be 1 to 1000 characters"));
    }
    Ok(reason.to_owned())
}

/// Runs `op` in one write as the caller, then answers the incident.
async fn write_then_view<F>(
    state: &AppState,
    id: IncidentId,
    op: F,
) -> Result<Json<IncidentView>, ApiError>
where
    F: for<'t> FnOnce(&'t mut Tx) -> tocsin_store::TxFuture<'t, ()> + Send + 'static,
{
    state.store.write(op).await.map_err(conflict_at(""))?;
    Ok(Json(incident::get(state.store.reader(), id).await?.into()))
}

/// An incident's business impact.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpactInput {
    #[serde(default)]
    pub customers_affected: Option<i64>,
    /// Revenue at risk per hour, in minor units (cents).
    #[serde(default)]
    pub revenue_per_hour_minor: Option<i64>,
    #[serde(default)]
    pub regulatory_exposure: bool,
    /// The urgency by hand, 1 (high) to 3 (low); absent: from the severity.
    #[serde(default)]
    pub urgency: Option<u8>,
    /// Why (on the timeline); "impact updated" when absent.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Set an incident's impact inputs (and, optionally, its urgency by hand): its automatic priority is recomputed with the rule trail
/// (unless a priority was set by hand or a temporary P1 runs), and the major incident criteria
/// are checked.
#[utoipa::path(put, path = "/api/v1/incidents/{id}/impact", tag = "incidents",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)),
    request_body = ImpactInput, responses(
    (status = 200, body = IncidentView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn impact(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<ImpactInput>,
) -> Result<Json<IncidentView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    check_impact(input.customers_affected, input.revenue_per_hour_minor)?;
    let reason = match input.reason.as_deref() {
        Some(reason) => reason_of(reason)?,
        None => "impact updated".to_owned(),
    };
    let urgency = input
        .urgency
        .map(Level::try_from)
        .transpose()
        .map_err(|e| ApiError::field("/urgency", e))?;
    let change = ImpactChange {
        urgency,
        customers_affected: input.customers_affected,
        revenue_per_hour_minor: input.revenue_per_hour_minor,
        regulatory_exposure: input.regulatory_exposure,
        reason,
    };
    let (actor, now) = (caller.actor(), state.clock.now());
    write_then_view(&state, id, move |tx| {
        Box::pin(async move { classification::set_impact(tx, id, change, &actor, now).await })
    })
    .await
}

/// A priority set by hand.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityInput {
    /// P1 to P5.
    pub priority: String,
    pub reason: String,
}

/// Set an incident's priority by hand, with a reason. It stays until set by hand again (impact
/// changes no longer recompute it); a running temporary P1 ends.
#[utoipa::path(put, path = "/api/v1/incidents/{id}/priority", tag = "incidents",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)),
    request_body = PriorityInput, responses(
    (status = 200, body = IncidentView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn priority(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<PriorityInput>,
) -> Result<Json<IncidentView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let priority: Priority = serde_json::from_value(input.priority.into())
        .map_err(|_| ApiError::field("/priority", "must be P1, P2, P3, P4 or P5"))?;
    let reason = reason_of(&input.reason)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    write_then_view(&state, id, move |tx| {
        Box::pin(async move {
            classification::set_priority(tx, id, priority, &reason, &actor, now).await
        })
    })
    .await
}

/// A classification from the current taxonomy.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassificationInput {
    /// A category slug of the current taxonomy.
    pub category: String,
    /// An attribution slug of the current taxonomy.
    #[serde(default)]
    pub attribution: Option<String>,
    /// Why (on the timeline); "classified" when absent.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Classify an incident: category and attribution from the current taxonomy, whose version is
/// recorded; the first classification stays as the initial one. An incident waiting for triage
/// review leaves the queue.
#[utoipa::path(put, path = "/api/v1/incidents/{id}/classification", tag = "incidents",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)),
    request_body = ClassificationInput, responses(
    (status = 200, body = IncidentView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn classification(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<ClassificationInput>,
) -> Result<Json<IncidentView>, ApiError> {
    visible_incident(&state, &caller, id).await?;
    let reason = match input.reason.as_deref() {
        Some(reason) => reason_of(reason)?,
        None => "classified".to_owned(),
    };
    let (actor, now) = (caller.actor(), state.clock.now());
    write_then_view(&state, id, move |tx| {
        Box::pin(async move {
            let attribution = input.attribution.as_deref();
            classification::classify(tx, id, &input.category, attribution, &reason, &actor, now)
                .await
                .map(drop)
        })
    })
    .await
}

/// A temporary P1.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemporaryP1Input {
    /// How long, 1 to 1440 minutes; it reverts at expiry unless confirmed.
    pub minutes: i64,
    pub reason: String,
}

/// A confirmation of a temporary P1.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmInput {
    pub reason: String,
}

/// Asks the policy whether the caller holds the temporary P1 authority for the incident's
/// service (managers, and managers of the team owning the service).
async fn authorize_temporary(
    state: &AppState,
    caller: &Caller,
    id: IncidentId,
) -> Result<(), ApiError> {
    let incident = visible_incident(state, caller, id).await?;
    let service = catalog::get_service(state.store.reader(), incident.service_id).await;
    let team = match service {
        Ok(service) => service.team_id,
        Err(StoreError::NotFound(_)) => None,
        Err(other) => return Err(other.into()),
    };
    caller.authorize(Action::RaiseTemporaryP1(team))
}

/// Raise an uncertain incident to P1 for a limited time (the pre-approved authority: managers,
/// and managers of the service's team). It reverts to its previous priority at expiry unless
/// confirmed. 409 when it is already P1 or a temporary P1 runs.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/temporary-p1", tag = "incidents",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)),
    request_body = TemporaryP1Input, responses(
    (status = 200, body = IncidentView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn temporary_p1(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<TemporaryP1Input>,
) -> Result<Json<IncidentView>, ApiError> {
    authorize_temporary(&state, &caller, id).await?;
    if !(1..=MAX_TEMPORARY_MINUTES).contains(&input.minutes) {
        return Err(ApiError::field(
            "/minutes",
            format!("must be from 1 to {MAX_TEMPORARY_MINUTES}"),
        ));
    }
    let reason = reason_of(&input.reason)?;
    let (actor, now, minutes) = (caller.actor(), state.clock.now(), input.minutes);
    write_then_view(&state, id, move |tx| {
        Box::pin(async move {
            classification::start_temporary_p1(tx, id, minutes, &reason, &actor, now)
                .await
                .map(drop)
        })
    })
    .await
}

/// Confirm a running temporary P1: it stays P1, as set by hand. 409 when none runs.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/temporary-p1/confirm", tag = "incidents",
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid)),
    request_body = ConfirmInput, responses(
    (status = 200, body = IncidentView),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 404, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 409, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn confirm_temporary_p1(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<IncidentId>,
    extract::Json(input): extract::Json<ConfirmInput>,
) -> Result<Json<IncidentView>, ApiError> {
    authorize_temporary(&state, &caller, id).await?;
    let reason = reason_of(&input.reason)?;
    let (actor, now) = (caller.actor(), state.clock.now());
    write_then_view(&state, id, move |tx| {
        Box::pin(
            async move { classification::confirm_temporary_p1(tx, id, &reason, &actor, now).await },
        )
    })
    .await
}
