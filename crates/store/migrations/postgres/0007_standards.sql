-- Seamless service: performance standards and the operational events they are measured on.
-- A standard's definition is stored as the validated JSON document it was given
-- (domain::standards::standard::StandardInput); events are append-only and idempotent by key.
-- Instants are UTC microseconds.

CREATE TABLE standards (
    id BIGSERIAL PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    team_id BIGINT NOT NULL REFERENCES teams (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE operational_events (
    id BIGSERIAL PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    customer_external_id TEXT,
    transaction_external_id TEXT,
    occurred_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    attributes TEXT NOT NULL
);
CREATE INDEX operational_events_type_time ON operational_events (event_type, occurred_at);
CREATE INDEX operational_events_subject ON operational_events (subject, event_type);

-- Subjects flagged in real time as still open past their deadline: one row, and one
-- `standard_breach` alert, per standard and subject, however many instances sweep and
-- however often.
CREATE TABLE standard_breaches (
    id BIGSERIAL PRIMARY KEY,
    standard_id BIGINT NOT NULL REFERENCES standards (id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    customer_external_id TEXT,
    transaction_external_id TEXT,
    started_at BIGINT NOT NULL,
    deadline_at BIGINT NOT NULL,
    alert_id BIGINT REFERENCES alerts (id) ON DELETE SET NULL,
    raised_at BIGINT NOT NULL,
    UNIQUE (standard_id, subject)
);
