//! An incident's milestones read from its timeline (see `tocsin_domain::incident::milestones`),
//! and corrections appended to it.
use jiff::Timestamp;
use tocsin_domain::ValidationError;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::milestones::{self, Entry, Fact, Milestone, MilestoneTime};

use super::event;
use crate::Reader;
use crate::error::StoreError;
use crate::events::{StoredEvent, read_stream};
use crate::tx::Tx;

/// Timeline entries read per query.
const PAGE: i64 = 1000;

fn timestamp_at(event: &StoredEvent, key: &str) -> Option<Timestamp> {
    event.payload.get(key)?.as_str()?.parse().ok()
}

/// What one timeline entry says about milestones, if anything.
fn fact_of(event: &StoredEvent) -> Option<Fact> {
    let payload = &event.payload;
    Some(match event.kind.as_str() {
        "incident.opened" => Fact::Opened {
            impact_started: None,
        },
        "incident.declared" => Fact::Opened {
            impact_started: timestamp_at(event, "impact_started_at"),
        },
        "incident.acknowledged" => Fact::Acknowledged,
        "incident.escalated" => Fact::Escalated {
            level: payload
                .get("level")
                .and_then(serde_json::Value::as_u64)
                .and_then(|level| u32::try_from(level).ok()),
        },
        "incident.escalated_by_hand" | "incident.reescalated" => Fact::Escalated { level: None },
        "incident.resolved" => Fact::Resolved,
        "incident.reopened" => Fact::Reopened,
        "incident.status_changed" => {
            if payload.get("reopens").and_then(serde_json::Value::as_bool) == Some(true) {
                Fact::Reopened
            } else if payload.get("to").and_then(serde_json::Value::as_str) == Some("monitoring") {
                Fact::Mitigated
            } else {
                return None;
            }
        }
        "incident.milestone_corrected" => Fact::Corrected {
            milestone: Milestone::parse(payload.get("milestone")?.as_str()?)?,
            at: timestamp_at(event, "at"),
        },
        _ => return None,
    })
}

/// The incident's milestones as its timeline gives them.
pub async fn milestones(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Vec<(Milestone, MilestoneTime)>, StoreError> {
    let mut entries = Vec::new();
    let mut after = 0;
    loop {
        let page = read_stream(reader, incident.0, after, PAGE).await?;
        let done = i64::try_from(page.len()).unwrap_or(PAGE) < PAGE;
        if let Some(last) = page.last() {
            after = last.seq;
        }
        entries.extend(page.iter().filter_map(|event| {
            fact_of(event).map(|fact| Entry {
                seq: event.seq,
                at: event.occurred_at,
                fact,
            })
        }));
        if done {
            return Ok(milestones::derive(&entries));
        }
    }
}

/// Appends a correction of one milestone (`at: None` clears it), with its reason.
pub async fn correct_milestone(
    tx: &mut Tx,
    incident: IncidentId,
    milestone: Milestone,
    at: Option<Timestamp>,
    reason: &str,
    actor: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid(ValidationError::field(
            "/reason",
            "a correction needs a reason",
        )));
    }
    if at.is_some_and(|at| at > now) {
        return Err(StoreError::Invalid(ValidationError::field(
            "/at",
            "cannot be in the future",
        )));
    }
    let exists: Option<i64> = tx
        .scalar_optional(
            "SELECT number FROM incidents WHERE id = $1",
            crate::args![incident.0],
        )
        .await?;
    if exists.is_none() {
        return Err(StoreError::NotFound("incident"));
    }
    let payload = serde_json::json!({
        "milestone": milestone.as_str(), "at": at, "reason": reason,
    });
    tx.append(event(
        incident,
        "incident.milestone_corrected",
        actor,
        now,
        payload,
    ))
    .await?;
    Ok(())
}
