-- Incident ownership (postgres): the team that owns an incident (decided by the organisation's
-- ownership rules, or set by a dispute's settlement or a handoff), ownership disputes and the
-- handoffs between teams. Team columns carry no foreign key so history survives a team's
-- deletion (names are joined when read). Every change is also an event on the timeline.

CREATE TABLE incident_owners (
    incident_id UUID    PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    team_id     UUID,
    source      TEXT    NOT NULL CHECK (source IN ('rule', 'settlement', 'handoff')),
    rule        TEXT,
    reason      TEXT    NOT NULL,
    decided_by  TEXT    NOT NULL,
    decided_at  BIGINT  NOT NULL
);

CREATE TABLE incident_ownership_disputes (
    id              UUID    PRIMARY KEY,
    incident_id     UUID    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    claimed_team_id UUID    NOT NULL,
    reason          TEXT    NOT NULL,
    raised_by       TEXT    NOT NULL,
    raised_at       BIGINT  NOT NULL,
    settled_team_id UUID,
    settlement_note TEXT,
    settled_by      TEXT,
    settled_at      BIGINT
);
CREATE INDEX incident_ownership_disputes_by_incident
    ON incident_ownership_disputes (incident_id, raised_at);

CREATE TABLE incident_handoffs (
    id           UUID    PRIMARY KEY,
    incident_id  UUID    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    from_team_id UUID,
    to_team_id   UUID    NOT NULL,
    note         TEXT    NOT NULL,
    handed_by    TEXT    NOT NULL,
    handed_at    BIGINT  NOT NULL
);
CREATE INDEX incident_handoffs_by_incident ON incident_handoffs (incident_id, handed_at);
