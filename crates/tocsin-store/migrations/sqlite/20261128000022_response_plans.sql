-- Response plan runs (sqlite): which of the organisation's response plans (the configuration
-- document `response_plans`) ran on an incident, when, why its trigger held and what it did. A
-- plan runs once per incident: the primary key makes the first run the only one, across nodes.

CREATE TABLE incident_response_plan_runs (
    incident_id BLOB    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    plan_key    TEXT    NOT NULL,
    plan_name   TEXT    NOT NULL,
    ran_at      INTEGER NOT NULL,
    reasons     TEXT    NOT NULL, -- JSON array of sentences: why the trigger held
    actions     TEXT    NOT NULL, -- JSON array of sentences: what the plan did
    PRIMARY KEY (incident_id, plan_key)
);
