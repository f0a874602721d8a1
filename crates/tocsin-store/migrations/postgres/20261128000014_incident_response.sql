-- Incident response (postgres): incidents declared by hand and their full lifecycle (investigating,
-- identified, monitoring, closed, declined, canceled, merged), their descriptive fields and
-- visibility, the services they affect, their participants and who holds which role on them.
ALTER TABLE incidents ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN incident_type TEXT NOT NULL DEFAULT 'default';
-- normal, or restricted: only participants and the organisation roles in visible_to_roles see it.
ALTER TABLE incidents ADD COLUMN visibility TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE incidents ADD COLUMN visible_to_roles TEXT NOT NULL DEFAULT '[]'; -- JSON array of org roles
ALTER TABLE incidents ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'; -- JSON array
ALTER TABLE incidents ADD COLUMN parent_id UUID REFERENCES incidents (id);
-- A merged duplicate points at its primary.
ALTER TABLE incidents ADD COLUMN merged_into UUID REFERENCES incidents (id);
-- Who declared it by hand (null: opened from an alert).
ALTER TABLE incidents ADD COLUMN declared_by TEXT;
ALTER TABLE incidents ADD COLUMN closed_at BIGINT;

-- "Open" now means any of the five responding statuses; the partial indexes follow.
DROP INDEX incidents_open_by_service;
CREATE INDEX incidents_open_by_service ON incidents (service_id, id)
    WHERE status IN ('triggered', 'acknowledged', 'investigating', 'identified', 'monitoring');
DROP INDEX incidents_open_by_grouping;
CREATE INDEX incidents_open_by_grouping ON incidents (service_id, grouping_key, id)
    WHERE status IN ('triggered', 'acknowledged', 'investigating', 'identified', 'monitoring')
    AND grouping_key IS NOT NULL;
CREATE INDEX incidents_by_parent ON incidents (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX incidents_by_merged_into ON incidents (merged_into) WHERE merged_into IS NOT NULL;

-- Services affected besides the incident's own (service_id).
CREATE TABLE incident_services (
    incident_id UUID NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    service_id  UUID NOT NULL,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (incident_id, service_id)
);

CREATE TABLE incident_participants (
    incident_id UUID NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    joined_at   BIGINT NOT NULL,
    added_by    TEXT NOT NULL,
    PRIMARY KEY (incident_id, user_id)
);
CREATE INDEX incident_participants_by_user ON incident_participants (user_id, incident_id);

-- Who held which role on an incident, and when; a role has one holder at a time.
CREATE TABLE incident_role_assignments (
    id          UUID PRIMARY KEY,
    incident_id UUID NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    role        TEXT NOT NULL, -- a role slug: incident_commander, scribe ... or a custom role
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    briefing    TEXT NOT NULL DEFAULT '', -- the handover note given to this holder
    started_at  BIGINT NOT NULL,
    ended_at    BIGINT
);
CREATE UNIQUE INDEX incident_role_assignments_one_holder ON incident_role_assignments (incident_id, role)
    WHERE ended_at IS NULL;
CREATE INDEX incident_role_assignments_by_user ON incident_role_assignments (user_id) WHERE ended_at IS NULL;
