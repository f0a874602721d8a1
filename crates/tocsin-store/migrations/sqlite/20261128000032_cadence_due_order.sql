-- The cadence worker takes due instants in (next_at, incident_id) order, LIMIT 200: with the id in
-- the index the walk stops at the limit instead of sorting every incident due at the same instant
-- (a burst of new incidents is due together).
DROP INDEX incident_cadence_next;
CREATE INDEX incident_cadence_due ON incident_cadence (next_at, incident_id);
