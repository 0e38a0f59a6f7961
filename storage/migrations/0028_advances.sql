-- Input advances (issue 18): pupuk, bibit or cash given to a farmer, approved by a second
-- officer, repaid from the farmer's next harvests. The ledger holds the money
-- (advance:<id> when approved; the repayment is a line of the weighing's offer:<id>:owed
-- entry); advance_repayments says which advance each weighing repaid, so that a weighing
-- done again (a dispute) undoes its repayments with its entry. borrower_kind leaves room for
-- a village cooperative as borrower (farmer_id is then NULL and a cooperative column follows).
CREATE TABLE advances (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES organisations (id),
    borrower_kind  TEXT    NOT NULL DEFAULT 'farmer' CHECK (borrower_kind IN ('farmer')),
    farmer_id      INTEGER REFERENCES people (id),
    what           TEXT    NOT NULL CHECK (what IN ('pupuk', 'bibit', 'cash')),
    description    TEXT,
    amount_rupiah  BIGINT  NOT NULL CHECK (amount_rupiah > 0),
    status         TEXT    NOT NULL DEFAULT 'requested'
                   CHECK (status IN ('requested', 'approved', 'rejected', 'repaid')),
    maker_id       INTEGER NOT NULL REFERENCES people (id),
    checker_id     INTEGER REFERENCES people (id),
    created_at     BIGINT  NOT NULL,
    decided_at     BIGINT,
    repaid_at      BIGINT
);
CREATE INDEX advances_farmer ON advances (farmer_id, status);
CREATE INDEX advances_org ON advances (org_id, status);

-- What one weighing repaid of one advance (whole rupiah); undone_at when the weighing was
-- done again (its ledger entry reversed).
CREATE TABLE advance_repayments (
    id             INTEGER PRIMARY KEY,
    advance_id     INTEGER NOT NULL REFERENCES advances (id),
    offer_id       INTEGER NOT NULL REFERENCES offers (id),
    amount_rupiah  BIGINT  NOT NULL CHECK (amount_rupiah > 0),
    at             BIGINT  NOT NULL,
    undone_at      BIGINT
);
CREATE INDEX advance_repayments_advance ON advance_repayments (advance_id);
CREATE INDEX advance_repayments_offer ON advance_repayments (offer_id);

-- The cooperative's rule: what one farmer may owe in advances at once.
CREATE TABLE advance_limits (
    org_id      INTEGER PRIMARY KEY REFERENCES organisations (id),
    max_rupiah  BIGINT  NOT NULL CHECK (max_rupiah > 0),
    set_at      BIGINT  NOT NULL
);

-- The weighing keeps what it netted and what was still owed after it (the receipt's line).
ALTER TABLE pickups ADD COLUMN advance_rupiah BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pickups ADD COLUMN advance_left_rupiah BIGINT NOT NULL DEFAULT 0;
