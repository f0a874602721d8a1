//! The automatic priority: assessed by the policy when an incident opens (one read for the
//! policy and the service's tier) and again when its impact inputs change, unless a priority was
//! set by hand or a temporary P1 runs. The trail of rules that set it is stored and put on the
//! timeline; a major incident criterion met marks the incident major. The urgency comes from the
//! severity unless set by hand with the impact.
use jiff::Timestamp;
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::id::{IncidentId, ServiceId};
use tocsin_domain::priority::{AssessInput, Assessment, ImpactInputs, Level, PriorityPolicy};

use super::{POLICY_SCOPE, event, from_rank, mark_major_then_run_plans, parse_policy};
use crate::error::StoreError;
use crate::time::to_micros;
use crate::tx::Tx;

/// Who automatic decisions are recorded as.
pub(crate) const SYSTEM: &str = "system:tocsin";

const OPEN_CONTEXT: &str = "SELECT s.tier, \
    (SELECT definition FROM alerting_config WHERE scope = $2) FROM services s WHERE s.id = $1";
const IMPACT_CONTEXT: &str = "SELECT i.severity, s.tier, i.priority_source, i.priority, \
    (SELECT definition FROM alerting_config WHERE scope = $2) \
    FROM incidents i JOIN services s ON s.id = i.service_id WHERE i.id = $1";
const WRITE_AUTO: &str = "UPDATE incidents SET priority = $2, priority_reason = $3, \
    priority_source = 'auto', initial_priority = COALESCE(initial_priority, $2), updated_at = $4 \
    WHERE id = $1";
const WRITE_IMPACT: &str = "UPDATE incidents SET customers_affected = $2, \
    revenue_per_hour_minor = $3, regulatory_exposure = $4, urgency = $5, updated_at = $6 \
    WHERE id = $1";

fn tier(tier: Option<i64>) -> Option<u8> {
    tier.and_then(|t| u8::try_from(t).ok())
}

/// Stores an automatic priority with its trail, appends `incident.priority_set`, and marks the
/// incident major when a criterion is met.
async fn write_auto(
    tx: &mut Tx,
    id: IncidentId,
    assessment: &Assessment,
    why: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let priority = i64::from(assessment.priority.rank());
    let trail = serde_json::to_string(&assessment.trail)
        .map_err(|e| StoreError::Corrupt(format!("priority trail: {e}")))?;
    tx.execute(
        WRITE_AUTO,
        crate::args![id.0, priority, trail, to_micros(at)],
    )
    .await?;
    let payload = serde_json::json!({
        "priority": assessment.priority,
        "source": "auto",
        "impact": assessment.impact,
        "urgency": assessment.urgency,
        "matrix_priority": assessment.matrix_priority,
        "trail": assessment.trail,
        "reason": format!("{why}: {} ({})", assessment.priority, assessment.trail.join("; ")),
    });
    tx.append(event(id, "incident.priority_set", SYSTEM, at, payload))
        .await?;
    mark_major_then_run_plans(tx, id, assessment.major.clone(), SYSTEM, at).await
}

/// A newly opened incident: its automatic priority from its severity and service tier, then
/// auto-triage when the policy has it on.
pub(crate) async fn on_open(
    tx: &mut Tx,
    id: IncidentId,
    service: ServiceId,
    title: &str,
    severity: Severity,
    at: Timestamp,
) -> Result<(), StoreError> {
    let row: Option<(i64, Option<String>)> = tx
        .fetch_optional(OPEN_CONTEXT, crate::args![service.0, POLICY_SCOPE])
        .await?;
    let (service_tier, text) = row.map_or((None, None), |(t, text)| (tier(Some(t)), text));
    let policy = parse_policy(text.as_deref())?;
    let inputs = ImpactInputs {
        service_tier,
        ..ImpactInputs::default()
    };
    let assessment = policy.assess(&AssessInput {
        severity,
        urgency_by_hand: None,
        inputs,
        at,
    });
    write_auto(tx, id, &assessment, "automatic priority on opening", at).await?;
    if policy.auto_triage {
        super::triage::run(tx, id, service, title, &policy, at).await?;
    }
    Ok(())
}

/// New business impact inputs for an incident.
#[derive(Debug, Clone)]
pub struct ImpactChange {
    pub customers_affected: Option<i64>,
    pub revenue_per_hour_minor: Option<i64>,
    pub regulatory_exposure: bool,
    /// The urgency set by hand; `None`: from the severity.
    pub urgency: Option<Level>,
    pub reason: String,
}

/// Records an incident's impact inputs (`incident.impact_set`) and recomputes its automatic
/// priority, unless its priority was set by hand or a temporary P1 runs (those are kept; the
/// major incident criteria are still checked).
pub async fn set_impact(
    tx: &mut Tx,
    id: IncidentId,
    change: ImpactChange,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    type Row = (String, i64, Option<String>, Option<i64>, Option<String>);
    let row: Option<Row> = tx
        .fetch_optional(IMPACT_CONTEXT, crate::args![id.0, POLICY_SCOPE])
        .await?;
    let (severity, service_tier, source, current, text) =
        row.ok_or(StoreError::NotFound("incident"))?;
    let severity: Severity = severity
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("incident {id} has severity {severity:?}")))?;
    let policy: PriorityPolicy = parse_policy(text.as_deref())?;
    let inputs = ImpactInputs {
        customers_affected: change.customers_affected,
        revenue_per_hour_minor: change.revenue_per_hour_minor,
        service_tier: tier(Some(service_tier)),
        regulatory_exposure: change.regulatory_exposure,
    };
    tx.execute(
        WRITE_IMPACT,
        crate::args![
            id.0,
            change.customers_affected,
            change.revenue_per_hour_minor,
            i64::from(change.regulatory_exposure),
            change.urgency.map(|u| i64::from(u.get())),
            to_micros(at)
        ],
    )
    .await?;
    let kept = matches!(source.as_deref(), Some("manual" | "temporary"));
    let payload = serde_json::json!({
        "customers_affected": change.customers_affected,
        "revenue_per_hour_minor": change.revenue_per_hour_minor,
        "regulatory_exposure": change.regulatory_exposure,
        "urgency": change.urgency,
        "reason": if kept {
            format!("{} (the priority set by hand is kept)", change.reason)
        } else {
            change.reason.clone()
        },
    });
    tx.append(event(id, "incident.impact_set", actor, at, payload))
        .await?;
    if kept {
        let current = from_rank(id.0, current)?;
        let criterion = current.and_then(|p| policy.major.matched(p, &inputs));
        return mark_major_then_run_plans(tx, id, criterion, SYSTEM, at).await;
    }
    let assessment = policy.assess(&AssessInput {
        severity,
        urgency_by_hand: change.urgency,
        inputs,
        at,
    });
    write_auto(
        tx,
        id,
        &assessment,
        "automatic priority after an impact change",
        at,
    )
    .await
}
