//! Silences (Alertmanager API v2 in shape): matchers and a time range; expiring one ends it now.
use jiff::Timestamp;
use tocsin_domain::alerting::Matchers;
use tocsin_domain::alerting::silence::{Silence, SilenceState};
use uuid::Uuid;

use crate::Reader;
use crate::error::StoreError;
use crate::events::NewEvent;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

/// A stored silence.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSilence {
    pub id: Uuid,
    pub silence: Silence,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

type Row = (Uuid, String, i64, i64, String, String, i64, i64);

fn stored(row: Row) -> Result<StoredSilence, StoreError> {
    let (id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at) = row;
    let matchers: Matchers = serde_json::from_str(&matchers)
        .map_err(|e| StoreError::Corrupt(format!("silence {id} matchers: {e}")))?;
    Ok(StoredSilence {
        id,
        silence: Silence {
            matchers,
            starts_at: from_micros(starts_at),
            ends_at: from_micros(ends_at),
            created_by,
            comment,
        },
        created_at: from_micros(created_at),
        updated_at: from_micros(updated_at),
    })
}

/// Creates a silence (validated by the caller).
pub async fn create(
    tx: &mut Tx,
    silence: Silence,
    actor: &str,
    at: Timestamp,
) -> Result<StoredSilence, StoreError> {
    let id = tocsin_domain::id::uuid_v7_at(at);
    let matchers = serde_json::to_string(&silence.matchers)
        .map_err(|e| StoreError::Corrupt(format!("matchers not serialisable: {e}")))?;
    tx.execute("INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)", crate::args![id, &matchers, to_micros(silence.starts_at), to_micros(silence.ends_at), &silence.created_by, &silence.comment, to_micros(at)]).await?;
    tx.append(NewEvent::new(
        "silence",
        id,
        "silence.created",
        actor,
        at,
        serde_json::json!({
            "matchers": silence.matchers.to_string(), "starts_at": silence.starts_at,
            "ends_at": silence.ends_at, "comment": silence.comment,
        }),
    ))
    .await?;
    Ok(StoredSilence {
        id,
        silence,
        created_at: from_micros(to_micros(at)),
        updated_at: from_micros(to_micros(at)),
    })
}

/// Ends a silence now (a pending one never starts). Expiring an expired silence changes nothing.
pub async fn expire(tx: &mut Tx, id: Uuid, actor: &str, at: Timestamp) -> Result<(), StoreError> {
    let row: Option<(i64, i64)> = tx
        .fetch_optional(
            "SELECT starts_at, ends_at FROM silences WHERE id = $1",
            crate::args![id],
        )
        .await?;
    let (starts_at, ends_at) = row.ok_or(StoreError::NotFound("silence"))?;
    let now = to_micros(at);
    if ends_at <= now {
        return Ok(());
    }
    tx.execute(
        "UPDATE silences SET ends_at = $2, starts_at = $3, updated_at = $2 WHERE id = $1",
        crate::args![id, now, starts_at.min(now)],
    )
    .await?;
    tx.append(NewEvent::new(
        "silence",
        id,
        "silence.expired",
        actor,
        at,
        serde_json::json!({}),
    ))
    .await?;
    Ok(())
}

pub async fn get(reader: Reader<'_>, id: Uuid) -> Result<StoredSilence, StoreError> {
    const GET: &str = "SELECT id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at \
        FROM silences WHERE id = $1";
    let row: Option<Row> = reader.fetch_optional(GET, crate::args![id]).await?;
    stored(row.ok_or(StoreError::NotFound("silence"))?)
}

/// Every silence, newest first (a few hundred at most in practice; the API filters by state).
pub async fn list(reader: Reader<'_>) -> Result<Vec<StoredSilence>, StoreError> {
    const LIST: &str = "SELECT id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at \
        FROM silences ORDER BY id DESC LIMIT 10000";
    let rows: Vec<Row> = reader.fetch_all(LIST, crate::args![]).await?;
    rows.into_iter().map(stored).collect()
}

/// Silences that are active or pending at `at`.
pub async fn current(
    reader: Reader<'_>,
    at: Timestamp,
) -> Result<Vec<(Uuid, Silence)>, StoreError> {
    const CURRENT: &str = "SELECT id, matchers, starts_at, ends_at, created_by, comment, created_at, updated_at \
        FROM silences WHERE ends_at > $1 ORDER BY id";
    let rows: Vec<Row> = reader
        .fetch_all(CURRENT, crate::args![to_micros(at)])
        .await?;
    rows.into_iter()
        .map(|row| stored(row).map(|s| (s.id, s.silence)))
        .filter(|item| {
            item.as_ref()
                .map_or(true, |(_, s)| s.state(at) != SilenceState::Expired)
        })
        .collect()
}
