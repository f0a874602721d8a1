-- Escalation timers (sqlite): at most one per open incident, the next thing its escalation does and
-- when. The engine sleeps until the earliest due_at (an in-memory wake-up, no polling), processes
-- every due timer in one transaction each batch (on PostgreSQL claimed with FOR UPDATE SKIP LOCKED,
-- so several nodes share them), pages, and re-arms or idles the row in that same transaction.
-- Any change to the incident (acknowledged, resolved) makes its timer due at once, so the engine
-- re-decides straight away.

CREATE TABLE escalation_timers (
    incident_id BLOB    PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('step', 'ack_timeout')),
    -- The policy chosen when the first step was due (NULL until then: routing rules decide at
    -- the first page, after any group wait).
    policy_id   BLOB    REFERENCES escalation_policies (id) ON DELETE SET NULL,
    cycle       INTEGER NOT NULL DEFAULT 0,
    round       INTEGER NOT NULL DEFAULT 0,
    step        INTEGER NOT NULL DEFAULT 0,
    due_at      INTEGER, -- NULL: idle (nothing more to page unless escalated by hand)
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX escalation_timers_by_due ON escalation_timers (due_at);
