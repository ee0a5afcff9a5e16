-- Perfect Knowledge: surveys and their versions, invitations, responses, the outbox and
-- installation settings (secrets, taxonomy). Instants are UTC microseconds.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE surveys (
    id BIGSERIAL PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT,
    current_version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE survey_versions (
    id BIGSERIAL PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    questions TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (survey_id, version)
);

ALTER TABLE touchpoints ADD COLUMN survey_id BIGINT REFERENCES surveys (id);
ALTER TABLE touchpoints ADD COLUMN invitation_min_days BIGINT;
ALTER TABLE customers ADD COLUMN opted_out_at BIGINT;
ALTER TABLE organization ADD COLUMN invitation_min_days BIGINT NOT NULL DEFAULT 0;
ALTER TABLE organization ADD COLUMN quiet_hours_start BIGINT;
ALTER TABLE organization ADD COLUMN quiet_hours_end BIGINT;
ALTER TABLE organization ADD COLUMN invitation_ttl_days BIGINT NOT NULL DEFAULT 30;
ALTER TABLE organization ADD COLUMN reminder_after_hours BIGINT NOT NULL DEFAULT 72;

CREATE TABLE invitations (
    id BIGSERIAL PRIMARY KEY,
    lookup_id TEXT NOT NULL UNIQUE,
    transaction_id BIGINT NOT NULL UNIQUE REFERENCES transactions (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    survey_version_id BIGINT NOT NULL REFERENCES survey_versions (id),
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    failure_reason TEXT,
    draft_answers TEXT,
    created_at BIGINT NOT NULL,
    send_after BIGINT NOT NULL,
    sent_at BIGINT,
    reminded_at BIGINT,
    opened_at BIGINT,
    answered_at BIGINT,
    expires_at BIGINT NOT NULL
);
CREATE INDEX invitations_customer ON invitations (customer_id, created_at);

CREATE TABLE responses (
    id BIGSERIAL PRIMARY KEY,
    survey_version_id BIGINT REFERENCES survey_versions (id),
    invitation_id BIGINT UNIQUE REFERENCES invitations (id),
    transaction_id BIGINT REFERENCES transactions (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    touchpoint_id BIGINT NOT NULL REFERENCES touchpoints (id),
    team_id BIGINT REFERENCES teams (id),
    staff_user_id BIGINT REFERENCES users (id),
    source TEXT NOT NULL,
    responded_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    answers TEXT NOT NULL,
    csat BIGINT,
    nps BIGINT,
    ces BIGINT,
    comment TEXT,
    sentiment DOUBLE PRECISION,
    language TEXT,
    themes TEXT NOT NULL,
    staff_mentions TEXT NOT NULL,
    contact_consent BIGINT NOT NULL
);
CREATE INDEX responses_responded ON responses (responded_at);

CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    available_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    locked_until BIGINT,
    done_at BIGINT
);
CREATE INDEX outbox_pending ON outbox (done_at, available_at);
