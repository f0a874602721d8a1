-- Nothing to do on PostgreSQL: its `events` keeps `UNIQUE (stream_id, seq)`, because appenders on
-- several nodes commit on their own and the index is what serialises their sequence numbers. The
-- SQLite schema moved that index off the commit path in this version (see the sqlite migration).
SELECT 1;
