//! Pings and expiries: what moves a heartbeat between `waiting`, `up` and `down`. A missed
//! deadline ingests a trigger for the heartbeat's alert (`heartbeat:<id>`), the next ping a
//! resolve, through the same intake path as any monitoring tool. Routine pings only move the
//! deadline later (no event: they are high-frequency liveness signals, kept as `last_ping_at`);
//! every state change appends an event on the heartbeat's stream.
use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::json;
use tocsin_domain::alerting::dedup::AlertAction;
use tocsin_domain::alerting::heartbeat::{self, HeartbeatState};
use tocsin_domain::id::{AlertId, HeartbeatId, IncidentId, ServiceId};
use uuid::Uuid;

use super::{Heartbeat, HeartbeatRow, load, lock, select};
use crate::alert::{self, IncomingAlert, Ingested};
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// How many due heartbeats one `expire_due` handles; the caller repeats while a batch is full.
pub const EXPIRE_BATCH: i64 = 200;

/// What a ping did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinged {
    /// The heartbeat after the ping.
    pub heartbeat: Heartbeat,
    /// Its state before.
    pub previous: HeartbeatState,
    /// The resolve of its alert, when it was down.
    pub resolved: Option<Ingested>,
}

/// A heartbeat that went down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    pub heartbeat_id: HeartbeatId,
    pub service_id: ServiceId,
    pub alert_id: Option<AlertId>,
    pub incident_id: Option<IncidentId>,
}

const PING: &str =
    "UPDATE heartbeats SET state = 'up', last_ping_at = $2, due_at = $3 WHERE id = $1";
const GO_DOWN: &str =
    "UPDATE heartbeats SET state = 'down' WHERE id = $1 AND state <> 'down' AND due_at <= $2";

/// The alert a heartbeat raises (`Trigger`) or clears (`Resolve`).
pub(super) fn alert(heartbeat: &Heartbeat, action: AlertAction, reason: &str) -> IncomingAlert {
    let details = json!({
        "heartbeat_id": heartbeat.id,
        "interval_secs": heartbeat.interval_secs,
        "grace_secs": heartbeat.grace_secs,
        "last_ping_at": heartbeat.last_ping_at,
        "due_at": heartbeat.due_at,
        "reason": reason,
    });
    IncomingAlert {
        service_id: heartbeat.service_id,
        integration_key_id: None,
        source_kind: "heartbeat",
        action,
        dedup_key: heartbeat.dedup_key.clone(),
        summary: heartbeat::missed_summary(
            &heartbeat.name,
            heartbeat.interval_secs,
            heartbeat.grace_secs,
        ),
        severity: heartbeat.severity,
        source: Some(heartbeat.name.clone()),
        component: None,
        group: None,
        class: Some("heartbeat".into()),
        labels: BTreeMap::from([("heartbeat".to_owned(), heartbeat.name.clone())]),
        raw: details.to_string(),
        action_note: None,
        details,
        links: json!([]),
        images: json!([]),
        client: Some("Tocsin heartbeat monitor".into()),
        client_url: None,
    }
}

/// Applies a ping with ping key `secret` at `at`: the heartbeat is up and its deadline runs from
/// now. A heartbeat that was down resolves its alert and appends `heartbeat.recovered`; the first
/// ping appends `heartbeat.up`. `None` when no heartbeat has that key.
pub async fn ping(tx: &mut Tx, secret: &str, at: Timestamp) -> Result<Option<Pinged>, StoreError> {
    const FIND: &str = "SELECT id, service_id FROM heartbeats WHERE secret = $1";
    let found: Option<(Uuid, Uuid)> = tx.fetch_optional(FIND, crate::args![secret]).await?;
    let Some((id, service)) = found else {
        return Ok(None);
    };
    let (id, service) = (HeartbeatId(id), ServiceId(service));
    lock(tx, id).await?;
    let before = match load(tx, service, id).await {
        Ok(heartbeat) => heartbeat,
        Err(StoreError::NotFound(_)) => return Ok(None),
        Err(error) => return Err(error),
    };
    let at = from_micros(to_micros(at));
    let due_at = heartbeat::due_at(at, before.interval_secs, before.grace_secs);
    tx.execute(PING, crate::args![id.0, to_micros(at), to_micros(due_at)])
        .await?;
    let actor = format!("heartbeat:{id}");
    let mut resolved = None;
    let event = match before.state {
        HeartbeatState::Down => {
            let ingested = alert::ingest(
                tx,
                alert(&before, AlertAction::Resolve, "pinged"),
                &actor,
                at,
            )
            .await?;
            let payload = json!({ "alert_id": ingested.alert_id, "due_at": due_at });
            resolved = Some(ingested);
            Some(("heartbeat.recovered", payload))
        }
        HeartbeatState::Waiting => Some(("heartbeat.up", json!({ "due_at": due_at }))),
        HeartbeatState::Up => None,
    };
    if let Some((kind, payload)) = event {
        tx.append(NewEvent::new("heartbeat", id.0, kind, &actor, at, payload))
            .await?;
    }
    let heartbeat = load(tx, service, id).await?;
    Ok(Some(Pinged {
        heartbeat,
        previous: before.state,
        resolved,
    }))
}

/// Takes every heartbeat whose deadline is at or before `now` (and is not already down) down:
/// each ingests a trigger for its alert and appends `heartbeat.missed`. At most `EXPIRE_BATCH`
/// per call. A heartbeat already down is left alone, so repeating this opens no second alert.
pub async fn expire_due(tx: &mut Tx, now: Timestamp) -> Result<Vec<Expired>, StoreError> {
    const DUE: &str = select!("due_at <= $1 AND state <> 'down' ORDER BY due_at, id LIMIT $2");
    let rows: Vec<HeartbeatRow> = tx
        .fetch_all(DUE, crate::args![to_micros(now), EXPIRE_BATCH])
        .await?;
    let mut expired = Vec::with_capacity(rows.len());
    for row in rows {
        let candidate = Heartbeat::try_from(row)?;
        lock(tx, candidate.id).await?;
        // Re-checked under the lock: a ping may have moved the deadline since the query.
        let changed = tx
            .execute(GO_DOWN, crate::args![candidate.id.0, to_micros(now)])
            .await?;
        if changed == 0 {
            continue;
        }
        let current = load(tx, candidate.service_id, candidate.id).await?;
        let actor = format!("heartbeat:{}", current.id);
        let ingested = alert::ingest(
            tx,
            alert(&current, AlertAction::Trigger, "missed"),
            &actor,
            now,
        )
        .await?;
        tx.append(NewEvent::new(
            "heartbeat",
            current.id.0,
            "heartbeat.missed",
            &actor,
            now,
            json!({
                "due_at": current.due_at,
                "last_ping_at": current.last_ping_at,
                "alert_id": ingested.alert_id,
                "incident_id": ingested.incident_id,
            }),
        ))
        .await?;
        expired.push(Expired {
            heartbeat_id: current.id,
            service_id: current.service_id,
            alert_id: ingested.alert_id,
            incident_id: ingested.incident_id,
        });
    }
    Ok(expired)
}
