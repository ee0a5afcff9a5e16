-- Seamless service: performance standards and the operational events they are measured on.
-- A standard's definition is stored as the validated JSON document it was given
-- (domain::standards::standard::StandardInput); events are append-only and idempotent by key.
-- Instants are UTC microseconds.

CREATE TABLE standards (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    team_id INTEGER NOT NULL REFERENCES teams (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE operational_events (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    customer_external_id TEXT,
    transaction_external_id TEXT,
    occurred_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    attributes TEXT NOT NULL
);
CREATE INDEX operational_events_type_time ON operational_events (event_type, occurred_at);
CREATE INDEX operational_events_subject ON operational_events (subject, event_type);

-- Subjects flagged in real time as still open past their deadline: one row, and one
-- `standard_breach` alert, per standard and subject, however many instances sweep and
-- however often.
CREATE TABLE standard_breaches (
    id INTEGER PRIMARY KEY,
    standard_id INTEGER NOT NULL REFERENCES standards (id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    customer_external_id TEXT,
    transaction_external_id TEXT,
    started_at INTEGER NOT NULL,
    deadline_at INTEGER NOT NULL,
    alert_id INTEGER REFERENCES alerts (id) ON DELETE SET NULL,
    raised_at INTEGER NOT NULL,
    UNIQUE (standard_id, subject)
);
