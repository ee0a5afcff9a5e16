-- Perfect Improvement, part 1: alert rules and alerts, recovery cases with their timeline,
-- in-app notifications, webhook endpoints with their deliveries and attempts, and the state of
-- the early-warning control charts. Instants are UTC microseconds.

CREATE TABLE alert_rules (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    conditions TEXT NOT NULL,
    match_all BIGINT NOT NULL,
    team_id BIGINT REFERENCES teams (id) ON DELETE CASCADE,
    touchpoint_id BIGINT REFERENCES touchpoints (id) ON DELETE CASCADE,
    segment TEXT,
    min_annual_value_minor BIGINT,
    severity TEXT NOT NULL,
    opens_case BIGINT NOT NULL,
    enabled BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE cases (
    id BIGSERIAL PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    transaction_id BIGINT REFERENCES transactions (id) ON DELETE SET NULL,
    response_id BIGINT REFERENCES responses (id) ON DELETE SET NULL,
    touchpoint_id BIGINT REFERENCES touchpoints (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    owner_team_id BIGINT REFERENCES teams (id) ON DELETE SET NULL,
    operations_team_id BIGINT REFERENCES teams (id) ON DELETE SET NULL,
    owner_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    opened_at BIGINT NOT NULL,
    clock_started_at BIGINT NOT NULL,
    first_contact_due_at BIGINT NOT NULL,
    resolution_due_at BIGINT NOT NULL,
    first_contacted_at BIGINT,
    resolved_at BIGINT,
    closed_at BIGINT,
    escalation_level BIGINT NOT NULL DEFAULT 0,
    first_contact_breached BIGINT NOT NULL DEFAULT 0,
    resolution_breached BIGINT NOT NULL DEFAULT 0,
    resolution_note TEXT,
    root_cause TEXT,
    followup_lookup_id TEXT UNIQUE,
    followup_sent_at BIGINT,
    followup_answered_at BIGINT,
    recovered BIGINT,
    followup_comment TEXT,
    -- Set while the case is not closed: at most one such case per customer and transaction.
    open_key TEXT UNIQUE,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cases_customer ON cases (customer_id);
CREATE INDEX cases_owner_team ON cases (owner_team_id, status);
CREATE INDEX cases_status_due ON cases (status, first_contact_due_at);

CREATE TABLE alerts (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    rule_id BIGINT REFERENCES alert_rules (id) ON DELETE SET NULL,
    rule_name TEXT NOT NULL,
    severity TEXT NOT NULL,
    response_id BIGINT REFERENCES responses (id) ON DELETE CASCADE,
    customer_id BIGINT REFERENCES customers (id) ON DELETE CASCADE,
    team_id BIGINT REFERENCES teams (id) ON DELETE SET NULL,
    touchpoint_id BIGINT REFERENCES touchpoints (id) ON DELETE SET NULL,
    case_id BIGINT REFERENCES cases (id) ON DELETE SET NULL,
    series TEXT,
    metric TEXT,
    title TEXT NOT NULL,
    detail TEXT NOT NULL,
    raised_at BIGINT NOT NULL,
    -- One alert per rule and response, however often the response is processed.
    dedupe_key TEXT NOT NULL UNIQUE
);
CREATE INDEX alerts_raised ON alerts (raised_at);
CREATE INDEX alerts_case ON alerts (case_id);

CREATE TABLE case_events (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    actor_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    body TEXT,
    data TEXT
);
CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    dedupe_key TEXT NOT NULL UNIQUE
);
CREATE INDEX notifications_user ON notifications (user_id, read_at);

CREATE TABLE webhook_endpoints (
    id BIGSERIAL PRIMARY KEY,
    url TEXT NOT NULL,
    description TEXT,
    secret TEXT NOT NULL,
    event_types TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    available_at BIGINT NOT NULL,
    locked_until BIGINT,
    last_status BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, available_at);

CREATE TABLE webhook_attempts (
    id BIGSERIAL PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    status_code BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id);

CREATE TABLE control_charts (
    series TEXT NOT NULL,
    metric TEXT NOT NULL,
    team_id BIGINT REFERENCES teams (id) ON DELETE CASCADE,
    touchpoint_id BIGINT REFERENCES touchpoints (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (series, metric)
);
