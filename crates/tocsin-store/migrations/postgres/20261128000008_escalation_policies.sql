-- Escalation policies (postgres): the policy's definition (the domain `EscalationPolicy` as JSON:
-- steps, targets, repeat, acknowledgement timeout), the users, schedules and teams it names (so
-- none can be removed from under it), each service's default policy and ordered routing rules,
-- round-robin cursors, and users' skills.

CREATE TABLE escalation_policies (
    id          UUID    PRIMARY KEY,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL UNIQUE, -- the name case-folded: names are unique ignoring case
    description TEXT    NOT NULL DEFAULT '',
    team_id     UUID    REFERENCES teams (id) ON DELETE RESTRICT,
    definition  TEXT    NOT NULL, -- JSON: tocsin_domain::escalation::EscalationPolicy
    version     BIGINT  NOT NULL DEFAULT 1,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX escalation_policies_by_team ON escalation_policies (team_id);

-- Every user, schedule and team a policy's targets name; `ref_id` points into the table of its
-- kind, checked by the store (a deletion or deactivation names the policies in its refusal).
CREATE TABLE escalation_policy_refs (
    policy_id UUID NOT NULL REFERENCES escalation_policies (id) ON DELETE CASCADE,
    ref_kind  TEXT NOT NULL CHECK (ref_kind IN ('user', 'schedule', 'team')),
    ref_id    UUID NOT NULL,
    PRIMARY KEY (policy_id, ref_kind, ref_id)
);
CREATE INDEX escalation_policy_refs_by_ref ON escalation_policy_refs (ref_kind, ref_id);

-- The service's default policy, used when no routing rule matches.
ALTER TABLE services ADD COLUMN escalation_policy_id UUID
    REFERENCES escalation_policies (id) ON DELETE RESTRICT DEFAULT NULL;

-- A service's routing rules in order (position 0 first): the domain `RoutingRule` as JSON.
CREATE TABLE escalation_routes (
    service_id UUID    NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    position   BIGINT  NOT NULL,
    definition TEXT    NOT NULL,
    policy_id  UUID    NOT NULL REFERENCES escalation_policies (id) ON DELETE RESTRICT,
    PRIMARY KEY (service_id, position)
);
CREATE INDEX escalation_routes_by_policy ON escalation_routes (policy_id);

-- The next round-robin index of a team target in a policy's step.
CREATE TABLE round_robin_cursors (
    policy_id  UUID    NOT NULL REFERENCES escalation_policies (id) ON DELETE CASCADE,
    step_index BIGINT  NOT NULL,
    team_id    UUID    NOT NULL,
    next_index BIGINT  NOT NULL,
    PRIMARY KEY (policy_id, step_index, team_id)
);

-- Skills (lowercase [a-z0-9_-]{1,40}) a step can page by.
CREATE TABLE user_skills (
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    skill   TEXT NOT NULL,
    PRIMARY KEY (user_id, skill)
);
CREATE INDEX user_skills_by_skill ON user_skills (skill);
