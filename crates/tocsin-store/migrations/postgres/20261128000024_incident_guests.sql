-- Incident guests (postgres): external responders (a vendor's engineers) with a time-limited guest
-- pass scoped to one incident. Only the SHA-256 of the pass is kept; a pass works until it
-- expires or is revoked, on the guest routes of its incident only.

CREATE TABLE incident_guests (
    id           UUID    PRIMARY KEY,
    incident_id  UUID    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    email        TEXT    NOT NULL,
    organisation TEXT    NOT NULL,
    may_write    BIGINT  NOT NULL,
    token_hash   BYTEA   NOT NULL UNIQUE,
    invited_by   TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    revoked_at   BIGINT,
    revoked_by   TEXT
);
CREATE INDEX incident_guests_by_incident ON incident_guests (incident_id, created_at);
