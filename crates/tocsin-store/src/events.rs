//! The event log: append-only streams with a per-stream sequence and a SHA-256 hash chain. Appends
//! happen inside a write transaction next to the projection updates they explain.
use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;
use tocsin_domain::chain::{self, ChainBreak, ChainVerifier, Envelope, StoredLink};
use tocsin_domain::id::EventId;
use uuid::Uuid;

use crate::Reader;
use crate::conn::Conn;
use crate::error::StoreError;
use crate::sqlite_batch::PendingRow;
use crate::time::{from_micros, to_micros};
use crate::tx::Tx;

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

impl NewEvent {
    /// An event of `kind` on the `stream_type` stream `stream_id`.
    pub fn new(
        stream_type: &'static str,
        stream_id: Uuid,
        kind: &'static str,
        actor: &str,
        occurred_at: Timestamp,
        payload: serde_json::Value,
    ) -> Self {
        Self {
            stream_id,
            stream_type,
            kind,
            actor: actor.to_owned(),
            occurred_at,
            payload,
        }
    }
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

const LAST_POSITION: &str = "SELECT COALESCE(MAX(position), 0) FROM events";
const HEAD: &str = "SELECT seq, hash FROM events WHERE stream_id = $1 ORDER BY seq DESC LIMIT 1";
/// The SQLite writer asks the stream index alone: its own heads cover every stream in the
/// unindexed tail (see `event_index`).
const HEAD_INDEXED: &str = "SELECT e.seq, e.hash FROM event_stream_index i \
    JOIN events e ON e.position = i.position WHERE i.stream_id = $1 ORDER BY i.seq DESC LIMIT 1";
const INSERT: &str = "INSERT INTO events \
    (stream_id, seq, event_id, stream_type, kind, actor, occurred_at, payload, payload_digest, prev_hash, hash) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING position";

/// PostgreSQL serialises appenders to one stream with a transaction-scoped advisory lock; the
/// SQLite writer is already the only appender.
const LOCK_STREAM_PG: &str = "SELECT pg_advisory_xact_lock($1)";
/// The same for an incident's timeline, announcing it (at commit) to every node's live timeline
/// readers: the payload is the incident id. PostgreSQL delivers one notification per distinct
/// payload per transaction, and the lock's round trip carries it.
const LOCK_AND_ANNOUNCE_PG: &str = "SELECT pg_advisory_xact_lock($1), pg_notify($2, $3)";

/// The PostgreSQL channel announcing new entries on incident timelines (payload: the incident id).
pub const TIMELINE_CHANNEL: &str = "tocsin_incident_timeline";

fn stream_lock_key(stream_id: Uuid) -> i64 {
    let (high, low) = stream_id.as_u64_pair();
    i64::from_ne_bytes((high ^ low).to_ne_bytes())
}

impl Tx {
    /// Appends one event to its stream, chaining it to the stream's previous event.
    ///
    /// On SQLite the row is written with the batch's other events just before the commit, so reads
    /// of `events` inside the same write do not see it yet; on PostgreSQL it is inserted at once.
    pub async fn append(&mut self, event: NewEvent) -> Result<Arc<StoredEvent>, StoreError> {
        self.append_to(event, false).await
    }

    /// Appends the first event of a stream created in this very write, whose id was just generated
    /// (a new alert, a new incident): it starts at the genesis, so the SQLite writer need not ask
    /// the database for the stream's head. The event and its hash are exactly what `append` makes.
    pub async fn append_first(&mut self, event: NewEvent) -> Result<Arc<StoredEvent>, StoreError> {
        self.append_to(event, true).await
    }

