//! Changes made by hand: a priority set with a reason (it stays until changed by hand again; a
//! running temporary P1 ends), and a classification (category and attribution from the current
//! taxonomy, its version recorded, the first classification kept as the initial one).
use jiff::Timestamp;
use tocsin_domain::error::{Collector, FieldError};
use tocsin_domain::id::IncidentId;
use tocsin_domain::priority::{ImpactInputs, Priority};

use super::{POLICY_SCOPE, event, from_rank, mark_major_then_run_plans, parse_policy};
use crate::error::StoreError;
use crate::time::to_micros;
use crate::tx::Tx;

const STATE: &str = "SELECT i.priority, i.customers_affected, i.revenue_per_hour_minor, \
    i.regulatory_exposure, s.tier, (SELECT definition FROM alerting_config WHERE scope = $2) \
    FROM incidents i JOIN services s ON s.id = i.service_id WHERE i.id = $1";
const SET_MANUAL: &str = "UPDATE incidents SET priority = $2, priority_reason = $3, \
    priority_source = 'manual', initial_priority = COALESCE(initial_priority, $2), \
    temporary_p1_until = NULL, temporary_p1_previous = NULL, temporary_p1_previous_source = NULL, \
    updated_at = $4 WHERE id = $1";

/// Marks the incident major when the policy's criteria are met at `priority` with its stored
/// impact inputs.
pub(crate) async fn check_major(
    tx: &mut Tx,
    id: IncidentId,
    priority: Priority,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    type Row = (
        Option<i64>,
        Option<i64>,
        Option<i64>,
        i64,
        i64,
        Option<String>,
    );
    let row: Option<Row> = tx
        .fetch_optional(STATE, crate::args![id.0, POLICY_SCOPE])
        .await?;
    let (_, customers, revenue, regulatory, tier, text) =
        row.ok_or(StoreError::NotFound("incident"))?;
    let policy = parse_policy(text.as_deref())?;
    let inputs = ImpactInputs {
        customers_affected: customers,
        revenue_per_hour_minor: revenue,
        service_tier: u8::try_from(tier).ok(),
        regulatory_exposure: regulatory != 0,
    };
    let criterion = policy.major.matched(priority, &inputs);
    mark_major_then_run_plans(tx, id, criterion, actor, at).await
}

/// Sets an incident's priority by hand, with a reason: `incident.priority_set` (source manual).
pub async fn set_priority(
    tx: &mut Tx,
    id: IncidentId,
    priority: Priority,
    reason: &str,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let previous: Option<(Option<i64>,)> = tx
        .fetch_optional(
            "SELECT priority FROM incidents WHERE id = $1",
            crate::args![id.0],
        )
        .await?;
    let (previous,) = previous.ok_or(StoreError::NotFound("incident"))?;
    let previous = from_rank(id.0, previous)?;
    let trail = vec![format!("set by hand by {actor}: {reason}")];
    let trail_text = serde_json::to_string(&trail)
        .map_err(|e| StoreError::Corrupt(format!("priority trail: {e}")))?;
    tx.execute(
        SET_MANUAL,
        crate::args![id.0, i64::from(priority.rank()), trail_text, to_micros(at)],
    )
    .await?;
    let payload = serde_json::json!({
        "priority": priority, "previous": previous, "source": "manual", "trail": trail,
        "reason": reason,
    });
    tx.append(event(id, "incident.priority_set", actor, at, payload))
        .await?;
    check_major(tx, id, priority, actor, at).await
}

const CLASSIFY: &str = "UPDATE incidents SET category = $2, attribution = $3, \
    taxonomy_version = $4, initial_category = COALESCE(initial_category, $2), \
    triage_state = CASE WHEN triage_state = 'needs_review' THEN 'reviewed' ELSE triage_state END, \
    updated_at = $5 WHERE id = $1";

/// Classifies an incident by hand from the current taxonomy: `incident.classified` with the
/// taxonomy version, the previous category and the reason. An incident waiting for review
/// leaves the queue.
pub async fn classify(
    tx: &mut Tx,
    id: IncidentId,
    category: &str,
    attribution: Option<&str>,
    reason: &str,
    actor: &str,
    at: Timestamp,
) -> Result<i64, StoreError> {
    let previous: Option<Option<String>> = tx
        .fetch_optional::<(Option<String>,)>(
            "SELECT category FROM incidents WHERE id = $1",
            crate::args![id.0],
        )
        .await?
        .map(|(c,)| c);
    let previous = previous.ok_or(StoreError::NotFound("incident"))?;
    let (version, taxonomy) = super::taxonomy::current_in(tx).await?;
    let mut problems = Collector::default();
    if !taxonomy.has_category(category) {
        problems.push(FieldError::new(
            "/category",
            format!("taxonomy version {version} has no category {category:?}"),
        ));
    }
    if let Some(attribution) = attribution
        && !taxonomy.has_attribution(attribution)
    {
        problems.push(FieldError::new(
            "/attribution",
            format!("taxonomy version {version} has no attribution {attribution:?}"),
        ));
    }
    problems.finish()?;
    tx.execute(
        CLASSIFY,
        crate::args![id.0, category, attribution, version, to_micros(at)],
    )
    .await?;
    let payload = serde_json::json!({
        "category": category, "attribution": attribution, "taxonomy_version": version,
        "previous_category": previous, "source": "manual", "reason": reason,
    });
    tx.append(event(id, "incident.classified", actor, at, payload))
        .await?;
    Ok(version)
}
