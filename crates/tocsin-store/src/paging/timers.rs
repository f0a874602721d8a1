//! The escalation timer rows: armed when an incident opens, made due at once when the incident
//! changes, taken in due order (claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL so several
//! nodes share them), re-armed or dropped.
use jiff::Timestamp;
use tocsin_domain::id::IncidentId;
use tocsin_domain::paging::{NextTimer, Position, TimerKind};
use uuid::Uuid;

use crate::Reader;
use crate::error::StoreError;
use crate::store::Backend;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// A due timer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTimer {
    pub incident_id: IncidentId,
    pub kind: TimerKind,
    /// The escalation policy chosen at the first page (none before it).
    pub policy_id: Option<Uuid>,
    pub position: Position,
    pub due_at: Timestamp,
}

/// Arms the first step of a newly opened incident's escalation, due at `due_at` (its group
/// wait's end, or at once); with `wake`, tells the other nodes.
pub(crate) async fn arm_first(
    tx: &mut Tx,
    incident: IncidentId,
    due_at: Timestamp,
    at: Timestamp,
    wake: bool,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO escalation_timers (incident_id, kind, cycle, round, step, due_at, created_at, updated_at) \
         VALUES ($1, 'step', 0, 0, 0, $2, $3, $3)",
        crate::args![incident.0, to_micros(due_at), to_micros(at)],
    )
    .await?;
    if wake {
        wake_peers(tx).await?;
    }
    Ok(())
}

/// On PostgreSQL, tells the other nodes (at commit) to re-read their earliest deadline; this
/// node's engine hears of the change on its own bus.
pub(crate) async fn wake_peers(tx: &mut Tx) -> Result<(), StoreError> {
    if tx.backend() == Backend::Postgres {
        tx.execute(
            "SELECT pg_notify($1, '')",
            crate::args![super::WAKE_CHANNEL],
        )
        .await?;
    }
    Ok(())
}

/// The incident changed (acknowledged, resolved, re-triggered): its timer becomes due now, so
/// the engine decides again at once instead of at the old instant.
pub async fn recheck(tx: &mut Tx, incident: IncidentId, at: Timestamp) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE escalation_timers SET due_at = $2, updated_at = $2 \
         WHERE incident_id = $1 AND (due_at IS NULL OR due_at > $2)",
        crate::args![incident.0, to_micros(at)],
    )
    .await?;
    wake_peers(tx).await
}

/// Up to `limit` timers due by `now`, earliest first. On PostgreSQL the rows stay locked until
/// the transaction ends and rows another node holds are skipped.
pub(crate) async fn take_due(
    tx: &mut Tx,
    now: Timestamp,
    limit: i64,
) -> Result<Vec<DueTimer>, StoreError> {
    // On PostgreSQL the incident row is locked with its timer, skipping both when another
    // transaction holds either: an acknowledgement (which locks the incident, then its timer)
    // never waits on the engine while the engine waits on it.
    const DUE_PG: &str = "SELECT t.incident_id, t.kind, t.policy_id, t.cycle, t.round, t.step, t.due_at \
         FROM escalation_timers t JOIN incidents i ON i.id = t.incident_id \
         WHERE t.due_at <= $1 ORDER BY t.due_at, t.incident_id LIMIT $2 FOR UPDATE OF t, i SKIP LOCKED";
    const DUE_SQLITE: &str = "SELECT incident_id, kind, policy_id, cycle, round, step, due_at \
         FROM escalation_timers WHERE due_at <= $1 ORDER BY due_at, incident_id LIMIT $2";
    let sql = match tx.backend() {
        Backend::Postgres => DUE_PG,
        Backend::Sqlite => DUE_SQLITE,
    };
    type Row = (Uuid, String, Option<Uuid>, i64, i64, i64, i64);
    let rows: Vec<Row> = tx
        .fetch_all(sql, crate::args![to_micros(now), limit])
        .await?;
    rows.into_iter()
        .map(|(incident, kind, policy, cycle, round, step, due)| {
            let kind = TimerKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("escalation timer kind {kind:?}")))?;
            Ok(DueTimer {
                incident_id: IncidentId(incident),
                kind,
                policy_id: policy,
                position: Position {
                    cycle: counter(cycle)?,
                    round: counter(round)?,
                    step: counter(step)?,
                },
                due_at: from_micros(due),
            })
        })
        .collect()
}

fn counter(value: i64) -> Result<u32, StoreError> {
    u32::try_from(value)
        .map_err(|_| StoreError::Corrupt(format!("escalation timer counter {value}")))
}

/// Arms an incident's timer (under `policy`), creating it for an incident that has none.
pub(crate) async fn set(
    tx: &mut Tx,
    incident: IncidentId,
    policy: Option<Uuid>,
    next: NextTimer,
    at: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO escalation_timers (incident_id, kind, policy_id, cycle, round, step, due_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
         ON CONFLICT (incident_id) DO UPDATE SET kind = excluded.kind, policy_id = excluded.policy_id, \
         cycle = excluded.cycle, round = excluded.round, step = excluded.step, \
         due_at = excluded.due_at, updated_at = excluded.updated_at",
        crate::args![
            incident.0,
            next.kind.as_str(),
            policy,
            i64::from(next.position.cycle),
            i64::from(next.position.round),
            i64::from(next.position.step),
            to_micros(next.due_at),
            to_micros(at)
        ],
    )
    .await?;
    Ok(())
}

/// Idles an incident's timer: nothing more is paged for it by escalation unless a responder
/// escalates by hand. The row keeps the last position, so a later page gets a fresh key.
pub(crate) async fn idle(
    tx: &mut Tx,
    incident: IncidentId,
    at: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE escalation_timers SET due_at = NULL, updated_at = $2 WHERE incident_id = $1",
        crate::args![incident.0, to_micros(at)],
    )
    .await?;
    Ok(())
}

/// An incident's timer, due or not (`None`: the incident predates escalation or never had one).
pub(crate) async fn of_incident(
    tx: &mut Tx,
    incident: IncidentId,
) -> Result<Option<(TimerKind, Option<Uuid>, Position, Option<Timestamp>)>, StoreError> {
    type Row = (String, Option<Uuid>, i64, i64, i64, Option<i64>);
    let row: Option<Row> = tx
        .fetch_optional(
            "SELECT kind, policy_id, cycle, round, step, due_at FROM escalation_timers WHERE incident_id = $1",
            crate::args![incident.0],
        )
        .await?;
    row.map(|(kind, policy, cycle, round, step, due)| {
        let kind = TimerKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("escalation timer kind {kind:?}")))?;
        let position = Position {
            cycle: counter(cycle)?,
            round: counter(round)?,
            step: counter(step)?,
        };
        Ok((kind, policy, position, due.map(from_micros)))
    })
    .transpose()
}

/// The earliest due instant of any timer, for the engine's wake-up.
pub async fn next_due(reader: Reader<'_>) -> Result<Option<Timestamp>, StoreError> {
    let earliest: Option<i64> = reader
        .scalar("SELECT MIN(due_at) FROM escalation_timers", crate::args![])
        .await?;
    Ok(earliest.map(from_micros))
}

/// How many timers are armed (not idle): the benchmark's figure.
pub async fn armed(reader: Reader<'_>) -> Result<i64, StoreError> {
    reader
        .scalar(
            "SELECT COUNT(*) FROM escalation_timers WHERE due_at IS NOT NULL",
            crate::args![],
        )
        .await
}
