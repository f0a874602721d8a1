-- Notification outbox (sqlite): one row per (incident, escalation step, contact method, kind), so a
-- page is sent once even with several nodes; the delivery worker claims due rows with a lease and
-- a fencing token. `action_link_uses` makes signed action links single-use; `signing_keys` holds
-- the server's HMAC key for them (created at first use); `notification_templates` holds the
-- message templates users edited (the defaults are built in).

CREATE TABLE notification_outbox (
    id                BLOB    PRIMARY KEY,
    incident_id       BLOB    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    user_id           BLOB    REFERENCES users (id) ON DELETE SET NULL,
    contact_method_id BLOB    NOT NULL, -- no reference: contact methods live in their own slice
    step_key          TEXT    NOT NULL, -- chosen by the escalation engine, e.g. c0.r0.s1
    kind              TEXT    NOT NULL,
    urgency           TEXT    NOT NULL,
    channel           TEXT    NOT NULL,
    address           TEXT    NOT NULL,
    secret            TEXT,             -- a webhook's signing secret
    recipient_name    TEXT,
    state             TEXT    NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'sending', 'delivered', 'failed', 'canceled')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER NOT NULL,
    claimed_by        TEXT,
    lease_until       INTEGER,
    fence             INTEGER NOT NULL DEFAULT 0,
    last_delay_ms     INTEGER,          -- the delay before the current attempt (decorrelated jitter)
    last_outcome      TEXT,
    receipt           TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (incident_id, step_key, contact_method_id, kind)
);
CREATE INDEX notification_outbox_due ON notification_outbox (state, next_attempt_at);

CREATE TABLE action_link_uses (
    link_id BLOB    PRIMARY KEY,
    used_at INTEGER NOT NULL,
    actor   TEXT    NOT NULL
);

CREATE TABLE signing_keys (
    name       TEXT    PRIMARY KEY,
    key        BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE notification_templates (
    kind       TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    subject    TEXT,
    text       TEXT    NOT NULL,
    html       TEXT,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_by TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, channel)
);
