-- Incident resolution (sqlite): how it was resolved (strategy and reasoning), the recovery checklist
-- confirmed before it may resolve, and its bridge with the meeting cadence. Every change is also an
-- event on the incident's timeline.

CREATE TABLE incident_resolutions (
    incident_id BLOB    PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    strategy    TEXT    NOT NULL
        CHECK (strategy IN ('rollback', 'hotfix', 'workaround', 'failover', 'other')),
    reasoning   TEXT    NOT NULL,
    recorded_by TEXT    NOT NULL,
    recorded_at INTEGER NOT NULL
);

CREATE TABLE incident_recovery_checks (
    id                BLOB    PRIMARY KEY,
    incident_id       BLOB    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    kind              TEXT    NOT NULL CHECK (kind IN ('technical', 'business')),
    description       TEXT    NOT NULL,
    created_by        TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    confirmed_by      TEXT,
    confirmed_at      INTEGER,
    confirmation_note TEXT
);
CREATE INDEX incident_recovery_checks_by_incident ON incident_recovery_checks (incident_id, created_at);

CREATE TABLE incident_bridges (
    incident_id             BLOB    PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    url                     TEXT    NOT NULL,
    meeting_cadence_minutes INTEGER,
    first_checkpoint_at     INTEGER,
    set_by                  TEXT    NOT NULL,
    set_at                  INTEGER NOT NULL
);