    async fn append_to(
        &mut self,
        event: NewEvent,
        fresh: bool,
    ) -> Result<Arc<StoredEvent>, StoreError> {
        let payload_text = serde_json::to_string(&event.payload)
            .map_err(|e| StoreError::Unavailable(format!("payload not serialisable: {e}")))?;
        let occurred_at_us = to_micros(event.occurred_at);
        let digest = chain::payload_digest(payload_text.as_bytes());
        let event_id = EventId::new(event.occurred_at).as_uuid();
        let position = if self.batch.is_some() {
            self.append_buffered(
                &event,
                fresh,
                event_id,
                occurred_at_us,
                payload_text,
                digest,
            )
            .await?
        } else {
            self.append_now(&event, event_id, occurred_at_us, &payload_text, digest)
                .await?
        };
        // One allocation shared by the caller's answer and the bus publication after the commit.
        let stored = Arc::new(StoredEvent {
            position: position.0,
            event_id,
            stream_id: event.stream_id,
            stream_type: event.stream_type.to_owned(),
            seq: position.1,
            kind: event.kind.to_owned(),
            actor: event.actor,
            occurred_at: from_micros(occurred_at_us),
            payload: event.payload,
        });
        self.appended.push(Arc::clone(&stored));
        Ok(stored)
    }

    /// The stream's head as stored: (sequence, hash), or the genesis of an empty stream.
    async fn stored_head(
        &mut self,
        head_sql: &'static str,
        stream_id: Uuid,
    ) -> Result<(i64, chain::Hash), StoreError> {
        let head: Option<(i64, Vec<u8>)> = self
            .fetch_optional(head_sql, crate::args![stream_id])
            .await?;
        Ok(match head {
            Some((seq, hash)) => (seq, hash.as_slice().try_into().unwrap_or(chain::GENESIS)),
            None => (0, chain::GENESIS),
        })
    }

    /// SQLite writer: chain from the known head and buffer the row for the batch's INSERT.
    async fn append_buffered(
        &mut self,
        event: &NewEvent,
        fresh: bool,
        event_id: Uuid,
        occurred_at_us: i64,
        payload: String,
        digest: chain::Hash,
    ) -> Result<(i64, i64), StoreError> {
        let known = if fresh {
            Some((0, chain::GENESIS))
        } else {
            self.batch
                .as_ref()
                .and_then(|b| b.heads.get(&event.stream_id).copied())
        };
        let (last_seq, previous) = match known {
            Some(head) => head,
            None => self.stored_head(HEAD_INDEXED, event.stream_id).await?,
        };
        let next_position = match self.batch.as_ref().and_then(|b| b.next_position) {
            Some(position) => position,
            None => {
                let last: i64 = self.scalar(LAST_POSITION, crate::args![]).await?;
                last + 1
            }
        };
        let seq = last_seq + 1;
        let envelope = Envelope {
            stream_id: event.stream_id,
            seq,
            kind: event.kind,
            actor: &event.actor,
            occurred_at_us,
        };
        let hash = chain::link_hash(&previous, &envelope, &digest);
        let Some(batch) = self.batch.as_mut() else {
            return Err(StoreError::Unavailable("the SQLite batch is gone".into()));
        };
        batch.advance_head(event.stream_id, (seq, hash));
        batch.next_position = Some(next_position + 1);
        batch.rows.push(PendingRow {
            position: next_position,
            stream_id: event.stream_id,
            seq,
            event_id,
            stream_type: event.stream_type,
            kind: event.kind,
            actor: event.actor.clone(),
            occurred_at_us,
            payload,
            payload_digest: digest,
            prev_hash: previous,
            hash,
        });
        Ok((next_position, seq))
    }

