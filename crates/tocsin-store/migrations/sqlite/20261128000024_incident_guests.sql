-- Incident guests (sqlite): external responders (a vendor's engineers) with a time-limited guest
-- pass scoped to one incident. Only the SHA-256 of the pass is kept; a pass works until it
-- expires or is revoked, on the guest routes of its incident only.

CREATE TABLE incident_guests (
    id           BLOB    PRIMARY KEY,
    incident_id  BLOB    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    email        TEXT    NOT NULL,
    organisation TEXT    NOT NULL,
    may_write    INTEGER NOT NULL,
    token_hash   BLOB    NOT NULL UNIQUE,
    invited_by   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    revoked_by   TEXT
);
CREATE INDEX incident_guests_by_incident ON incident_guests (incident_id, created_at);
