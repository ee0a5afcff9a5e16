-- Perfect Guarantee: each transaction's signed guarantee link, and the ledger of claims. The
-- ledger is append-only: a correction is a new entry, and triggers refuse any UPDATE or DELETE.
-- Instants are UTC microseconds; money is in minor units of the invoice's currency.

CREATE TABLE guarantee_links (
    lookup_id TEXT PRIMARY KEY,
    transaction_id INTEGER NOT NULL UNIQUE REFERENCES transactions (id),
    created_at INTEGER NOT NULL
);
INSERT INTO guarantee_links (lookup_id, transaction_id, created_at)
    SELECT lower(hex(randomblob(16))), id, created_at FROM transactions;

CREATE TABLE guarantee_claims (
    id INTEGER PRIMARY KEY,
    -- 'invocation' (the customer's) or 'correction' (staff, replacing an entry's amounts).
    kind TEXT NOT NULL,
    corrects_claim_id INTEGER REFERENCES guarantee_claims (id),
    transaction_id INTEGER NOT NULL REFERENCES transactions (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    team_id INTEGER REFERENCES teams (id),
    staff_user_id INTEGER REFERENCES users (id),
    touchpoint_id INTEGER NOT NULL REFERENCES touchpoints (id),
    currency TEXT NOT NULL,
    invoiced_minor INTEGER NOT NULL,
    paid_minor INTEGER NOT NULL,
    credit_minor INTEGER NOT NULL,
    reason TEXT,
    -- 'link' (/g/{token}), 'survey' (from the survey page) or 'console' (a correction).
    source TEXT NOT NULL,
    case_id INTEGER REFERENCES cases (id),
    recorded_by_user_id INTEGER REFERENCES users (id),
    invoked_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    CHECK (paid_minor >= 0 AND credit_minor >= 0 AND paid_minor + credit_minor = invoiced_minor)
);
CREATE UNIQUE INDEX guarantee_one_invocation ON guarantee_claims (transaction_id) WHERE kind = 'invocation';
CREATE INDEX guarantee_claims_invoked ON guarantee_claims (invoked_at);
CREATE INDEX guarantee_claims_customer ON guarantee_claims (customer_id);
CREATE INDEX guarantee_claims_corrects ON guarantee_claims (corrects_claim_id);

CREATE TRIGGER guarantee_claims_no_update BEFORE UPDATE ON guarantee_claims
BEGIN
    SELECT RAISE(ABORT, 'guarantee ledger entries are immutable');
END;
CREATE TRIGGER guarantee_claims_no_delete BEFORE DELETE ON guarantee_claims
BEGIN
    SELECT RAISE(ABORT, 'guarantee ledger entries are immutable');
END;

ALTER TABLE alerts ADD COLUMN guarantee_claim_id INTEGER REFERENCES guarantee_claims (id);
