//! Heartbeat monitors: a service expects a ping at least every interval; a heartbeat silent past
//! its deadline (`due_at`, last ping or creation + interval + grace) goes down and opens an alert,
//! and its next ping resolves it. `config` creates and changes them, `monitor` applies pings and
//! expiries; the reads here answer the API and the engine's scheduler.
mod config;
mod monitor;

use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::alerting::heartbeat::HeartbeatState;
use tocsin_domain::alerting::severity::Severity;
use tocsin_domain::id::{HeartbeatId, ServiceId};
use uuid::Uuid;

use crate::Reader;
use crate::error::StoreError;
use crate::time::from_micros;
use crate::tx::Tx;

pub use config::{HeartbeatPatch, NewHeartbeat, create, delete, update};
pub use monitor::{EXPIRE_BATCH, Expired, Pinged, expire_due, ping};

/// A heartbeat monitor as stored. The secret is its ping key: it grants nothing but pinging.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Heartbeat {
    pub id: HeartbeatId,
    pub service_id: ServiceId,
    pub name: String,
    pub secret: String,
    pub interval_secs: i64,
    pub grace_secs: i64,
    /// The severity of the alert a missed deadline opens.
    pub severity: Severity,
    pub state: HeartbeatState,
    /// The dedup key of the alert it opens and resolves (`heartbeat:<id>`).
    pub dedup_key: String,
    pub last_ping_at: Option<Timestamp>,
    pub due_at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

crate::sql_row! {
    struct HeartbeatRow {
        id: Uuid,
        service_id: Uuid,
        name: String,
        secret: String,
        interval_secs: i64,
        grace_secs: i64,
        severity: String,
        state: String,
        dedup_key: String,
        last_ping_at: Option<i64>,
        due_at: i64,
        created_at: i64,
        updated_at: i64,
        version: i64,
    }
}

impl TryFrom<HeartbeatRow> for Heartbeat {
    type Error = StoreError;

    fn try_from(row: HeartbeatRow) -> Result<Self, StoreError> {
        let severity = row
            .severity
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("heartbeat severity {:?}", row.severity)))?;
        let state = HeartbeatState::parse(&row.state)
            .ok_or_else(|| StoreError::Corrupt(format!("heartbeat state {:?}", row.state)))?;
        Ok(Self {
            id: HeartbeatId(row.id),
            service_id: ServiceId(row.service_id),
            name: row.name,
            secret: row.secret,
            interval_secs: row.interval_secs,
            grace_secs: row.grace_secs,
            severity,
            state,
            dedup_key: row.dedup_key,
            last_ping_at: row.last_ping_at.map(from_micros),
            due_at: from_micros(row.due_at),
            created_at: from_micros(row.created_at),
            updated_at: from_micros(row.updated_at),
            version: row.version,
        })
    }
}

/// A query for whole heartbeat rows under `$condition` (a literal).
macro_rules! select {
    ($condition:literal) => {
        concat!(
            "SELECT id, service_id, name, secret, interval_secs, grace_secs, severity, state, ",
            "dedup_key, last_ping_at, due_at, created_at, updated_at, version FROM heartbeats WHERE ",
            $condition
        )
    };
}
pub(crate) use select;

fn convert(rows: Vec<HeartbeatRow>) -> Result<Vec<Heartbeat>, StoreError> {
    rows.into_iter().map(Heartbeat::try_from).collect()
}

/// A service's heartbeats, oldest first (a handful per service, so not paginated).
pub async fn list(reader: Reader<'_>, service: ServiceId) -> Result<Vec<Heartbeat>, StoreError> {
    const SQL: &str = select!("service_id = $1 ORDER BY id");
    let rows: Vec<HeartbeatRow> = reader.fetch_all(SQL, crate::args![service.0]).await?;
    convert(rows)
}

/// Heartbeat `id` of `service`; NotFound when it is not that service's.
pub async fn get(
    reader: Reader<'_>,
    service: ServiceId,
    id: HeartbeatId,
) -> Result<Heartbeat, StoreError> {
    const SQL: &str = select!("id = $1 AND service_id = $2");
    let row: Option<HeartbeatRow> = reader
        .fetch_optional(SQL, crate::args![id.0, service.0])
        .await?;
    row.map(Heartbeat::try_from)
        .transpose()?
        .ok_or(StoreError::NotFound("heartbeat"))
}

/// The heartbeat whose ping key is `secret`.
pub async fn find_by_secret(
    reader: Reader<'_>,
    secret: &str,
) -> Result<Option<Heartbeat>, StoreError> {
    const SQL: &str = select!("secret = $1");
    let row: Option<HeartbeatRow> = reader.fetch_optional(SQL, crate::args![secret]).await?;
    row.map(Heartbeat::try_from).transpose()
}

/// The earliest deadline of a heartbeat not already down: when the engine next has work.
pub async fn next_due(reader: Reader<'_>) -> Result<Option<Timestamp>, StoreError> {
    const NEXT: &str = "SELECT MIN(due_at) FROM heartbeats WHERE state <> 'down'";
    let earliest: Option<i64> = reader.scalar(NEXT, crate::args![]).await?;
    Ok(earliest.map(from_micros))
}

/// Heartbeat `id` of `service` inside a write (NotFound when it is not that service's).
async fn load(tx: &mut Tx, service: ServiceId, id: HeartbeatId) -> Result<Heartbeat, StoreError> {
    const SQL: &str = select!("id = $1 AND service_id = $2");
    let row: Option<HeartbeatRow> = tx
        .fetch_optional(SQL, crate::args![id.0, service.0])
        .await?;
    row.map(Heartbeat::try_from)
        .transpose()?
        .ok_or(StoreError::NotFound("heartbeat"))
}

/// Serialises writers of one heartbeat (ping, expiry, change) on PostgreSQL.
async fn lock(tx: &mut Tx, id: HeartbeatId) -> Result<(), StoreError> {
    let mut key = b"heartbeat:".to_vec();
    key.extend_from_slice(id.0.as_bytes());
    tx.lock(&key).await
}
