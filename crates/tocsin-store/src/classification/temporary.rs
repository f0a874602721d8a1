//! Temporary P1: someone with the pre-approved authority raises an uncertain incident to P1 for a
//! limited time. It must be confirmed before it expires (it then stays, as set by hand) or the
//! engine reverts it at expiry to the priority it had before. Only a confirmed P1 is checked
//! against the major incident criteria: an uncertain one does not start a response plan.
use jiff::{SignedDuration, Timestamp};
use tocsin_domain::id::IncidentId;
use tocsin_domain::priority::Priority;

use super::{event, from_rank};
use crate::Reader;
use crate::error::StoreError;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// The most temporary P1s the engine reverts in one write.
pub const TEMPORARY_BATCH: i64 = 256;

const STATE: &str = "SELECT priority, priority_source, temporary_p1_until FROM incidents \
    WHERE id = $1";
const START: &str = "UPDATE incidents SET temporary_p1_previous = priority, \
    temporary_p1_previous_source = priority_source, priority = 1, priority_source = 'temporary', \
    priority_reason = $2, temporary_p1_until = $3, initial_priority = COALESCE(initial_priority, 1), \
    updated_at = $4 WHERE id = $1";
const CONFIRM: &str = "UPDATE incidents SET priority_source = 'manual', priority_reason = $2, \
    temporary_p1_until = NULL, temporary_p1_previous = NULL, temporary_p1_previous_source = NULL, \
    updated_at = $3 WHERE id = $1";
const DUE: &str = "SELECT id, temporary_p1_until, temporary_p1_previous FROM incidents \
    WHERE temporary_p1_until IS NOT NULL AND temporary_p1_until <= $1 \
    ORDER BY temporary_p1_until LIMIT $2";
const REVERT: &str = "UPDATE incidents SET priority = temporary_p1_previous, \
    priority_source = temporary_p1_previous_source, priority_reason = $2, \
    temporary_p1_until = NULL, temporary_p1_previous = NULL, temporary_p1_previous_source = NULL, \
    updated_at = $3 WHERE id = $1";

fn trail(line: String) -> Result<String, StoreError> {
    serde_json::to_string(&[line]).map_err(|e| StoreError::Corrupt(format!("trail: {e}")))
}

/// Raises the incident to P1 until `at + minutes`: `incident.temporary_p1_started`. An incident
/// already P1, or with a temporary P1 running, answers `Conflict` with the reason.
pub async fn start_temporary_p1(
    tx: &mut Tx,
    id: IncidentId,
    minutes: i64,
    reason: &str,
    actor: &str,
    at: Timestamp,
) -> Result<Timestamp, StoreError> {
    let row: Option<(Option<i64>, Option<String>, Option<i64>)> =
        tx.fetch_optional(STATE, crate::args![id.0]).await?;
    let (priority, source, until) = row.ok_or(StoreError::NotFound("incident"))?;
    if let Some(until) = until {
        return Err(StoreError::Conflict(format!(
            "a temporary P1 already runs until {}; confirm it or let it expire",
            from_micros(until)
        )));
    }
    let previous = from_rank(id.0, priority)?;
    if priority == Some(1) {
        return Err(StoreError::Conflict("the incident is already P1".into()));
    }
    let until = from_micros(to_micros(at + SignedDuration::from_mins(minutes)));
    let line = format!("temporary P1 by {actor} until {until}: {reason}");
    tx.execute(
        START,
        crate::args![id.0, trail(line)?, to_micros(until), to_micros(at)],
    )
    .await?;
    let payload = serde_json::json!({
        "until": until, "previous": previous, "previous_source": source,
        "reason": format!("raised to P1 until {until} unless confirmed: {reason}"),
    });
    tx.append(event(
        id,
        "incident.temporary_p1_started",
        actor,
        at,
        payload,
    ))
    .await?;
    Ok(until)
}

/// Confirms a running temporary P1: it stays P1, as set by hand
/// (`incident.temporary_p1_confirmed`). Without one running, `Conflict`.
pub async fn confirm_temporary_p1(
    tx: &mut Tx,
    id: IncidentId,
    reason: &str,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let row: Option<(Option<i64>, Option<String>, Option<i64>)> =
        tx.fetch_optional(STATE, crate::args![id.0]).await?;
    let (_, _, until) = row.ok_or(StoreError::NotFound("incident"))?;
    if until.is_none() {
        return Err(StoreError::Conflict(
            "no temporary P1 is running on this incident".into(),
        ));
    }
    let line = format!("temporary P1 confirmed by {actor}: {reason}");
    tx.execute(CONFIRM, crate::args![id.0, trail(line)?, to_micros(at)])
        .await?;
    let payload = serde_json::json!({ "priority": "P1", "reason": format!("temporary P1 confirmed: {reason}") });
    tx.append(event(
        id,
        "incident.temporary_p1_confirmed",
        actor,
        at,
        payload,
    ))
    .await?;
    // Confirmed, it is a P1 like any other: the major incident criteria apply.
    super::manual::check_major(tx, id, Priority::P1, actor, at).await
}

/// Reverts every temporary P1 expired by `now` to the priority it replaced
/// (`incident.temporary_p1_reverted`); answers the incidents reverted and how many were looked at.
pub async fn revert_due_temporary_p1(
    tx: &mut Tx,
    now: Timestamp,
) -> Result<(Vec<IncidentId>, usize), StoreError> {
    let due: Vec<(uuid::Uuid, i64, Option<i64>)> = tx
        .fetch_all(DUE, crate::args![to_micros(now), TEMPORARY_BATCH])
        .await?;
    let looked_at = due.len();
    let mut reverted = Vec::with_capacity(looked_at);
    for (id, until, previous) in due {
        let incident = IncidentId(id);
        let previous = from_rank(id, previous)?;
        let back_to = previous.map_or("no priority".to_owned(), |p| p.to_string());
        let line = format!(
            "the temporary P1 expired at {} unconfirmed; back to {back_to}",
            from_micros(until)
        );
        tx.execute(
            REVERT,
            crate::args![id, trail(line.clone())?, to_micros(now)],
        )
        .await?;
        let payload = serde_json::json!({ "priority": previous, "reason": line });
        tx.append(event(
            incident,
            "incident.temporary_p1_reverted",
            "system:tocsin",
            now,
            payload,
        ))
        .await?;
        reverted.push(incident);
    }
    Ok((reverted, looked_at))
}

/// The earliest instant a temporary P1 expires.
pub async fn next_temporary_p1_due(reader: Reader<'_>) -> Result<Option<Timestamp>, StoreError> {
    let (due,): (Option<i64>,) = reader
        .fetch_one(
            "SELECT MIN(temporary_p1_until) FROM incidents WHERE temporary_p1_until IS NOT NULL",
            crate::args![],
        )
        .await?;
    Ok(due.map(from_micros))
}
