//! Creating, changing and deleting heartbeats. Each change appends an event on the heartbeat's
//! stream, which also tells the engine its schedule may have moved.
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use tocsin_domain::alerting::dedup::AlertAction;
use tocsin_domain::alerting::heartbeat::{self, HeartbeatState};
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::id::{HeartbeatId, ServiceId};

use super::{Heartbeat, load, lock, monitor};
use crate::catalog::check_version;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// A heartbeat to create; the values are already validated (see `tocsin_domain::alerting::heartbeat`).
#[derive(Debug, Clone)]
pub struct NewHeartbeat {
    pub name: String,
    /// The ping key, random and unique.
    pub secret: String,
    pub interval_secs: i64,
    pub grace_secs: i64,
    pub severity: Severity,
}

/// A change; `None` leaves the field as it is.
#[derive(Debug, Clone, Default)]
pub struct HeartbeatPatch {
    pub name: Option<String>,
    pub interval_secs: Option<i64>,
    pub grace_secs: Option<i64>,
    pub severity: Option<Severity>,
}

const INSERT: &str = "INSERT INTO heartbeats (id, service_id, name, secret, interval_secs, grace_secs, \
    severity, state, dedup_key, last_ping_at, due_at, created_at, updated_at, version) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, 'waiting', $8, NULL, $9, $10, $10, 1)";
const UPDATE: &str = "UPDATE heartbeats SET name = $2, interval_secs = $3, grace_secs = $4, severity = $5, \
    due_at = $6, updated_at = $7, version = version + 1 WHERE id = $1";
const DELETE: &str = "DELETE FROM heartbeats WHERE id = $1";

const STREAM: &str = "heartbeat";

/// Creates a heartbeat on `service`, waiting for its first ping; its first deadline runs from now.
pub async fn create(
    tx: &mut Tx,
    service: ServiceId,
    new: NewHeartbeat,
    actor: &str,
    at: Timestamp,
) -> Result<Heartbeat, StoreError> {
    let at = from_micros(to_micros(at));
    let id = HeartbeatId::new(at);
    let heartbeat = Heartbeat {
        id,
        service_id: service,
        name: new.name,
        secret: new.secret,
        interval_secs: new.interval_secs,
        grace_secs: new.grace_secs,
        severity: new.severity,
        state: HeartbeatState::Waiting,
        dedup_key: heartbeat::dedup_key(id),
        last_ping_at: None,
        due_at: heartbeat::due_at(at, new.interval_secs, new.grace_secs),
        created_at: at,
        updated_at: at,
        version: 1,
    };
    tx.execute(
        INSERT,
        crate::args![
            id.0,
            service.0,
            &heartbeat.name,
            &heartbeat.secret,
            heartbeat.interval_secs,
            heartbeat.grace_secs,
            heartbeat.severity.as_str(),
            &heartbeat.dedup_key,
            to_micros(heartbeat.due_at),
            to_micros(at)
        ],
    )
    .await?;
    tx.append(NewEvent::new(
        STREAM,
        id.0,
        "heartbeat.created",
        actor,
        at,
        json!({
            "service_id": service,
            "name": heartbeat.name,
            "interval_secs": heartbeat.interval_secs,
            "grace_secs": heartbeat.grace_secs,
            "severity": heartbeat.severity,
            "due_at": heartbeat.due_at,
        }),
    ))
    .await?;
    Ok(heartbeat)
}

/// The fields `patch` changes, as an event payload (empty when nothing changes).
fn changes(current: &Heartbeat, patch: &HeartbeatPatch) -> Map<String, Value> {
    let mut changed = Map::new();
    if let Some(name) = patch.name.as_ref().filter(|n| **n != current.name) {
        changed.insert("name".into(), json!(name));
    }
    if let Some(secs) = patch.interval_secs.filter(|s| *s != current.interval_secs) {
        changed.insert("interval_secs".into(), json!(secs));
    }
    if let Some(secs) = patch.grace_secs.filter(|s| *s != current.grace_secs) {
        changed.insert("grace_secs".into(), json!(secs));
    }
    if let Some(severity) = patch.severity.filter(|s| *s != current.severity) {
        changed.insert("severity".into(), json!(severity));
    }
    changed
}

/// Applies `patch` (If-Match via `expected_version`) and appends `heartbeat.updated`. The deadline
/// is recomputed from the last ping (or creation); a heartbeat that is down stays down until its
/// next ping. A patch that changes nothing returns the heartbeat as is.
pub async fn update(
    tx: &mut Tx,
    service: ServiceId,
    id: HeartbeatId,
    patch: HeartbeatPatch,
    expected_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<Heartbeat, StoreError> {
    lock(tx, id).await?;
    let current = load(tx, service, id).await?;
    check_version(expected_version, current.version)?;
    let mut changed = changes(&current, &patch);
    if changed.is_empty() {
        return Ok(current);
    }
    let interval_secs = patch.interval_secs.unwrap_or(current.interval_secs);
    let grace_secs = patch.grace_secs.unwrap_or(current.grace_secs);
    let anchor = current.last_ping_at.unwrap_or(current.created_at);
    let due_at = heartbeat::due_at(anchor, interval_secs, grace_secs);
    tx.execute(
        UPDATE,
        crate::args![
            id.0,
            patch.name.as_ref().unwrap_or(&current.name),
            interval_secs,
            grace_secs,
            patch.severity.unwrap_or(current.severity).as_str(),
            to_micros(due_at),
            to_micros(at)
        ],
    )
    .await?;
    changed.insert("due_at".into(), json!(due_at));
    tx.append(NewEvent::new(
        STREAM,
        id.0,
        "heartbeat.updated",
        actor,
        at,
        Value::Object(changed),
    ))
    .await?;
    load(tx, service, id).await
}

/// Deletes a heartbeat (If-Match via `expected_version`); an alert it has open is resolved, since
/// nothing would ever resolve it otherwise.
pub async fn delete(
    tx: &mut Tx,
    service: ServiceId,
    id: HeartbeatId,
    expected_version: Option<i64>,
    actor: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    lock(tx, id).await?;
    let current = load(tx, service, id).await?;
    check_version(expected_version, current.version)?;
    if current.state == HeartbeatState::Down {
        let resolve = monitor::alert(&current, AlertAction::Resolve, "deleted");
        crate::alert::ingest(tx, resolve, actor, at).await?;
    }
    tx.execute(DELETE, crate::args![id.0]).await?;
    tx.append(NewEvent::new(
        STREAM,
        id.0,
        "heartbeat.deleted",
        actor,
        at,
        json!({ "service_id": service, "name": current.name }),
    ))
    .await?;
    Ok(())
}
