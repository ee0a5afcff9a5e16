-- Perfect Knowledge: surveys and their versions, invitations, responses, the outbox and
-- installation settings (secrets, taxonomy). Instants are UTC microseconds.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE surveys (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT,
    current_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE survey_versions (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    questions TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (survey_id, version)
);

ALTER TABLE touchpoints ADD COLUMN survey_id INTEGER REFERENCES surveys (id);
ALTER TABLE touchpoints ADD COLUMN invitation_min_days INTEGER;
ALTER TABLE customers ADD COLUMN opted_out_at INTEGER;
ALTER TABLE organization ADD COLUMN invitation_min_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organization ADD COLUMN quiet_hours_start INTEGER;
ALTER TABLE organization ADD COLUMN quiet_hours_end INTEGER;
ALTER TABLE organization ADD COLUMN invitation_ttl_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE organization ADD COLUMN reminder_after_hours INTEGER NOT NULL DEFAULT 72;

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    lookup_id TEXT NOT NULL UNIQUE,
    transaction_id INTEGER NOT NULL UNIQUE REFERENCES transactions (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    survey_version_id INTEGER NOT NULL REFERENCES survey_versions (id),
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    failure_reason TEXT,
    draft_answers TEXT,
    created_at INTEGER NOT NULL,
    send_after INTEGER NOT NULL,
    sent_at INTEGER,
    reminded_at INTEGER,
    opened_at INTEGER,
    answered_at INTEGER,
    expires_at INTEGER NOT NULL
);
CREATE INDEX invitations_customer ON invitations (customer_id, created_at);

CREATE TABLE responses (
    id INTEGER PRIMARY KEY,
    survey_version_id INTEGER REFERENCES survey_versions (id),
    invitation_id INTEGER UNIQUE REFERENCES invitations (id),
    transaction_id INTEGER REFERENCES transactions (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    touchpoint_id INTEGER NOT NULL REFERENCES touchpoints (id),
    team_id INTEGER REFERENCES teams (id),
    staff_user_id INTEGER REFERENCES users (id),
    source TEXT NOT NULL,
    responded_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    answers TEXT NOT NULL,
    csat INTEGER,
    nps INTEGER,
    ces INTEGER,
    comment TEXT,
    sentiment REAL,
    language TEXT,
    themes TEXT NOT NULL,
    staff_mentions TEXT NOT NULL,
    contact_consent INTEGER NOT NULL
);
CREATE INDEX responses_responded ON responses (responded_at);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    available_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    locked_until INTEGER,
    done_at INTEGER
);
CREATE INDEX outbox_pending ON outbox (done_at, available_at);
