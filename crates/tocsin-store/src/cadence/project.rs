//! The cadence's facts projected from the event log: the worker reads the events appended since
//! its cursor (by position, so no per-incident scan of the log) and keeps priority changes,
//! status updates and reopenings of incidents in `incident_cadence_facts`, each once (keyed by
//! the event's position). Each new fact marks its incident's cadence to be looked at now. The
//! read starts `OVERLAP` positions before the cursor: on PostgreSQL an event with a lower
//! position may commit after one with a higher position, and a re-read event is kept once.
use jiff::Timestamp;
use tocsin_domain::priority::Priority;
use uuid::Uuid;

use crate::error::StoreError;
use crate::time::to_micros;
use crate::tx::Tx;

/// Positions re-read behind the cursor.
const OVERLAP: i64 = 200;

const CURSOR: &str = "SELECT position FROM incident_cadence_cursor WHERE id = 1";
const HEAD: &str = "SELECT COALESCE(MAX(position), 0) FROM events";
const SCAN: &str = "SELECT position, stream_id, kind, occurred_at, payload FROM events \
    WHERE position > $1 AND position <= $2 AND stream_type = 'incident' \
    AND kind IN ('incident.priority_set', 'incident.temporary_p1_started', \
    'incident.temporary_p1_confirmed', 'incident.temporary_p1_reverted', \
    'incident.status_update', 'incident.reopened') ORDER BY position LIMIT $3";
const KEEP: &str = "INSERT INTO incident_cadence_facts (position, incident_id, kind, at, priority) \
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (position) DO NOTHING";
/// Look at the incident's cadence now. The version moves, so that an action decided before this
/// (acting on the facts before a new one, or settling a closed incident) does not overwrite it.
const TOUCH: &str = "INSERT INTO incident_cadence (incident_id, next_at, updated_at) \
    VALUES ($1, $2, $3) ON CONFLICT (incident_id) DO UPDATE SET next_at = $2, updated_at = $3, \
    version = incident_cadence.version + 1";
const ADVANCE: &str = "UPDATE incident_cadence_cursor SET position = $2 \
    WHERE id = 1 AND position = $1";

/// What an event tells the cadence: its fact kind and, for a priority change, the new rank.
fn fact_of(kind: &str, payload: &str) -> Option<(&'static str, Option<i64>)> {
    let priority = || {
        serde_json::from_str::<serde_json::Value>(payload)
            .ok()
            .and_then(|p| serde_json::from_value::<Priority>(p["priority"].clone()).ok())
            .map(|p| i64::from(p.rank()))
    };
    match kind {
        "incident.status_update" => Some(("update", None)),
        "incident.reopened" => Some(("reopened", None)),
        "incident.temporary_p1_started" => Some(("priority", Some(1))),
        "incident.priority_set"
        | "incident.temporary_p1_confirmed"
        | "incident.temporary_p1_reverted" => Some(("priority", priority())),
        _ => None,
    }
}

/// Marks the incident's cadence to be looked at `now` (a new fact, or a reopening by hand).
pub(crate) async fn look_again(
    tx: &mut Tx,
    incident: Uuid,
    now: Timestamp,
) -> Result<(), StoreError> {
    let args = crate::args![incident, to_micros(now), to_micros(now)];
    tx.execute(TOUCH, args).await?;
    Ok(())
}

/// Projects at most `limit` events after the cursor; answers how many new facts were kept and
/// how many events were read.
pub async fn project(
    tx: &mut Tx,
    now: Timestamp,
    limit: i64,
) -> Result<(usize, usize), StoreError> {
    let cursor: i64 = tx.scalar(CURSOR, crate::args![]).await?;
    let head: i64 = tx.scalar(HEAD, crate::args![]).await?;
    let from = (cursor - OVERLAP).max(0);
    type Row = (i64, Uuid, String, i64, String);
    let rows: Vec<Row> = tx.fetch_all(SCAN, crate::args![from, head, limit]).await?;
    let read = rows.len();
    let last = rows.last().map(|row| row.0);
    let mut kept = 0;
    for (position, incident, kind, at, payload) in rows {
        let Some((fact, priority)) = fact_of(&kind, &payload) else {
            continue;
        };
        let args = crate::args![position, incident, fact, at, priority];
        if tx.execute(KEEP, args).await? == 1 {
            kept += 1;
            look_again(tx, incident, now).await?;
        }
    }
    let reached = if i64::try_from(read).unwrap_or(i64::MAX) < limit {
        head
    } else {
        last.unwrap_or(head)
    };
    if reached > cursor {
        tx.execute(ADVANCE, crate::args![cursor, reached]).await?;
    }
    Ok((kept, read))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_changes_updates_and_reopenings_are_facts() {
        assert_eq!(
            fact_of("incident.priority_set", r#"{"priority":"P2"}"#),
            Some(("priority", Some(2)))
        );
        assert_eq!(
            fact_of("incident.temporary_p1_reverted", r#"{"priority":null}"#),
            Some(("priority", None))
        );
        assert_eq!(
            fact_of("incident.temporary_p1_started", "{}"),
            Some(("priority", Some(1)))
        );
        assert_eq!(
            fact_of("incident.status_update", "{}"),
            Some(("update", None))
        );
        assert_eq!(fact_of("incident.note", "{}"), None);
    }
}
