-- Commitments: promises made to a customer during a case or any contact. The promise is
-- stored as the domain document (domain::standards::commitment::Commitment), with the columns
-- lists filter on beside it. Instants are UTC microseconds.

CREATE TABLE commitments (
    id BIGSERIAL PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    owner_user_id BIGINT NOT NULL REFERENCES users (id),
    team_id BIGINT REFERENCES teams (id) ON DELETE SET NULL,
    case_id BIGINT REFERENCES cases (id) ON DELETE SET NULL,
    due_at BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    document TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX commitments_customer ON commitments (customer_id);
CREATE INDEX commitments_owner ON commitments (owner_user_id, resolved);
CREATE INDEX commitments_open_due ON commitments (resolved, due_at);
