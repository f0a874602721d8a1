-- Heartbeat monitors (postgres): a service expects a ping every interval; a ping later than
-- interval + grace after the last one (or after creation) opens an alert, the next ping resolves
-- it. `secret` is the ping key in the URL; `due_at` is the engine's deadline.
CREATE TABLE heartbeats (
    id            UUID    PRIMARY KEY,
    service_id    UUID    NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    secret        TEXT    NOT NULL UNIQUE,
    interval_secs BIGINT NOT NULL,
    grace_secs    BIGINT NOT NULL,
    severity      TEXT    NOT NULL, -- critical, error, warning, info: the alert's severity
    state         TEXT    NOT NULL, -- waiting, up, down
    dedup_key     TEXT    NOT NULL, -- heartbeat:<id>, the alert it opens and resolves
    last_ping_at  BIGINT,
    due_at        BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL
);
CREATE INDEX heartbeats_by_service ON heartbeats (service_id, id);
-- The engine's next deadline: the earliest due_at of the heartbeats not already down.
CREATE INDEX heartbeats_due ON heartbeats (due_at) WHERE state <> 'down';
