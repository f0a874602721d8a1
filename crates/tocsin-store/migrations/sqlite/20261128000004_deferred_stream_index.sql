-- The event log's per-stream index leaves the commit path (sqlite). A `UNIQUE (stream_id, seq)`
-- index on `events` made every event appended to a different stream dirty a different index leaf
-- at commit, which capped durable appends far below the rowid table's own rate
-- (docs/perf/sqlite_ceiling.c). The stream index is now a table of its own, filled by the single
-- writer in large sorted batches: rows with `position <= indexed_through` are in
-- `event_stream_index`; the few after it (the unindexed tail) are found by a short scan of
-- `events` by position. Readers take both in one statement, so they always see every event once.
-- The writer assigns `seq` from the stream heads it holds (it is SQLite's only appender), and the
-- primary key below still refuses any duplicate (stream_id, seq) when the tail is indexed.

CREATE TABLE events_unindexed (
    position       INTEGER PRIMARY KEY,
    stream_id      BLOB    NOT NULL,
    seq            INTEGER NOT NULL,
    event_id       BLOB    NOT NULL, -- UUIDv7, unique by construction; `position` is the global key
    stream_type    TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    occurred_at    INTEGER NOT NULL,
    payload        TEXT    NOT NULL,
    payload_digest BLOB    NOT NULL,
    prev_hash      BLOB    NOT NULL,
    hash           BLOB    NOT NULL
);
INSERT INTO events_unindexed SELECT * FROM events ORDER BY position;
DROP TABLE events;
ALTER TABLE events_unindexed RENAME TO events;

CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: UPDATE refused');
END;

CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: DELETE refused');
END;

CREATE TABLE event_stream_index (
    stream_id BLOB    NOT NULL,
    seq       INTEGER NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (stream_id, seq)
) WITHOUT ROWID;
INSERT INTO event_stream_index (stream_id, seq, position)
    SELECT stream_id, seq, position FROM events ORDER BY stream_id, seq;

CREATE TRIGGER event_stream_index_refuse_update BEFORE UPDATE ON event_stream_index
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: UPDATE refused');
END;

CREATE TRIGGER event_stream_index_refuse_delete BEFORE DELETE ON event_stream_index
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: DELETE refused');
END;

-- Every event with `position <= indexed_through` has its row in `event_stream_index`.
CREATE TABLE event_index_progress (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_through INTEGER NOT NULL
);
INSERT INTO event_index_progress (id, indexed_through)
    SELECT 1, COALESCE(MAX(position), 0) FROM events;
