//! Incident classification and priority: the priority policy (one configuration document under
//! the alerting configuration scope `priority_policy`), the automatic priority and auto-triage
//! when an incident opens or its impact changes, manual priority and classification, temporary
//! P1s that revert unless confirmed, taxonomy versions (proposed, approved by a second admin),
//! the triage review queue and classification accuracy. Every change to an incident is an event
//! on its timeline, with its reason, in the transaction that updates the projection.
mod assess;
mod manual;
mod reports;
pub mod taxonomy;
mod temporary;
mod triage;

use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::id::IncidentId;
use tocsin_domain::priority::{Priority, PriorityPolicy, Suggestion};

use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;

pub(crate) use assess::on_open;
pub use assess::{ImpactChange, set_impact};
pub use manual::{classify, set_priority};
pub use reports::{AccuracyRow, accuracy};
pub use temporary::{
    TEMPORARY_BATCH, confirm_temporary_p1, next_temporary_p1_due, revert_due_temporary_p1,
    start_temporary_p1,
};

/// The alerting configuration scope the priority policy is stored under.
pub const POLICY_SCOPE: &str = "priority_policy";

/// An incident's classification and priority, as stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Classification {
    pub priority: Option<Priority>,
    /// How the priority was reached: the impact threshold, urgency, matrix cell and every dynamic
    /// rule; or who set it by hand and why.
    pub priority_reason: Vec<String>,
    /// auto, manual or temporary.
    pub priority_source: Option<String>,
    pub category: Option<String>,
    pub attribution: Option<String>,
    /// The taxonomy version the category and attribution were chosen from (0: the default).
    pub taxonomy_version: Option<i64>,
    pub initial_priority: Option<Priority>,
    pub initial_category: Option<String>,
    pub is_major: bool,
    pub major_reason: Option<String>,
    pub temporary_p1_until: Option<Timestamp>,
    pub temporary_p1_previous: Option<Priority>,
    /// none, applied, needs_review or reviewed.
    pub triage_state: String,
    pub triage_suggestion: Option<Suggestion>,
    pub customers_affected: Option<i64>,
    pub revenue_per_hour_minor: Option<i64>,
    pub regulatory_exposure: bool,
    /// The urgency set by hand (1 high .. 3 low); `None`: from the severity.
    pub urgency: Option<i64>,
}

/// The policy document's text parsed (the defaults when never written).
pub(crate) fn parse_policy(text: Option<&str>) -> Result<PriorityPolicy, StoreError> {
    match text {
        None => Ok(PriorityPolicy::default()),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| StoreError::Corrupt(format!("priority policy: {e}"))),
    }
}

/// The priority policy as stored (the defaults when never written) and its version.
pub async fn policy(reader: Reader<'_>) -> Result<(PriorityPolicy, i64), StoreError> {
    crate::orchestration::config::get_typed(reader, POLICY_SCOPE).await
}

/// Stores a validated policy (If-Match via `if_version`); answers its new version.
pub async fn put_policy(
    tx: &mut crate::Tx,
    policy: &PriorityPolicy,
    if_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<i64, StoreError> {
    crate::orchestration::config::put_typed(tx, POLICY_SCOPE, policy, if_version, actor, at).await
}

pub(crate) fn event(
    id: IncidentId,
    kind: &'static str,
    actor: &str,
    at: Timestamp,
    payload: serde_json::Value,
) -> NewEvent {
    NewEvent::new("incident", id.0, kind, actor, at, payload)
}

pub(crate) fn from_rank(id: uuid::Uuid, rank: Option<i64>) -> Result<Option<Priority>, StoreError> {
    rank.map(|r| {
        Priority::from_rank(r)
            .ok_or_else(|| StoreError::Corrupt(format!("incident {id} has priority rank {r}")))
    })
    .transpose()
}

/// After every priority change: marks the incident major when a criterion is met and it is not
/// major yet (`incident.marked_major` naming the criterion), then runs the response plans whose
/// trigger now holds.
pub(crate) async fn mark_major_then_run_plans(
    tx: &mut crate::Tx,
    id: IncidentId,
    criterion: Option<String>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    if let Some(criterion) = criterion {
        mark_major(tx, id, &criterion, actor, at).await?;
    }
    crate::incident::run_due_response_plans(tx, id, at).await?;
    Ok(())
}

async fn mark_major(
    tx: &mut crate::Tx,
    id: IncidentId,
    criterion: &str,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let changed = tx
        .execute(
            "UPDATE incidents SET is_major = 1, major_reason = $2, updated_at = $3 \
             WHERE id = $1 AND is_major = 0",
            crate::args![id.0, criterion.to_owned(), crate::time::to_micros(at)],
        )
        .await?;
    if changed > 0 {
        let payload = serde_json::json!({
            "criterion": criterion,
            "reason": format!("major incident criterion met: {criterion}"),
        });
        tx.append(event(id, "incident.marked_major", actor, at, payload))
            .await?;
    }
    Ok(())
}
