-- Foundation schema (PostgreSQL). Instants are BIGINT microseconds since the Unix epoch (UTC), the
-- same portable representation as on SQLite, so one query text serves both backends.
-- Payloads are TEXT, not JSONB: the hash chain covers the exact stored bytes.

CREATE TABLE events (
    position       BIGSERIAL PRIMARY KEY,
    stream_id      UUID    NOT NULL,
    seq            BIGINT  NOT NULL,
    event_id       UUID    NOT NULL, -- UUIDv7, unique by construction; `position` is the global key
    stream_type    TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    occurred_at    BIGINT  NOT NULL,
    payload        TEXT    NOT NULL,
    payload_digest BYTEA   NOT NULL,
    prev_hash      BYTEA   NOT NULL,
    hash           BYTEA   NOT NULL,
    UNIQUE (stream_id, seq)
);

CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % refused', TG_OP;
END;
$$;

CREATE TRIGGER events_refuse_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

CREATE TABLE users (
    id            UUID    PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    time_zone     TEXT    NOT NULL DEFAULT 'UTC',
    password_hash TEXT,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    version       BIGINT  NOT NULL DEFAULT 1,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);

CREATE TABLE teams (
    id          UUID   PRIMARY KEY,
    name        TEXT   NOT NULL,
    name_key    TEXT   NOT NULL UNIQUE,
    description TEXT   NOT NULL DEFAULT '',
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE team_members (
    team_id  UUID   NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id  UUID   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role     TEXT   NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_by_user ON team_members (user_id);

CREATE TABLE services (
    id          UUID   PRIMARY KEY,
    name        TEXT   NOT NULL,
    name_key    TEXT   NOT NULL UNIQUE,
    description TEXT   NOT NULL DEFAULT '',
    team_id     UUID   REFERENCES teams (id) ON DELETE RESTRICT,
    tier        BIGINT NOT NULL,
    runbook_url TEXT,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX services_by_team ON services (team_id);

CREATE TABLE service_tags (
    service_id UUID NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (service_id, tag)
);
CREATE INDEX service_tags_by_tag ON service_tags (tag);

CREATE TABLE service_dependencies (
    service_id    UUID NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    depends_on_id UUID NOT NULL REFERENCES services (id) ON DELETE RESTRICT,
    PRIMARY KEY (service_id, depends_on_id)
);
CREATE INDEX service_dependencies_reverse ON service_dependencies (depends_on_id);

CREATE TABLE api_tokens (
    id           UUID   PRIMARY KEY,
    user_id      UUID   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT   NOT NULL,
    token_hash   BYTEA  NOT NULL UNIQUE,
    prefix       TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at   BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

CREATE TABLE integration_keys (
    id         UUID   PRIMARY KEY,
    service_id UUID   NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    name       TEXT   NOT NULL,
    kind       TEXT   NOT NULL,
    secret     TEXT   NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX integration_keys_by_service ON integration_keys (service_id);

CREATE TABLE sessions (
    token_hash   BYTEA  PRIMARY KEY,
    id           UUID   NOT NULL UNIQUE,
    user_id      UUID   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX sessions_by_user ON sessions (user_id);
