-- Alerts and the minimal incident record they open (sqlite). Service and key ids carry no foreign
-- key: alerts and incidents are history and outlive a deleted service or a revoked key.

CREATE TABLE incidents (
    id               BLOB    PRIMARY KEY,
    number           INTEGER   NOT NULL UNIQUE,
    service_id       BLOB    NOT NULL,
    title            TEXT    NOT NULL,
    severity         TEXT    NOT NULL,
    status           TEXT    NOT NULL, -- triggered, acknowledged, resolved
    alert_count      INTEGER   NOT NULL DEFAULT 0,
    open_alert_count INTEGER   NOT NULL DEFAULT 0,
    -- Alerts beyond the service's open-alert cap, counted here instead of stored one by one.
    folded_alerts    INTEGER   NOT NULL DEFAULT 0,
    grouping_key     TEXT,
    created_at       INTEGER   NOT NULL,
    acknowledged_at  INTEGER,
    resolved_at      INTEGER,
    updated_at       INTEGER   NOT NULL
);
CREATE INDEX incidents_by_service_status ON incidents (service_id, status);
CREATE INDEX incidents_by_status ON incidents (status, id);

CREATE TABLE alerts (
    id                 BLOB    PRIMARY KEY,
    service_id         BLOB    NOT NULL,
    integration_key_id BLOB,
    source_kind        TEXT    NOT NULL, -- pagerduty, alertmanager, opsgenie, generic, heartbeat, api
    dedup_key          TEXT    NOT NULL,
    state              TEXT    NOT NULL, -- triggered, acknowledged, resolved, suppressed
    severity           TEXT    NOT NULL,
    summary            TEXT    NOT NULL,
    source             TEXT,
    component          TEXT,
    alert_group        TEXT,
    alert_class        TEXT,
    fields             TEXT    NOT NULL, -- the normalised field map (JSON object of strings)
    details            TEXT    NOT NULL, -- custom details (JSON)
    links              TEXT    NOT NULL, -- JSON array
    images             TEXT    NOT NULL, -- JSON array
    client             TEXT,
    client_url         TEXT,
    raw                TEXT    NOT NULL, -- the request body, capped
    raw_truncated      INTEGER   NOT NULL DEFAULT 0,
    occurrences        INTEGER   NOT NULL DEFAULT 1,
    first_seen_at      INTEGER   NOT NULL,
    last_seen_at       INTEGER   NOT NULL,
    acknowledged_at    INTEGER,
    resolved_at        INTEGER,
    incident_id        BLOB,
    explanation        TEXT    NOT NULL -- JSON array of decisions, in words
);
-- At most one open alert per dedup key and service: the database itself refuses a second.
CREATE UNIQUE INDEX alerts_open_dedup ON alerts (service_id, dedup_key) WHERE state <> 'resolved';
CREATE INDEX alerts_by_state ON alerts (state, id);
CREATE INDEX alerts_by_service ON alerts (service_id, id);
CREATE INDEX alerts_by_incident ON alerts (incident_id);

-- Every accepted intake request, so tools that ask later (Opsgenie's requestId) get the outcome.
CREATE TABLE intake_requests (
    id                 BLOB    PRIMARY KEY,
    integration_key_id BLOB    NOT NULL,
    action             TEXT    NOT NULL,
    dedup_key          TEXT    NOT NULL,
    outcome            TEXT    NOT NULL,
    alert_id           BLOB,
    received_at        INTEGER   NOT NULL
);

-- Change events (deploys, config pushes) reported on a service.
CREATE TABLE change_events (
    id                 BLOB    PRIMARY KEY,
    service_id         BLOB    NOT NULL,
    integration_key_id BLOB    NOT NULL,
    summary            TEXT    NOT NULL,
    source             TEXT,
    happened_at        INTEGER   NOT NULL,
    links              TEXT    NOT NULL,
    details            TEXT    NOT NULL,
    received_at        INTEGER   NOT NULL
);
CREATE INDEX change_events_by_service ON change_events (service_id, happened_at);
