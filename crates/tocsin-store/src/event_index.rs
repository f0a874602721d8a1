//! SQLite's deferred per-stream index of the event log. Events are committed without touching an
//! index keyed by stream (which would dirty one index leaf per stream per commit); the writer
//! copies them into `event_stream_index` in large sorted batches, and readers take the indexed part
//! and the short unindexed tail (`position > indexed_through`) in one statement.
//!
//! The writer's stream heads always cover the tail: every append records its stream's head, and
//! the heads are only forgotten right after a flush, when the tail is empty. So the writer finds
//! an unknown stream's head in the index alone.

/// Index the tail once it holds this many events (one sorted INSERT per flush).
pub(crate) const FLUSH_EVERY_EVENTS: i64 = 16_384;

/// With nothing to write for this long, the writer indexes whatever tail there is.
pub(crate) const IDLE_FLUSH_AFTER: std::time::Duration = std::time::Duration::from_millis(200);

const COPY_TAIL: &str = "INSERT INTO event_stream_index (stream_id, seq, position) \
    SELECT stream_id, seq, position FROM events \
    WHERE position > (SELECT indexed_through FROM event_index_progress WHERE id = 1) \
    ORDER BY stream_id, seq";
const ADVANCE: &str = "UPDATE event_index_progress \
    SET indexed_through = (SELECT COALESCE(MAX(position), 0) FROM events) WHERE id = 1 \
    RETURNING indexed_through";

/// Copies the unindexed tail into the index inside the caller's transaction; returns the position
/// now indexed through. A duplicate (stream_id, seq) fails it with the index's uniqueness error.
pub(crate) fn flush(connection: &rusqlite::Connection) -> Result<i64, rusqlite::Error> {
    connection.prepare_cached(COPY_TAIL)?.execute([])?;
    connection
        .prepare_cached(ADVANCE)?
        .query_row([], |row| row.get(0))
}

/// Whether the batch about to commit should index the tail: it is long enough, or the writer holds
/// more stream heads than it keeps (they may only be forgotten once the tail is indexed).
pub(crate) fn flush_due(
    indexed_through: i64,
    last_position: Option<i64>,
    known_heads: usize,
    max_known_heads: usize,
) -> bool {
    let tail = last_position.map_or(0, |last| last - indexed_through);
    tail >= FLUSH_EVERY_EVENTS || known_heads > max_known_heads
}

/// Whether there are events the index does not hold yet. Unknown progress (start-up, after a
/// failed commit) counts as none: the next batch indexes the tail first anyway.
pub(crate) fn has_tail(indexed_through: Option<i64>, last_position: Option<i64>) -> bool {
    matches!((indexed_through, last_position), (Some(indexed), Some(last)) if last > indexed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flush_is_due_for_a_long_tail_or_too_many_heads() {
        assert!(!flush_due(
            100,
            Some(100 + FLUSH_EVERY_EVENTS - 1),
            10,
            1_000
        ));
        assert!(flush_due(100, Some(100 + FLUSH_EVERY_EVENTS), 10, 1_000));
        assert!(flush_due(100, Some(101), 1_001, 1_000));
        assert!(!flush_due(100, None, 1_000, 1_000));
    }

    #[test]
    fn the_tail_is_what_lies_past_the_indexed_position() {
        assert!(has_tail(Some(10), Some(11)));
        assert!(!has_tail(Some(11), Some(11)));
        assert!(!has_tail(None, Some(11)));
        assert!(!has_tail(Some(0), None));
    }
}
