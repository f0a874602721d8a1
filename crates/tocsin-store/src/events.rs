//! The event log: append-only streams with a per-stream sequence and a SHA-256 hash chain. Appends
//! happen inside a write transaction next to the projection updates they explain.
use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::chain::{self, ChainBreak, ChainVerifier, Envelope, StoredLink};
use tocsin_domain::id::EventId;
use uuid::Uuid;

use crate::conn::Conn;
use crate::error::StoreError;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;
use crate::{Reader, with_conn, with_reader};

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// The aggregate the event belongs to (a team, a service, an incident ...).
    pub stream_id: Uuid,
    /// What kind of aggregate: `team`, `service`, `user` ...
    pub stream_type: &'static str,
    /// What happened: `team.created`, `service.updated` ...
    pub kind: &'static str,
    /// Who did it: `user:<id>`, `token:<id>`, `system`.
    pub actor: String,
    pub occurred_at: Timestamp,
    pub payload: serde_json::Value,
}

/// An event as stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredEvent {
    pub position: i64,
    pub event_id: Uuid,
    pub stream_id: Uuid,
    pub stream_type: String,
    pub seq: i64,
    pub kind: String,
    pub actor: String,
    pub occurred_at: Timestamp,
    pub payload: serde_json::Value,
}

const HEAD: &str = "SELECT seq, hash FROM events WHERE stream_id = $1 ORDER BY seq DESC LIMIT 1";
const INSERT: &str = "INSERT INTO events \
    (stream_id, seq, event_id, stream_type, kind, actor, occurred_at, payload, payload_digest, prev_hash, hash) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING position";

/// PostgreSQL serialises appenders to one stream with a transaction-scoped advisory lock; the
/// SQLite writer is already the only appender.
const LOCK_STREAM_PG: &str = "SELECT pg_advisory_xact_lock($1)";

fn stream_lock_key(stream_id: Uuid) -> i64 {
    let (high, low) = stream_id.as_u64_pair();
    i64::from_ne_bytes((high ^ low).to_ne_bytes())
}

