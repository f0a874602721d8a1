//! An incident's cost now, from its role holdings, participants, impact milestones and revenue
//! impact, priced by the cost policy (a configuration document; the defaults until written).
use jiff::Timestamp;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::cost::{self, Cost, CostPolicy, Stretch};
use tocsin_domain::incident::milestones::Milestone;

use crate::Reader;
use crate::error::StoreError;
use crate::tx::Tx;

/// Where the cost policy is stored among the configuration documents.
pub const COST_POLICY_SCOPE: &str = "incident_cost";

/// The cost policy as stored (the defaults when never written) and its version.
pub async fn cost_policy(reader: Reader<'_>) -> Result<(CostPolicy, i64), StoreError> {
    crate::orchestration::config::get_typed(reader, COST_POLICY_SCOPE).await
}

/// Stores a validated cost policy (If-Match via `if_version`); answers its new version.
pub async fn put_cost_policy(
    tx: &mut Tx,
    policy: &CostPolicy,
    if_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<i64, StoreError> {
    crate::orchestration::config::put_typed(tx, COST_POLICY_SCOPE, policy, if_version, actor, at)
        .await
}

/// The incident's cost at `now`: people's time runs until it resolves (or now), impact from its
/// impact start until mitigated, else resolved, else now.
pub async fn cost(reader: Reader<'_>, id: IncidentId, now: Timestamp) -> Result<Cost, StoreError> {
    let incident = super::get(reader, id).await?;
    let end = if incident.status.is_open() {
        now
    } else {
        incident
            .resolved_at
            .or(incident.closed_at)
            .unwrap_or(incident.updated_at)
            .min(now)
    };
    let holdings = super::role_assignments(reader, id).await?;
    let mut stretches: Vec<Stretch> = holdings
        .iter()
        .map(|holding| Stretch {
            role: Some(holding.role.clone()),
            from: holding.started_at,
            to: holding.ended_at.unwrap_or(end).min(end),
        })
        .collect();
    for participant in super::participants(reader, id).await? {
        if !holdings.iter().any(|h| h.user_id == participant.user_id) {
            stretches.push(Stretch {
                role: None,
                from: participant.joined_at,
                to: end,
            });
        }
    }
    let milestones = super::milestones(reader, id).await?;
    let at = |wanted: Milestone| {
        milestones
            .iter()
            .find(|(m, _)| *m == wanted)
            .and_then(|(_, time)| time.at)
    };
    let impact = at(Milestone::ImpactStarted).map(|from| {
        let to = at(Milestone::Mitigated)
            .or(at(Milestone::Resolved))
            .unwrap_or(now)
            .min(now);
        (from, to)
    });
    let (policy, _) = cost_policy(reader).await?;
    Ok(cost::cost(
        &policy,
        &stretches,
        incident.classification.revenue_per_hour_minor,
        impact,
    ))
}
