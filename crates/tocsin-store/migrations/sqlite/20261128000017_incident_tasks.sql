-- Incident tasks (sqlite): work to do during a response, with an owner, a due time and a status
-- (open, in_progress, done, canceled; done and canceled are final). Every change is also an event
-- on the incident's timeline.

CREATE TABLE incident_tasks (
    id            BLOB    PRIMARY KEY,
    incident_id   BLOB    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    title         TEXT    NOT NULL,
    owner_user_id BLOB    REFERENCES users (id) ON DELETE RESTRICT,
    due_at        INTEGER,
    status        TEXT    NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'canceled')),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    done_at       INTEGER
);
CREATE INDEX incident_tasks_by_incident ON incident_tasks (incident_id, created_at);
CREATE INDEX incident_tasks_by_owner ON incident_tasks (owner_user_id, status);
