//! `/api/v1/priority-policy`: the priority policy as one versioned document (ETag / If-Match),
//! changed by admins and read by observers; and a preview answering the priority some inputs
//! would get, with the rule trail, writing nothing.
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::priority::{AssessInput, ImpactInputs, Level, PriorityPolicy};
use tocsin_domain::{FieldError, ValidationError};
use tocsin_store::classification;

use crate::api::common::{Versioned, document_view, parse_document};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{self, IfMatch};
use crate::state::AppState;

/// The priority policy and its version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PolicyView {
    /// `{matrix, impact, urgency, rules, calendar, major, symptom_rules, auto_triage,
    /// auto_apply_confidence}` (see docs/incident-response.md).
    #[schema(value_type = Object)]
    pub policy: serde_json::Value,
    /// 0 until first written; send it back as `If-Match` to refuse a lost update.
    pub version: i64,
}

fn view(policy: &PriorityPolicy, version: i64) -> Result<Versioned<PolicyView>, ApiError> {
    document_view(policy, version, |policy, version| PolicyView {
        policy,
        version,
    })
}

/// The priority policy (the ITIL defaults until set).
#[utoipa::path(get, path = "/api/v1/priority-policy", tag = "incidents", security(("bearer" = [])),
    responses((status = 200, body = PolicyView, headers(("ETag" = String)))))]
pub async fn get(State(state): State<AppState>) -> Result<Versioned<PolicyView>, ApiError> {
    let (policy, version) = classification::policy(state.store.reader()).await?;
    view(&policy, version)
}

/// Replace the priority policy (admins). Absent members take their defaults; unknown members
/// and bad values (a symptom rule's category not in the current taxonomy, too) are refused,
/// naming the field. Applies to incidents opened or re-assessed
/// from now on.
#[utoipa::path(put, path = "/api/v1/priority-policy", tag = "incidents", security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header)),
    request_body(content = Object, description = "the priority policy"), responses(
    (status = 200, body = PolicyView, headers(("ETag" = String))),
    (status = 403, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 412, body = crate::error::ProblemBody, content_type = "application/problem+json"),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    IfMatch(expected): IfMatch,
    extract::Json(body): extract::Json<serde_json::Value>,
) -> Result<Versioned<PolicyView>, ApiError> {
    let policy: PriorityPolicy = parse_document(body)?;
    // Symptom rules name categories of the current taxonomy.
    let (version, taxonomy) = classification::taxonomy::current(state.store.reader()).await?;
    let unknown: Vec<FieldError> = policy
        .symptom_rules
        .iter()
        .enumerate()
        .filter(|(_, rule)| !taxonomy.has_category(&rule.category))
        .map(|(index, rule)| {
            FieldError::new(
                format!("/symptom_rules/{index}/category"),
                format!(
                    "taxonomy version {version} has no category {:?}",
                    rule.category
                ),
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ValidationError(unknown).into());
    }
    let (actor, now) = (caller.actor(), state.clock.now());
    let stored = policy.clone();
    let version = state
        .store
        .write(move |tx| {
            Box::pin(
                async move { classification::put_policy(tx, &stored, expected, &actor, now).await },
            )
        })
        .await?;
    view(&policy, version)
}

/// What to preview the priority of.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewInput {
    /// critical, error, warning or info.
    pub severity: String,
    /// 1 (high) to 3 (low), instead of the severity's urgency.
    #[serde(default)]
    pub urgency: Option<u8>,
    #[serde(default)]
    pub customers_affected: Option<i64>,
    #[serde(default)]
    pub revenue_per_hour_minor: Option<i64>,
    /// 1 (most critical) to 4.
    #[serde(default)]
    pub service_tier: Option<u8>,
    #[serde(default)]
    pub regulatory_exposure: bool,
    /// The instant rules are evaluated at (now when absent).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<jiff::Timestamp>,
}

/// A previewed priority.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewView {
    pub priority: String,
    pub matrix_priority: String,
    pub impact: u8,
    pub urgency: u8,
    pub trail: Vec<String>,
    /// The major incident criterion met, if any.
    pub major: Option<String>,
}

/// The priority the current policy gives these inputs, with the rule trail (writes nothing).
#[utoipa::path(post, path = "/api/v1/priority-policy/preview", tag = "incidents",
    security(("bearer" = [])), request_body = PreviewInput, responses(
    (status = 200, body = PreviewView),
    (status = 422, body = crate::error::ProblemBody, content_type = "application/problem+json"),
))]
pub async fn preview(
    State(state): State<AppState>,
    extract::Json(input): extract::Json<PreviewInput>,
) -> Result<Json<PreviewView>, ApiError> {
    let severity: Severity = input
        .severity
        .parse()
        .map_err(|_| ApiError::field("/severity", "must be critical, error, warning or info"))?;
    let urgency = input
        .urgency
        .map(Level::try_from)
        .transpose()
        .map_err(|e| ApiError::field("/urgency", e))?;
    if input.service_tier.is_some_and(|t| !(1..=4).contains(&t)) {
        return Err(ApiError::field(
            "/service_tier",
            "must be a tier from 1 to 4",
        ));
    }
    super::incident::check_impact(input.customers_affected, input.revenue_per_hour_minor)?;
    let (policy, _) = classification::policy(state.store.reader()).await?;
    let assessment = policy.assess(&AssessInput {
        severity,
        urgency_by_hand: urgency,
        inputs: ImpactInputs {
            customers_affected: input.customers_affected,
            revenue_per_hour_minor: input.revenue_per_hour_minor,
            service_tier: input.service_tier,
            regulatory_exposure: input.regulatory_exposure,
        },
        at: input.at.unwrap_or_else(|| state.clock.now()),
    });
    Ok(Json(PreviewView {
        priority: assessment.priority.to_string(),
        matrix_priority: assessment.matrix_priority.to_string(),
        impact: assessment.impact.get(),
        urgency: assessment.urgency.get(),
        trail: assessment.trail,
        major: assessment.major,
    }))
}
