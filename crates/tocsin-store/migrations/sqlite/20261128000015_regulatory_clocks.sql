-- Regulatory clocks (sqlite): an incident's regulatory profile (what it exposed, where, who owns
-- the reporting, and the start instants known so far), its obligations (one row per regime and
-- obligation, started once: the UNIQUE key keeps a second start out), and the holiday calendars
-- business-day deadlines count in. `stages_done` counts the reminder and escalation stages acted
-- on; `next_stage_at` is when the next one is due (NULL once filed, withdrawn or all done), so
-- the worker sleeps until the earliest. Seeded: `us-federal` (OPM federal holidays, observed
-- dates) and `target2` (TARGET2 closing days) for 2026 and 2027.

CREATE TABLE regulatory_profiles (
    incident_id               BLOB    PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    exposure                  TEXT    NOT NULL, -- JSON flags (personal_data, health_data ...)
    jurisdictions             TEXT    NOT NULL, -- JSON array of codes (EU, US, DE ...)
    owner_user_id             BLOB    NOT NULL REFERENCES users (id),
    escalation_user_id        BLOB    REFERENCES users (id),
    escalation_margin_minutes INTEGER,
    awareness_at              INTEGER NOT NULL,
    discovered_at             INTEGER,
    materiality_determined_at INTEGER,
    classified_at             INTEGER,
    version                   INTEGER NOT NULL DEFAULT 1,
    updated_at                INTEGER NOT NULL
);

CREATE TABLE regulatory_obligations (
    id            BLOB    PRIMARY KEY,
    incident_id   BLOB    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    regime        TEXT    NOT NULL,
    obligation    TEXT    NOT NULL,
    start_event   TEXT    NOT NULL,
    started_at    INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    owner_user_id BLOB    NOT NULL REFERENCES users (id),
    status        TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'filed', 'withdrawn')),
    stages_done   INTEGER NOT NULL DEFAULT 0,
    next_stage_at INTEGER,
    filed_at      INTEGER,
    filed_by      BLOB    REFERENCES users (id),
    approved_by   BLOB    REFERENCES users (id),
    reference     TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (incident_id, regime, obligation)
);
CREATE INDEX regulatory_obligations_next_stage ON regulatory_obligations (next_stage_at)
    WHERE status = 'open';

CREATE TABLE holiday_calendars (
    id         BLOB    PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    time_zone  TEXT    NOT NULL,
    holidays   TEXT    NOT NULL, -- JSON array of {"date": "2026-11-26", "name": "..."}, sorted
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL
);

INSERT INTO holiday_calendars (id, name, time_zone, holidays, updated_at) VALUES
    (X'019ac9f0000070008000000000000001', 'us-federal', 'America/New_York',
     '[{"date": "2026-01-01", "name": "New Year''s Day"}, {"date": "2026-01-19", "name": "Birthday of Martin Luther King, Jr."}, {"date": "2026-02-16", "name": "Washington''s Birthday"}, {"date": "2026-05-25", "name": "Memorial Day"}, {"date": "2026-06-19", "name": "Juneteenth National Independence Day"}, {"date": "2026-07-03", "name": "Independence Day (observed)"}, {"date": "2026-09-07", "name": "Labor Day"}, {"date": "2026-10-12", "name": "Columbus Day"}, {"date": "2026-11-11", "name": "Veterans Day"}, {"date": "2026-11-26", "name": "Thanksgiving Day"}, {"date": "2026-12-25", "name": "Christmas Day"}, {"date": "2027-01-01", "name": "New Year''s Day"}, {"date": "2027-01-18", "name": "Birthday of Martin Luther King, Jr."}, {"date": "2027-02-15", "name": "Washington''s Birthday"}, {"date": "2027-05-31", "name": "Memorial Day"}, {"date": "2027-06-18", "name": "Juneteenth National Independence Day (observed)"}, {"date": "2027-07-05", "name": "Independence Day (observed)"}, {"date": "2027-09-06", "name": "Labor Day"}, {"date": "2027-10-11", "name": "Columbus Day"}, {"date": "2027-11-11", "name": "Veterans Day"}, {"date": "2027-11-25", "name": "Thanksgiving Day"}, {"date": "2027-12-24", "name": "Christmas Day (observed)"}, {"date": "2027-12-31", "name": "New Year''s Day 2028 (observed)"}]', 0),
    (X'019ac9f0000070008000000000000002', 'target2', 'Europe/Berlin',
     '[{"date": "2026-01-01", "name": "New Year''s Day"}, {"date": "2026-04-03", "name": "Good Friday"}, {"date": "2026-04-06", "name": "Easter Monday"}, {"date": "2026-05-01", "name": "Labour Day"}, {"date": "2026-12-25", "name": "Christmas Day"}, {"date": "2026-12-26", "name": "Christmas Holiday"}, {"date": "2027-01-01", "name": "New Year''s Day"}, {"date": "2027-03-26", "name": "Good Friday"}, {"date": "2027-03-29", "name": "Easter Monday"}, {"date": "2027-05-01", "name": "Labour Day"}, {"date": "2027-12-25", "name": "Christmas Day"}, {"date": "2027-12-26", "name": "Christmas Holiday"}]', 0);
