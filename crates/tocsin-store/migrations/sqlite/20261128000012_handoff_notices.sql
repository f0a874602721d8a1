-- Handoff notices (sqlite): "you are now on call" / "you are no longer on call" at each shift
-- boundary of a schedule, to the people coming on and going off call. One row per (schedule,
-- user, boundary instant, direction, contact method) under a unique key, so a notice is queued
-- once however many nodes plan it; delivered like the outbox (claim with a lease and a fencing
-- token, retries with backoff) but kept apart from it: outbox rows belong to an incident.
-- `handoff_planning` holds the instant up to which boundaries were planned; boundaries found
-- later than the grace (the nodes were down) are recorded as 'skipped', never sent late.

CREATE TABLE handoff_preferences (
    user_id       BLOB    PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    on_call_start INTEGER NOT NULL,
    on_call_end   INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE handoff_notices (
    id                BLOB    PRIMARY KEY,
    schedule_id       BLOB    NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    user_id           BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    boundary_at       INTEGER NOT NULL,
    direction         TEXT    NOT NULL CHECK (direction IN ('on_call_start', 'on_call_end')),
    contact_method_id BLOB    NOT NULL, -- no reference: contact methods live in their own slice
    channel           TEXT    NOT NULL,
    address           TEXT    NOT NULL,
    secret            TEXT,             -- a webhook's signing secret
    recipient_name    TEXT    NOT NULL,
    handoff           TEXT    NOT NULL, -- the message's handoff summary (JSON)
    state             TEXT    NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'sending', 'delivered', 'failed', 'skipped')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER NOT NULL,
    claimed_by        TEXT,
    lease_until       INTEGER,
    fence             INTEGER NOT NULL DEFAULT 0,
    last_delay_ms     INTEGER,
    last_outcome      TEXT,
    receipt           TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (schedule_id, user_id, boundary_at, direction, contact_method_id)
);
CREATE INDEX handoff_notices_due ON handoff_notices (state, next_attempt_at);

CREATE TABLE handoff_planning (
    name          TEXT    PRIMARY KEY,
    planned_until INTEGER NOT NULL
);
