-- How to reach people (postgres): contact methods (verified by a code sent to them), pending
-- verification codes (a SHA-256 hash only, with attempt and send-rate bookkeeping), notification
-- rules (which method, for which urgency, after how many minutes) and quiet hours (minutes after
-- local midnight in the user's time zone; a weekday bit mask, bit 0 Monday).

CREATE TABLE contact_methods (
    id          UUID    PRIMARY KEY,
    user_id     UUID    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel     TEXT    NOT NULL
        CHECK (channel IN ('webhook', 'slack', 'teams', 'email', 'sms', 'voice')),
    address     TEXT    NOT NULL,
    label       TEXT    NOT NULL DEFAULT '',
    secret      TEXT, -- the webhook signing secret (whsec_...); NULL for other channels
    verified_at BIGINT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    UNIQUE (user_id, channel, address)
);

-- The pending code of a method, and its sends in the current hour (kept after verification so
-- the send limit holds).
CREATE TABLE contact_verifications (
    contact_method_id UUID    PRIMARY KEY REFERENCES contact_methods (id) ON DELETE CASCADE,
    code_hash         BYTEA,
    expires_at        BIGINT,
    attempts          BIGINT  NOT NULL DEFAULT 0,
    window_started_at BIGINT  NOT NULL,
    sends_in_window   BIGINT  NOT NULL
);

CREATE TABLE notification_rules (
    id                UUID    PRIMARY KEY,
    user_id           UUID    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    contact_method_id UUID    NOT NULL REFERENCES contact_methods (id) ON DELETE CASCADE,
    urgency           TEXT    NOT NULL CHECK (urgency IN ('high', 'low')),
    delay_minutes     BIGINT  NOT NULL CHECK (delay_minutes BETWEEN 0 AND 1440),
    created_at        BIGINT  NOT NULL,
    UNIQUE (contact_method_id, urgency, delay_minutes)
);
CREATE INDEX notification_rules_by_user ON notification_rules (user_id);

CREATE TABLE user_quiet_hours (
    user_id      UUID    PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    start_minute BIGINT  NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   BIGINT  NOT NULL CHECK (end_minute BETWEEN 0 AND 1439),
    days_mask    BIGINT  NOT NULL CHECK (days_mask BETWEEN 1 AND 127),
    updated_at   BIGINT  NOT NULL,
    CHECK (start_minute <> end_minute)
);
