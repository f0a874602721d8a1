-- How to reach people (sqlite): contact methods (verified by a code sent to them), pending
-- verification codes (a SHA-256 hash only, with attempt and send-rate bookkeeping), notification
-- rules (which method, for which urgency, after how many minutes) and quiet hours (minutes after
-- local midnight in the user's time zone; a weekday bit mask, bit 0 Monday).

CREATE TABLE contact_methods (
    id          BLOB    PRIMARY KEY,
    user_id     BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel     TEXT    NOT NULL
        CHECK (channel IN ('webhook', 'slack', 'teams', 'email', 'sms', 'voice')),
    address     TEXT    NOT NULL,
    label       TEXT    NOT NULL DEFAULT '',
    secret      TEXT, -- the webhook signing secret (whsec_...); NULL for other channels
    verified_at INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (user_id, channel, address)
);

-- The pending code of a method, and its sends in the current hour (kept after verification so
-- the send limit holds).
CREATE TABLE contact_verifications (
    contact_method_id BLOB    PRIMARY KEY REFERENCES contact_methods (id) ON DELETE CASCADE,
    code_hash         BLOB,
    expires_at        INTEGER,
    attempts          INTEGER NOT NULL DEFAULT 0,
    window_started_at INTEGER NOT NULL,
    sends_in_window   INTEGER NOT NULL
);

CREATE TABLE notification_rules (
    id                BLOB    PRIMARY KEY,
    user_id           BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contact_method_id BLOB    NOT NULL REFERENCES contact_methods (id) ON DELETE CASCADE,
    urgency           TEXT    NOT NULL CHECK (urgency IN ('high', 'low')),
    delay_minutes     INTEGER NOT NULL CHECK (delay_minutes BETWEEN 0 AND 1440),
    created_at        INTEGER NOT NULL,
    UNIQUE (contact_method_id, urgency, delay_minutes)
);
CREATE INDEX notification_rules_by_user ON notification_rules (user_id);

CREATE TABLE user_quiet_hours (
    user_id      BLOB    PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1439),
    days_mask    INTEGER NOT NULL CHECK (days_mask BETWEEN 1 AND 127),
    updated_at   INTEGER NOT NULL,
    CHECK (start_minute <> end_minute)
);
