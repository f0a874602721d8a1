-- Incident evidence (sqlite): items (user action logs, session replays, log excerpts, files) with their
-- source, data classification and personal data note; deleting one drops its content and keeps the
-- row. The chain of custody (who added, viewed, exported, deleted each item) is append-only, and
-- the preservation hold an urgent incident places on its evidence is recorded once.

CREATE TABLE incident_evidence (
    id                  BLOB    PRIMARY KEY,
    incident_id         BLOB    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    kind                TEXT    NOT NULL CHECK (kind IN ('user_action_log', 'session_replay',
                                                         'log_excerpt', 'file', 'other')),
    title               TEXT    NOT NULL,
    source              TEXT    NOT NULL,
    url                 TEXT,
    media_type          TEXT,
    data_classification TEXT    NOT NULL
        CHECK (data_classification IN ('public', 'internal', 'confidential', 'restricted')),
    personal_data_note  TEXT,
    content             BLOB,
    size_bytes          INTEGER NOT NULL,
    sha256              TEXT,
    added_by            TEXT    NOT NULL,
    added_at            INTEGER NOT NULL,
    deleted_by          TEXT,
    deleted_at          INTEGER
);
CREATE INDEX incident_evidence_by_incident ON incident_evidence (incident_id, added_at);

CREATE TABLE incident_evidence_custody (
    id          BLOB    PRIMARY KEY,
    evidence_id BLOB    NOT NULL REFERENCES incident_evidence (id),
    action      TEXT    NOT NULL CHECK (action IN ('added', 'viewed', 'exported', 'deleted')),
    actor       TEXT    NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX incident_evidence_custody_by_item ON incident_evidence_custody (evidence_id, at);

CREATE TABLE incident_evidence_holds (
    incident_id BLOB    PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    priority    TEXT    NOT NULL,
    placed_at   INTEGER NOT NULL
);

CREATE TRIGGER incident_evidence_custody_refuse_update BEFORE UPDATE ON incident_evidence_custody
BEGIN
    SELECT RAISE(ABORT, 'the chain of custody is append-only: UPDATE refused');
END;

CREATE TRIGGER incident_evidence_custody_refuse_delete BEFORE DELETE ON incident_evidence_custody
BEGIN
    SELECT RAISE(ABORT, 'the chain of custody is append-only: DELETE refused');
END;
