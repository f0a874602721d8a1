//! What the SQLite writer keeps while it runs a group-commit batch: the stream heads it knows, the
//! event rows appended so far (written just before COMMIT, so an append costs no statement of its
//! own), the next log position, and the per-operation undo information that
//! lets a failed operation vanish without touching the rest of the batch.
use std::collections::HashMap;

use tocsin_domain::chain::Hash;
use uuid::Uuid;

/// The last (sequence, hash) of each stream. The writer is SQLite's only appender, so a known head
/// stays right until the writer itself changes it.
pub(crate) type StreamHeads = HashMap<Uuid, (i64, Hash)>;

/// The writer forgets every head (they are read again on demand) past this many streams, at the
/// next index flush.
pub(crate) const MAX_KNOWN_HEADS: usize = 100_000;

/// One event row waiting for the batch's INSERT.
#[derive(Debug, Clone)]
pub(crate) struct PendingRow {
    pub position: i64,
    pub stream_id: Uuid,
    pub seq: i64,
    pub event_id: Uuid,
    pub stream_type: &'static str,
    pub kind: &'static str,
    pub actor: String,
    pub occurred_at_us: i64,
    pub payload: String,
    pub payload_digest: Hash,
    pub prev_hash: Hash,
    pub hash: Hash,
}

/// The writer's state for one batch; heads and the position counter carry over to the next.
#[derive(Debug, Default)]
pub(crate) struct SqliteBatch {
    pub heads: StreamHeads,
    pub next_position: Option<i64>,
    /// Every event at or before this position is in `event_stream_index`; `None` when unknown (at
    /// start-up and after a failed commit), so the next batch indexes the tail before anything else.
    pub indexed_through: Option<i64>,
    pub rows: Vec<PendingRow>,
    /// Whether the current operation has opened its savepoint (it does before its first statement;
    /// an operation that only appends never does).
    pub savepoint_open: bool,
    /// Heads as they were before the current operation changed them.
    undo_heads: Vec<(Uuid, Option<(i64, Hash)>)>,
    rows_before: usize,
    position_before: Option<i64>,
}

impl SqliteBatch {
    pub fn new(heads: StreamHeads, next_position: Option<i64>) -> Self {
        Self {
            heads,
            next_position,
            ..Self::default()
        }
    }

    /// What carries over to the next batch: heads, the position counter and the index progress.
    pub fn carry_over(self) -> Self {
        Self {
            indexed_through: self.indexed_through,
            ..Self::new(self.heads, self.next_position)
        }
    }

    /// The position of the last event written, when known.
    pub fn last_position(&self) -> Option<i64> {
        self.next_position.map(|next| next - 1)
    }

    /// Records that the index now holds every event through `position`. The tail is empty, so
    /// this is the one moment the heads may be forgotten (see `event_index`).
    pub fn indexed(&mut self, position: i64) {
        self.indexed_through = Some(position);
        if self.heads.len() > MAX_KNOWN_HEADS {
            self.heads.clear();
        }
    }

    /// Marks the start of an operation.
    pub fn begin_operation(&mut self) {
        self.undo_heads.clear();
        self.rows_before = self.rows.len();
        self.position_before = self.next_position;
        self.savepoint_open = false;
    }

    /// Records a stream's new head, remembering the old one for a rollback.
    pub fn advance_head(&mut self, stream_id: Uuid, head: (i64, Hash)) {
        let previous = self.heads.insert(stream_id, head);
        self.undo_heads.push((stream_id, previous));
    }

    /// Undoes the current operation's appends; returns whether its savepoint must be rolled back.
    pub fn abandon_operation(&mut self) -> bool {
        for (stream_id, previous) in self.undo_heads.drain(..).rev() {
            match previous {
                Some(head) => self.heads.insert(stream_id, head),
                None => self.heads.remove(&stream_id),
            };
        }
        self.rows.truncate(self.rows_before);
        self.next_position = self.position_before;
        std::mem::take(&mut self.savepoint_open)
    }

    /// After a failed commit nothing the batch did is true: start over from the database.
    pub fn forget_everything(&mut self) {
        self.heads.clear();
        self.rows.clear();
        self.next_position = None;
        self.indexed_through = None;
    }
}

/// Writes the batch's event rows: one prepared INSERT, run once per row on the writer's own
/// connection (no round trip to pay, so a multi-row statement would buy nothing).
pub(crate) fn flush(
    connection: &rusqlite::Connection,
    rows: &[PendingRow],
) -> Result<(), rusqlite::Error> {
    let mut insert = connection.prepare_cached(
        "INSERT INTO events (position, stream_id, seq, event_id, stream_type, kind, actor, occurred_at, \
         payload, payload_digest, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for row in rows {
        insert.execute(rusqlite::params![
            row.position,
            &row.stream_id.as_bytes()[..],
            row.seq,
            &row.event_id.as_bytes()[..],
            row.stream_type,
            row.kind,
            row.actor,
            row.occurred_at_us,
            row.payload,
            &row.payload_digest[..],
            &row.prev_hash[..],
            &row.hash[..],
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(position: i64, stream_id: Uuid, seq: i64) -> PendingRow {
        PendingRow {
            position,
            stream_id,
            seq,
            event_id: Uuid::now_v7(),
            stream_type: "test",
            kind: "test.happened",
            actor: "system".into(),
            occurred_at_us: 0,
            payload: "{}".into(),
            payload_digest: [0; 32],
            prev_hash: [0; 32],
            hash: [seq as u8; 32],
        }
    }

    #[test]
    fn abandoning_an_operation_restores_heads_rows_and_positions() {
        let stream = Uuid::now_v7();
        let fresh = Uuid::now_v7();
        let mut batch = SqliteBatch::new(StreamHeads::from([(stream, (4, [4; 32]))]), Some(10));
        batch.begin_operation();
        batch.advance_head(stream, (5, [5; 32]));
        batch.rows.push(row(10, stream, 5));
        batch.next_position = Some(11);
        assert!(
            !batch.abandon_operation(),
            "it never touched the connection"
        );
        // A successful operation keeps its changes.
        batch.begin_operation();
        batch.advance_head(stream, (5, [5; 32]));
        batch.rows.push(row(10, stream, 5));
        batch.next_position = Some(11);
        // A failing one that appended twice to one stream and once to a new stream.
        batch.begin_operation();
        batch.advance_head(stream, (6, [6; 32]));
        batch.advance_head(stream, (7, [7; 32]));
        batch.advance_head(fresh, (1, [1; 32]));
        batch
            .rows
            .extend([row(11, stream, 6), row(12, stream, 7), row(13, fresh, 1)]);
        batch.next_position = Some(14);
        batch.savepoint_open = true;
        assert!(
            batch.abandon_operation(),
            "its savepoint must be rolled back"
        );
        assert_eq!(batch.heads.get(&stream), Some(&(5, [5; 32])));
        assert_eq!(batch.heads.get(&fresh), None);
        assert_eq!(batch.rows.len(), 1);
        assert_eq!(batch.next_position, Some(11));
    }
}
