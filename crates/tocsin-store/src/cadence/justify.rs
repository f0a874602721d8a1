//! Delay justifications: a responder records why an open incident's management escalation should
//! wait, and until when (at most 7 days ahead). While one holds no level is escalated to; the
//! incident's timeline gets `incident.escalation_delay_justified`.
use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::IncidentStatus;
use tocsin_domain::incident::escalation_window::check_justification;
use uuid::Uuid;

use super::facts::StoredJustification;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::to_micros;
use crate::tx::Tx;

const STATUS: &str = "SELECT status FROM incidents WHERE id = $1";
const INSERT: &str = "INSERT INTO incident_delay_justifications \
    (id, incident_id, reason, from_at, until_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)";

/// A justification recorded, with its timeline entry's seq.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Justified {
    pub justification: StoredJustification,
    pub seq: i64,
}

/// Records a justification of `incident` by `actor` from `now` until `until`.
pub async fn justify_delay(
    tx: &mut Tx,
    incident: IncidentId,
    reason: &str,
    until: Timestamp,
    actor: &str,
    now: Timestamp,
) -> Result<Justified, StoreError> {
    check_justification(reason, until, now)?;
    let status: Option<String> = tx.scalar_optional(STATUS, crate::args![incident.0]).await?;
    let status = status.ok_or(StoreError::NotFound("incident"))?;
    if !IncidentStatus::parse(&status).is_some_and(IncidentStatus::is_open) {
        return Err(StoreError::refused(
            "",
            format!("the incident is {status}: nothing is escalated any more"),
        ));
    }
    let justification = StoredJustification {
        id: tocsin_domain::id::uuid_v7_at(now),
        reason: reason.trim().to_owned(),
        from: now,
        until,
        created_by: actor.to_owned(),
    };
    let id: Uuid = justification.id;
    tx.execute(
        INSERT,
        crate::args![
            id,
            incident.0,
            justification.reason.clone(),
            to_micros(now),
            to_micros(until),
            actor.to_owned()
        ],
    )
    .await?;
    super::look_again(tx, incident.0, now).await?;
    let payload = json!({
        "justification_id": id, "reason": justification.reason, "until": until,
    });
    let stored = tx
        .append(NewEvent::new(
            "incident",
            incident.0,
            "incident.escalation_delay_justified",
            actor,
            now,
            payload,
        ))
        .await?;
    Ok(Justified {
        justification,
        seq: stored.seq,
    })
}
