-- A union member's order in a hub's order cycle (issue 18): the membership (roster entry) whose
-- sukarela pays it or whose payroll is deducted for it, and its pickup at the member's PUK.
-- orderer_kind 'person', person_id, pay_by and hold_reference came with 0029. A sukarela hold is
-- no ledger entry: it is the order itself while it is live and not picked up (open or frozen),
-- so a cancel releases it and the pickup's posting (one entry, the hold's reference) ends it.
ALTER TABLE cycle_orders ADD COLUMN roster_id INTEGER REFERENCES roster (id);
ALTER TABLE cycle_orders ADD COLUMN picked_up_by INTEGER REFERENCES people (id);
ALTER TABLE cycle_orders ADD COLUMN picked_up_at BIGINT;
CREATE INDEX cycle_orders_roster ON cycle_orders (roster_id, status);
CREATE INDEX cycle_orders_pickup ON cycle_orders (org_id, status, orderer_kind);

-- Advances from a hub to its village cooperatives (issue 18, financing): asked by one hub
-- officer, approved by a second; approved, the ledger posts coop-advance:<id> (debit
-- receivable:coop:<coop>, credit the hub's bank). A table of their own rather than a widened
-- advances.borrower_kind: a farmer's advance is repaid from weighings (advance_repayments,
-- pickups), a cooperative's is repaid with its invoices from what receivable:coop holds, and
-- widening the CHECK on SQLite means rebuilding advances under advance_repayments' keys.
CREATE TABLE coop_advances (
    id             INTEGER PRIMARY KEY,
    hub_id         INTEGER NOT NULL REFERENCES organisations (id),
    coop_id        INTEGER NOT NULL REFERENCES organisations (id),
    purpose        TEXT    NOT NULL,
    amount_rupiah  BIGINT  NOT NULL CHECK (amount_rupiah > 0),
    status         TEXT    NOT NULL DEFAULT 'requested'
                   CHECK (status IN ('requested', 'approved', 'rejected')),
    maker_id       INTEGER NOT NULL REFERENCES people (id),
    checker_id     INTEGER REFERENCES people (id),
    created_at     BIGINT  NOT NULL,
    decided_at     BIGINT
);
CREATE INDEX coop_advances_coop ON coop_advances (coop_id, status);

-- The hub's rule: what one village cooperative may owe it at once (advances asked included).
CREATE TABLE coop_advance_limits (
    hub_id      INTEGER PRIMARY KEY REFERENCES organisations (id),
    max_rupiah  BIGINT  NOT NULL CHECK (max_rupiah > 0),
    set_at      BIGINT  NOT NULL
);
