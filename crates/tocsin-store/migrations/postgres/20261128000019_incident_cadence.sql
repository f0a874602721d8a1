-- Status-update cadence and management escalation windows (postgres). The cadence worker projects the
-- facts it needs from the event log into `incident_cadence_facts` (priority changes, status
-- updates and reopenings, keyed by the event's position so a re-read event is kept once), reading the log by
-- position from `incident_cadence_cursor`. `incident_cadence` holds per incident what was acted
-- on (the due instant reminded of and the one missed, the management level escalated to) and
-- `next_at`, when it next has something to do, so the worker sleeps until the earliest;
-- `version` makes acting a compare-and-set. Delay justifications hold off management escalation.

CREATE TABLE incident_cadence_cursor (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    position BIGINT NOT NULL
);
INSERT INTO incident_cadence_cursor (id, position) VALUES (1, 0);

CREATE TABLE incident_cadence_facts (
    position    BIGINT PRIMARY KEY,
    incident_id UUID    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('priority', 'update', 'reopened')),
    at          BIGINT NOT NULL,
    priority    BIGINT -- the rank (1..5) a priority fact set; NULL: none
);
CREATE INDEX incident_cadence_facts_by_incident ON incident_cadence_facts (incident_id, at);

CREATE TABLE incident_cadence (
    incident_id     UUID    PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    next_at         BIGINT,
    reminded_due    BIGINT NOT NULL DEFAULT 0, -- the due instant whose reminder went out
    missed_due      BIGINT NOT NULL DEFAULT 0, -- the latest missed due instant notified
    escalated_level BIGINT NOT NULL DEFAULT 0,
    escalated_at    BIGINT,
    version         BIGINT NOT NULL DEFAULT 0,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX incident_cadence_next ON incident_cadence (next_at);

CREATE TABLE incident_delay_justifications (
    id          UUID    PRIMARY KEY,
    incident_id UUID    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    reason      TEXT    NOT NULL,
    from_at     BIGINT NOT NULL,
    until_at    BIGINT NOT NULL,
    created_by  TEXT    NOT NULL
);
CREATE INDEX incident_delay_justifications_by_incident
    ON incident_delay_justifications (incident_id, from_at);
