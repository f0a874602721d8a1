-- Incident roles (sqlite): responsibilities during an incident (incident commander,
-- communications lead ...) that a schedule staffs, with the skills whoever fills the role must
-- have and a named backup; and `role` as a kind of escalation policy reference (a step can page
-- whoever staffs a role), which rebuilds `escalation_policy_refs` to widen its CHECK.

CREATE TABLE incident_roles (
    id              BLOB    PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE, -- lowercase [a-z][a-z0-9_]{0,39}
    name            TEXT    NOT NULL,
    instructions    TEXT    NOT NULL DEFAULT '', -- markdown, at most 10 KB
    schedule_id     BLOB    REFERENCES schedules (id) ON DELETE RESTRICT,
    required_skills TEXT    NOT NULL DEFAULT '[]', -- JSON array of lowercase skills, sorted
    backup_user_id  BLOB    REFERENCES users (id) ON DELETE RESTRICT,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX incident_roles_by_schedule ON incident_roles (schedule_id);
CREATE INDEX incident_roles_by_backup ON incident_roles (backup_user_id);

CREATE TABLE escalation_policy_refs_new (
    policy_id BLOB NOT NULL REFERENCES escalation_policies (id) ON DELETE CASCADE,
    ref_kind  TEXT NOT NULL CHECK (ref_kind IN ('user', 'schedule', 'team', 'role')),
    ref_id    BLOB NOT NULL,
    PRIMARY KEY (policy_id, ref_kind, ref_id)
);
INSERT INTO escalation_policy_refs_new (policy_id, ref_kind, ref_id)
    SELECT policy_id, ref_kind, ref_id FROM escalation_policy_refs;
DROP TABLE escalation_policy_refs;
ALTER TABLE escalation_policy_refs_new RENAME TO escalation_policy_refs;
CREATE INDEX escalation_policy_refs_by_ref ON escalation_policy_refs (ref_kind, ref_id);
