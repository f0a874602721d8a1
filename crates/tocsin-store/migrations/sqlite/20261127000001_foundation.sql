-- Foundation schema (SQLite). Instants are INTEGER microseconds since the Unix epoch (UTC).
-- The event log is the source of truth; everything else is a projection updated in the same transaction.

CREATE TABLE events (
    position       INTEGER PRIMARY KEY,
    stream_id      BLOB    NOT NULL,
    seq            INTEGER NOT NULL,
    event_id       BLOB    NOT NULL, -- UUIDv7, unique by construction; `position` is the global key
    stream_type    TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    occurred_at    INTEGER NOT NULL,
    payload        TEXT    NOT NULL,
    payload_digest BLOB    NOT NULL,
    prev_hash      BLOB    NOT NULL,
    hash           BLOB    NOT NULL,
    UNIQUE (stream_id, seq)
);

CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: UPDATE refused');
END;

CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only: DELETE refused');
END;

CREATE TABLE users (
    id            BLOB    PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    time_zone     TEXT    NOT NULL DEFAULT 'UTC',
    password_hash TEXT,
    active        INTEGER NOT NULL DEFAULT 1,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE teams (
    id          BLOB    PRIMARY KEY,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE team_members (
    team_id  BLOB NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id  BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role     TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_by_user ON team_members (user_id);

CREATE TABLE services (
    id          BLOB    PRIMARY KEY,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    team_id     BLOB    REFERENCES teams (id) ON DELETE RESTRICT,
    tier        INTEGER NOT NULL,
    runbook_url TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX services_by_team ON services (team_id);

CREATE TABLE service_tags (
    service_id BLOB NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (service_id, tag)
);
CREATE INDEX service_tags_by_tag ON service_tags (tag);

CREATE TABLE service_dependencies (
    service_id    BLOB NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    depends_on_id BLOB NOT NULL REFERENCES services (id) ON DELETE RESTRICT,
    PRIMARY KEY (service_id, depends_on_id)
);
CREATE INDEX service_dependencies_reverse ON service_dependencies (depends_on_id);

CREATE TABLE api_tokens (
    id           BLOB    PRIMARY KEY,
    user_id      BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   BLOB    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    expires_at   INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

CREATE TABLE integration_keys (
    id         BLOB    PRIMARY KEY,
    service_id BLOB    NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    secret     TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX integration_keys_by_service ON integration_keys (service_id);

CREATE TABLE sessions (
    token_hash   BLOB    PRIMARY KEY,
    id           BLOB    NOT NULL UNIQUE,
    user_id      BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX sessions_by_user ON sessions (user_id);
