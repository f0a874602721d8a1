//! What an incident commander does by hand: escalate to the next level now (also when the
//! incident is acknowledged or its policy was exhausted), or reassign it to named people, who
//! are paged at once. Both put an acknowledged incident back to triggered.
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::id::{EscalationPolicyId, IncidentId, UserId};
use tocsin_domain::paging::{NextTimer, Position, TimerKind, urgency_for};

use super::process::{append, load_incident, queue_pages, shape_of};
use super::timers;
use crate::error::StoreError;
use crate::escalation;
use crate::time::to_micros;
use crate::tx::Tx;

/// Escalates `incident` to its policy's next level now; answers the level it goes to.
pub async fn escalate(
    tx: &mut Tx,
    incident: IncidentId,
    actor: &str,
    at: Timestamp,
) -> Result<u32, StoreError> {
    let paged = load_incident(tx, incident)
        .await?
        .ok_or(StoreError::NotFound("incident"))?;
    refuse_unless_open(paged.phase)?;
    let timer = timers::of_incident(tx, incident).await?;
    let target = match timer {
        // Armed for its next step: that step becomes due now.
        Some((TimerKind::Step, policy, position, Some(_))) => (policy, position),
        // Idle or waiting out an acknowledgement: the level after the one it stands at, or the
        // top of a new cycle when the policy has no further step.
        Some((_, Some(policy), position, _)) => {
            let next = match escalation::load_policy(tx, EscalationPolicyId(policy)).await {
                Ok(stored) => shape_of(&stored.policy).next_position(position),
                Err(StoreError::NotFound(_)) => None,
                Err(error) => return Err(error),
            };
            (
                Some(policy),
                next.unwrap_or(Position::start_of(position.cycle + 1)),
            )
        }
        Some((_, None, position, _)) => (None, position),
        None => (None, Position::start_of(0)),
    };
    let (policy, position) = target;
    put_back_to_triggered(tx, incident, at).await?;
    let next = NextTimer {
        kind: TimerKind::Step,
        position,
        due_at: at,
    };
    timers::set(tx, incident, policy, next, at).await?;
    append(
        tx,
        incident,
        "incident.escalated_by_hand",
        at,
        json!({ "actor": actor, "level": position.level() }),
    )
    .await?;
    Ok(position.level())
}

/// Reassigns `incident` to `users`, paging each of them now (their notification rules apply);
/// escalation continues from where it stands. Answers how many pages were queued.
pub async fn reassign(
    tx: &mut Tx,
    incident: IncidentId,
    users: &[UserId],
    actor: &str,
    at: Timestamp,
) -> Result<usize, StoreError> {
    let paged = load_incident(tx, incident)
        .await?
        .ok_or(StoreError::NotFound("incident"))?;
    refuse_unless_open(paged.phase)?;
    put_back_to_triggered(tx, incident, at).await?;
    let reason = format!("reassigned by {actor}");
    let targets: Vec<_> = users.iter().map(|user| (*user, reason.clone())).collect();
    let step_key = format!("reassign.{}", to_micros(at));
    let urgency = urgency_for(paged.severity);
    let (people, queued) = queue_pages(tx, incident, &targets, &step_key, urgency, at).await?;
    append(
        tx,
        incident,
        "incident.reassigned",
        at,
        json!({ "actor": actor, "users": people, "notifications_queued": queued }),
    )
    .await?;
    Ok(queued)
}

/// Pages `users` to join `incident` now (a response plan calling in legal or HR): their
/// notification rules apply; the incident's status and escalation stay as they are. A closed
/// incident pages nobody. Answers the people paged and how many notifications were queued.
pub async fn page_responders(
    tx: &mut Tx,
    incident: IncidentId,
    users: &[UserId],
    reason: &str,
    step_key: &str,
    at: Timestamp,
) -> Result<(Vec<serde_json::Value>, usize), StoreError> {
    let paged = load_incident(tx, incident)
        .await?
        .ok_or(StoreError::NotFound("incident"))?;
    if refuse_unless_open(paged.phase).is_err() {
        return Ok((Vec::new(), 0));
    }
    let targets: Vec<_> = users
        .iter()
        .map(|user| (*user, reason.to_owned()))
        .collect();
    let urgency = urgency_for(paged.severity);
    queue_pages(tx, incident, &targets, step_key, urgency, at).await
}

async fn put_back_to_triggered(
    tx: &mut Tx,
    incident: IncidentId,
    at: Timestamp,
) -> Result<(), StoreError> {
    let changed = tx
        .execute(
            "UPDATE incidents SET status = 'triggered', acknowledged_at = NULL, updated_at = $2 \
             WHERE id = $1 AND status IN ('acknowledged', 'investigating', 'identified', 'monitoring')",
            crate::args![incident.0, to_micros(at)],
        )
        .await?;
    if changed > 0 {
        append(
            tx,
            incident,
            "incident.retriggered",
            at,
            json!({ "reason": "a responder escalated or reassigned it by hand" }),
        )
        .await?;
    }
    Ok(())
}

/// Escalating or reassigning is for open incidents only.
fn refuse_unless_open(phase: tocsin_domain::paging::Phase) -> Result<(), StoreError> {
    use tocsin_domain::paging::Phase;
    match phase {
        Phase::Resolved => Err(StoreError::Conflict("incident_resolved".into())),
        Phase::Ended => Err(StoreError::Conflict("incident_ended".into())),
        Phase::Triggered | Phase::Acknowledged { .. } | Phase::Engaged => Ok(()),
    }
}
