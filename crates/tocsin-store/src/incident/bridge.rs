//! An incident's bridge and meeting cadence (table `incident_bridges`, one row while a bridge is
//! running): set or changed (`incident.bridge_set`, with the previous one) and ended
//! (`incident.bridge_ended`).
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::id::IncidentId;
use tocsin_domain::incident::bridge;

use super::event;
use crate::Reader;
use crate::error::StoreError;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// A running bridge.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bridge {
    pub url: String,
    pub meeting_cadence_minutes: Option<u32>,
    pub first_checkpoint_at: Option<Timestamp>,
    pub set_by: String,
    pub set_at: Timestamp,
}

const SELECT_BRIDGE: &str = "SELECT url, meeting_cadence_minutes, first_checkpoint_at, set_by, \
    set_at FROM incident_bridges WHERE incident_id = $1";
type Row = (String, Option<i64>, Option<i64>, String, i64);

fn bridge_of(row: Row) -> Bridge {
    let (url, cadence, first, set_by, set_at) = row;
    Bridge {
        url,
        meeting_cadence_minutes: cadence.and_then(|c| u32::try_from(c).ok()),
        first_checkpoint_at: first.map(from_micros),
        set_by,
        set_at: from_micros(set_at),
    }
}

/// The incident's running bridge, if any.
pub async fn bridge(
    reader: Reader<'_>,
    incident: IncidentId,
) -> Result<Option<Bridge>, StoreError> {
    let row: Option<Row> = reader
        .fetch_optional(SELECT_BRIDGE, crate::args![incident.0])
        .await?;
    Ok(row.map(bridge_of))
}

/// A bridge to set.
#[derive(Debug, Clone)]
pub struct NewBridge {
    pub url: String,
    pub meeting_cadence_minutes: Option<u32>,
    /// Default: one cadence from now.
    pub first_checkpoint_at: Option<Timestamp>,
}

/// Sets (or replaces) the incident's bridge.
pub async fn set_bridge(
    tx: &mut Tx,
    incident: IncidentId,
    new: NewBridge,
    actor: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut errors = tocsin_domain::error::Collector::default();
    let url = bridge::bridge_url(&new.url)
        .map_err(|e| errors.push(e))
        .ok();
    let cadence = match new.meeting_cadence_minutes {
        Some(minutes) => bridge::cadence(minutes).map_err(|e| errors.push(e)).ok(),
        None => None,
    };
    errors.finish()?;
    let url = url.unwrap_or_default();
    let first = new
        .first_checkpoint_at
        .or_else(|| bridge::default_first_checkpoint(cadence, now));
    let previous: Option<Row> = tx
        .fetch_optional(SELECT_BRIDGE, crate::args![incident.0])
        .await?;
    tx.execute(
        "DELETE FROM incident_bridges WHERE incident_id = $1",
        crate::args![incident.0],
    )
    .await?;
    tx.execute(
        "INSERT INTO incident_bridges (incident_id, url, meeting_cadence_minutes, \
         first_checkpoint_at, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6)",
        crate::args![
            incident.0,
            url.clone(),
            cadence.map(i64::from),
            first.map(to_micros),
            actor,
            to_micros(now)
        ],
    )
    .await?;
    let payload = serde_json::json!({
        "url": url, "meeting_cadence_minutes": cadence, "first_checkpoint_at": first,
        "previous": previous.map(bridge_of),
    });
    tx.append(event(incident, "incident.bridge_set", actor, now, payload))
        .await?;
    Ok(())
}

/// Ends the incident's bridge; answers whether one was running.
pub async fn end_bridge(
    tx: &mut Tx,
    incident: IncidentId,
    actor: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let previous: Option<Row> = tx
        .fetch_optional(SELECT_BRIDGE, crate::args![incident.0])
        .await?;
    let Some(previous) = previous.map(bridge_of) else {
        return Ok(false);
    };
    tx.execute(
        "DELETE FROM incident_bridges WHERE incident_id = $1",
        crate::args![incident.0],
    )
    .await?;
    let payload = serde_json::json!({ "url": previous.url, "set_at": previous.set_at });
    tx.append(event(
        incident,
        "incident.bridge_ended",
        actor,
        now,
        payload,
    ))
    .await?;
    Ok(true)
}
