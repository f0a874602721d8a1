-- On-call schedules (postgres): the schedule's definition (the domain `Schedule` as JSON: time zone,
-- layers, temporary schedules), the users it names (for reference checks), overrides as rows of
-- their own, and secret calendar subscription URLs (stored as a SHA-256 hash only).
-- Users already carry a validated IANA `time_zone` (foundation migration).

CREATE TABLE schedules (
    id          UUID    PRIMARY KEY,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL UNIQUE, -- the name case-folded: names are unique ignoring case
    description TEXT    NOT NULL DEFAULT '',
    team_id     UUID    REFERENCES teams (id) ON DELETE RESTRICT,
    time_zone   TEXT    NOT NULL,
    definition  TEXT    NOT NULL, -- JSON: tocsin_domain::oncall::Schedule without its overrides
    version     BIGINT  NOT NULL DEFAULT 1,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX schedules_by_team ON schedules (team_id);

-- Every user the definition names (rotation participants, temporary shifts): a user cannot be
-- removed from under a schedule, and a user's calendar finds their schedules.
CREATE TABLE schedule_members (
    schedule_id UUID NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    PRIMARY KEY (schedule_id, user_id)
);
CREATE INDEX schedule_members_by_user ON schedule_members (user_id);

-- `user_id` replaces whoever the schedule says from `starts_at` until `ends_at`; newer (greater
-- id) overrides win where they overlap.
CREATE TABLE schedule_overrides (
    id          UUID    PRIMARY KEY,
    schedule_id UUID    NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    user_id     UUID    NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    starts_at   BIGINT  NOT NULL,
    ends_at     BIGINT  NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX schedule_overrides_by_schedule ON schedule_overrides (schedule_id, ends_at);
CREATE INDEX schedule_overrides_by_user ON schedule_overrides (user_id, ends_at);

-- A secret iCalendar URL: a schedule's final shifts, or one user's shifts across schedules.
-- Each owner has at most one live subscription per target; creating another revokes it.
CREATE TABLE calendar_subscriptions (
    id         UUID    PRIMARY KEY,
    token_hash BYTEA   NOT NULL UNIQUE,
    kind       TEXT    NOT NULL CHECK (kind IN ('schedule', 'user')),
    target_id  UUID    NOT NULL,
    owner_id   UUID    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX calendar_subscriptions_by_target ON calendar_subscriptions (kind, target_id, owner_id);