    /// PostgreSQL: serialise appenders to the stream, read its head, insert.
    async fn append_now(
        &mut self,
        event: &NewEvent,
        event_id: Uuid,
        occurred_at_us: i64,
        payload: &str,
        digest: chain::Hash,
    ) -> Result<(i64, i64), StoreError> {
        if let Conn::Postgres(c) = self.conn().await? {
            let lock = stream_lock_key(event.stream_id);
            if event.stream_type == "incident" {
                sqlx::query(LOCK_AND_ANNOUNCE_PG)
                    .bind(lock)
                    .bind(TIMELINE_CHANNEL)
                    .bind(event.stream_id.to_string())
                    .execute(&mut *c)
                    .await?;
            } else {
                sqlx::query(LOCK_STREAM_PG)
                    .bind(lock)
                    .execute(&mut *c)
                    .await?;
            }
        }
        let (last_seq, previous) = self.stored_head(HEAD, event.stream_id).await?;
        let seq = last_seq + 1;
        let envelope = Envelope {
            stream_id: event.stream_id,
            seq,
            kind: event.kind,
            actor: &event.actor,
            occurred_at_us,
        };
        let hash = chain::link_hash(&previous, &envelope, &digest);
        let position: i64 = self
            .scalar(
                INSERT,
                crate::args![
                    event.stream_id,
                    seq,
                    event_id,
                    event.stream_type,
                    event.kind,
                    &event.actor,
                    occurred_at_us,
                    payload,
                    digest.as_slice(),
                    previous.as_slice(),
                    hash.as_slice()
                ],
            )
            .await?;
        Ok((position, seq))
    }
}

crate::sql_row! {
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
/// SQLite: the stream's indexed events and its events in the unindexed tail, in one statement (one
/// snapshot), so an event being indexed meanwhile is seen exactly once.
const READ_STREAM_SQLITE: &str = "SELECT e.position, e.event_id, e.stream_id, e.stream_type, e.seq, e.kind, e.actor, \
    e.occurred_at, e.payload FROM ( \
        SELECT seq, position FROM event_stream_index WHERE stream_id = $1 AND seq > $2 \
        UNION ALL \
        SELECT seq, position FROM events \
        WHERE position > (SELECT indexed_through FROM event_index_progress WHERE id = 1) \
          AND stream_id = $1 AND seq > $2 \
        ORDER BY seq LIMIT $3) AS k \
    JOIN events e ON e.position = k.position ORDER BY k.seq";

/// Reads a stream's events after `after_seq`, oldest first, at most `limit`.
pub async fn read_stream(
    reader: Reader<'_>,
    stream_id: Uuid,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    let sql = match reader {
        Reader::Sqlite(_) => READ_STREAM_SQLITE,
        Reader::Postgres(_) => READ_STREAM,
    };
    let rows: Vec<EventRow> = reader
        .fetch_all(sql, crate::args![stream_id, after_seq, limit])
        .await?;
    Ok(rows.into_iter().map(StoredEvent::from).collect())
}

/// What `verify_all` checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VerifyReport {
    pub streams: u64,
    pub events: u64,
}

// `cursor_*` is where the page's key cursor is: the index's (stream, seq) on SQLite, which a
// tampered event row cannot move.
crate::sql_row! {
    struct LinkRow {
        cursor_stream: Uuid,
        cursor_seq: i64,
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
}

const VERIFY_PAGE: &str = "SELECT stream_id AS cursor_stream, seq AS cursor_seq, stream_id, seq, kind, actor, \
    occurred_at, payload, payload_digest, prev_hash, hash \
    FROM events WHERE stream_id > $1 OR (stream_id = $1 AND seq > $2) ORDER BY stream_id, seq LIMIT $3";
/// SQLite: one page of the stream index and the unindexed tail merged in (stream, seq) order, in
/// one statement. The chain is checked on the event rows themselves.
const VERIFY_PAGE_SQLITE: &str = "SELECT k.stream_id AS cursor_stream, k.seq AS cursor_seq, e.stream_id, e.seq, \
    e.kind, e.actor, e.occurred_at, e.payload, e.payload_digest, e.prev_hash, e.hash FROM ( \
        SELECT stream_id, seq, position FROM event_stream_index WHERE (stream_id, seq) > ($1, $2) \
        UNION ALL \
        SELECT stream_id, seq, position FROM events \
        WHERE position > (SELECT indexed_through FROM event_index_progress WHERE id = 1) \
          AND (stream_id, seq) > ($1, $2) \
        ORDER BY stream_id, seq LIMIT $3) AS k \
    JOIN events e ON e.position = k.position ORDER BY k.stream_id, k.seq";
const COUNT_EVENTS: &str = "SELECT COUNT(*) FROM events";

/// How many events the log holds (for progress bars).
pub async fn count_events(reader: Reader<'_>) -> Result<i64, StoreError> {
    reader.scalar(COUNT_EVENTS, crate::args![]).await
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
    let page_sql = match reader {
        Reader::Sqlite(_) => VERIFY_PAGE_SQLITE,
        Reader::Postgres(_) => VERIFY_PAGE,
    };
    loop {
        let rows: Vec<LinkRow> = reader
            .fetch_all(page_sql, crate::args![cursor.0, cursor.1, PAGE])
            .await?;
        let Some(last) = rows.last() else { break };
        cursor = (last.cursor_stream, last.cursor_seq);
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
