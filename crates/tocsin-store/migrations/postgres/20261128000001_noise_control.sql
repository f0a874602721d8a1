-- Noise control (postgres): thresholds, flap detection, transient pauses and group wait.
-- recent_occurrences: a held alert's latest occurrence instants (JSON array of µs, at most the
-- threshold's count); hold: which noise rule holds it (threshold, flapping, transient_pause);
-- held_until: when the held worker looks at it again; transient: it resolved within its pause.
ALTER TABLE alerts ADD COLUMN recent_occurrences TEXT;
ALTER TABLE alerts ADD COLUMN hold TEXT;
ALTER TABLE alerts ADD COLUMN held_until BIGINT;
ALTER TABLE alerts ADD COLUMN transient BOOLEAN NOT NULL DEFAULT FALSE;
-- The state changes of an alert key (flap detection) and the held worker's next deadline.
CREATE INDEX alerts_by_key ON alerts (service_id, dedup_key, first_seen_at);
CREATE INDEX alerts_held_until ON alerts (held_until) WHERE state = 'suppressed';
-- Group wait: the notification engine must not page for the incident before this instant.
ALTER TABLE incidents ADD COLUMN page_after BIGINT;
