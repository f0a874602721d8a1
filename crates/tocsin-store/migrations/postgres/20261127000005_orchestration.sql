-- What decides about incoming alerts besides deduplication (postgres): silences, maintenance
-- windows, and configuration documents (event rules, global and per service; inhibition rules).

CREATE TABLE silences (
    id         UUID    PRIMARY KEY,
    matchers   TEXT    NOT NULL, -- JSON array of Alertmanager matcher objects
    starts_at  BIGINT   NOT NULL,
    ends_at    BIGINT   NOT NULL,
    created_by TEXT    NOT NULL,
    comment    TEXT    NOT NULL,
    created_at BIGINT   NOT NULL,
    updated_at BIGINT   NOT NULL
);
CREATE INDEX silences_by_end ON silences (ends_at);

CREATE TABLE maintenance_windows (
    id         UUID    PRIMARY KEY,
    definition TEXT    NOT NULL, -- JSON: services, description, schedule
    created_by TEXT    NOT NULL,
    created_at BIGINT   NOT NULL
);

-- One JSON document per scope: 'rules:global', 'rules:<service id>', 'inhibit'.
CREATE TABLE alerting_config (
    scope      TEXT    PRIMARY KEY,
    definition TEXT    NOT NULL,
    version    BIGINT   NOT NULL,
    updated_by TEXT    NOT NULL,
    updated_at BIGINT   NOT NULL
);

-- A resolve finds its key's open alert wherever a rule routed the trigger.
CREATE INDEX alerts_by_key_dedup ON alerts (integration_key_id, dedup_key);
