-- Incident roles (postgres): responsibilities during an incident (incident commander,
-- communications lead ...) that a schedule staffs, with the skills whoever fills the role must
-- have and a named backup; and `role` as a kind of escalation policy reference (a step can page
-- whoever staffs a role).

CREATE TABLE incident_roles (
    id              UUID    PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE, -- lowercase [a-z][a-z0-9_]{0,39}
    name            TEXT    NOT NULL,
    instructions    TEXT    NOT NULL DEFAULT '', -- markdown, at most 10 KB
    schedule_id     UUID    REFERENCES schedules (id) ON DELETE RESTRICT,
    required_skills TEXT    NOT NULL DEFAULT '[]', -- JSON array of lowercase skills, sorted
    backup_user_id  UUID    REFERENCES users (id) ON DELETE RESTRICT,
    version         BIGINT  NOT NULL DEFAULT 1,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX incident_roles_by_schedule ON incident_roles (schedule_id);
CREATE INDEX incident_roles_by_backup ON incident_roles (backup_user_id);

ALTER TABLE escalation_policy_refs
    DROP CONSTRAINT escalation_policy_refs_ref_kind_check,
    ADD CONSTRAINT escalation_policy_refs_ref_kind_check
        CHECK (ref_kind IN ('user', 'schedule', 'team', 'role'));