impl Tx {
    /// Appends one event to its stream, chaining it to the stream's previous event.
    pub async fn append(&mut self, event: NewEvent) -> Result<StoredEvent, StoreError> {
        if let Conn::Postgres(c) = self.conn() {
            sqlx::query(LOCK_STREAM_PG)
                .bind(stream_lock_key(event.stream_id))
                .execute(&mut *c)
                .await?;
        }
        let known = self
            .heads
            .as_ref()
            .and_then(|heads| heads.get(&event.stream_id).copied());
        let (seq, previous) = match known {
            Some((seq, hash)) => (seq + 1, hash),
            None => {
                let head: Option<(i64, Vec<u8>)> = with_conn!(self.conn(), c => sqlx::query_as(HEAD).bind(event.stream_id).fetch_optional(&mut *c).await)?;
                match head {
                    Some((seq, hash)) => (
                        seq + 1,
                        hash.as_slice().try_into().unwrap_or(chain::GENESIS),
                    ),
                    None => (1, chain::GENESIS),
                }
            }
        };
        let payload_text = serde_json::to_string(&event.payload)
            .map_err(|e| StoreError::Unavailable(format!("payload not serialisable: {e}")))?;
        let occurred_at_us = to_micros(event.occurred_at);
        let digest = chain::payload_digest(payload_text.as_bytes());
        let envelope = Envelope {
            stream_id: event.stream_id,
            seq,
            kind: event.kind,
            actor: &event.actor,
            occurred_at_us,
        };
        let hash = chain::link_hash(&previous, &envelope, &digest);
        let event_id = EventId::new(event.occurred_at).as_uuid();
        let position: i64 = with_conn!(self.conn(), c => sqlx::query_scalar(INSERT)
            .bind(event.stream_id)
            .bind(seq)
            .bind(event_id)
            .bind(event.stream_type)
            .bind(event.kind)
            .bind(&event.actor)
            .bind(occurred_at_us)
            .bind(&payload_text)
            .bind(digest.as_slice())
            .bind(previous.as_slice())
            .bind(hash.as_slice())
            .fetch_one(&mut *c)
            .await)?;
        let stored = StoredEvent {
            position,
            event_id,
            stream_id: event.stream_id,
            stream_type: event.stream_type.to_owned(),
            seq,
            kind: event.kind.to_owned(),
            actor: event.actor,
            occurred_at: from_micros(occurred_at_us),
            payload: event.payload,
        };
        if let Some(heads) = self.heads.as_mut() {
            heads.insert(event.stream_id, (seq, hash));
        }
        self.appended.push(stored.clone());
        Ok(stored)
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    position: i64,
    event_id: Uuid,
    stream_id: Uuid,
    stream_type: String,
    seq: i64,
    kind: String,
    actor: String,
    occurred_at: i64,
    payload: String,
}

impl From<EventRow> for StoredEvent {
    fn from(row: EventRow) -> Self {
        Self {
            position: row.position,
            event_id: row.event_id,
            stream_id: row.stream_id,
            stream_type: row.stream_type,
            seq: row.seq,
            kind: row.kind,
            actor: row.actor,
            occurred_at: from_micros(row.occurred_at),
            payload: serde_json::from_str(&row.payload)
                .unwrap_or(serde_json::Value::String(row.payload)),
        }
    }
}

const READ_STREAM: &str = "SELECT position, event_id, stream_id, stream_type, seq, kind, actor, occurred_at, payload \
    FROM events WHERE stream_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";

/// Reads a stream's events after `after_seq`, oldest first, at most `limit`.
pub async fn read_stream(
    reader: Reader<'_>,
    stream_id: Uuid,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    let rows: Vec<EventRow> = with_reader!(reader, p => sqlx::query_as(READ_STREAM)
        .bind(stream_id).bind(after_seq).bind(limit).fetch_all(p).await)?;
    Ok(rows.into_iter().map(StoredEvent::from).collect())
}

/// What `verify_all` checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VerifyReport {
    pub streams: u64,
    pub events: u64,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    stream_id: Uuid,
    seq: i64,
    kind: String,
    actor: String,
    occurred_at: i64,
    payload: String,
    payload_digest: Vec<u8>,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

const VERIFY_PAGE: &str = "SELECT stream_id, seq, kind, actor, occurred_at, payload, payload_digest, prev_hash, hash \
    FROM events WHERE stream_id > $1 OR (stream_id = $1 AND seq > $2) ORDER BY stream_id, seq LIMIT $3";
const COUNT_EVENTS: &str = "SELECT COUNT(*) FROM events";

/// How many events the log holds (for progress bars).
pub async fn count_events(reader: Reader<'_>) -> Result<i64, StoreError> {
    Ok(with_reader!(reader, p => sqlx::query_scalar(COUNT_EVENTS).fetch_one(p).await)?)
}

/// Verifies every stream's chain, in pages, calling `progress` with the events checked so far.
/// Returns the first break found.
pub async fn verify_all(
    reader: Reader<'_>,
    mut progress: impl FnMut(u64),
) -> Result<Result<VerifyReport, ChainBreak>, StoreError> {
    const PAGE: i64 = 2_000;
    let mut report = VerifyReport::default();
    let mut cursor = (Uuid::nil(), 0_i64);
    let mut verifier: Option<ChainVerifier> = None;
    loop {
        let rows: Vec<LinkRow> = with_reader!(reader, p => sqlx::query_as(VERIFY_PAGE)
            .bind(cursor.0).bind(cursor.1).bind(PAGE).fetch_all(p).await)?;
        let Some(last) = rows.last() else { break };
        cursor = (last.stream_id, last.seq);
        let page_len = rows.len();
        for row in rows {
            let current = match &mut verifier {
                Some(v) if v.stream_id() == row.stream_id => v,
                slot => {
                    report.streams += 1;
                    slot.insert(ChainVerifier::new(row.stream_id))
                }
            };
            let link = StoredLink {
                seq: row.seq,
                kind: row.kind,
                actor: row.actor,
                occurred_at_us: row.occurred_at,
                payload: row.payload,
                payload_digest: row.payload_digest,
                prev_hash: row.prev_hash,
                hash: row.hash,
                redacted: false,
            };
            if let Err(broken) = current.check(&link) {
                return Ok(Err(broken));
            }
            report.events += 1;
        }
        progress(report.events);
        if page_len < PAGE as usize {
            break;
        }
    }
    Ok(Ok(report))
}
