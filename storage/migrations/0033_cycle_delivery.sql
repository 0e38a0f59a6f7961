-- An order cycle after its close (issue 18, distribution): the invoice made at the count step
-- (one per cooperative's order, on received units; the shortfall credited), the cooperative's
-- payments to the hub by transfer reference, and the hub's payments to its suppliers. The
-- money itself is in the ledger (cycle-order:<id>:invoiced, cycle-payment:<id>,
-- supplier-payment:<id>); these rows say what each entry was for and keep a reference once.

CREATE TABLE cycle_invoices (
    order_id         INTEGER PRIMARY KEY REFERENCES cycle_orders (id),
    hub_id           INTEGER NOT NULL REFERENCES organisations (id),
    org_id           INTEGER NOT NULL REFERENCES organisations (id),
    number           TEXT    NOT NULL UNIQUE,          -- FKT/2026/0012, the hub's series
    goods_rupiah     BIGINT  NOT NULL CHECK (goods_rupiah >= 0),
    fees_rupiah      BIGINT  NOT NULL CHECK (fees_rupiah >= 0),
    credited_rupiah  BIGINT  NOT NULL CHECK (credited_rupiah >= 0),  -- the shortfall, not billed
    total_rupiah     BIGINT  NOT NULL CHECK (total_rupiah >= 0),
    paid_rupiah      BIGINT  NOT NULL DEFAULT 0 CHECK (paid_rupiah >= 0 AND paid_rupiah <= total_rupiah),
    issued_at        BIGINT  NOT NULL,
    due_on           TEXT    NOT NULL                  -- ISO date, the hub's day
);
CREATE INDEX cycle_invoices_org ON cycle_invoices (org_id);
CREATE INDEX cycle_invoices_hub ON cycle_invoices (hub_id);

CREATE TABLE cycle_payments (
    id             INTEGER PRIMARY KEY,
    hub_id         INTEGER NOT NULL REFERENCES organisations (id),
    order_id       INTEGER NOT NULL REFERENCES cycle_orders (id),
    reference      TEXT    NOT NULL,                   -- the transfer's, as the bank prints it
    amount_rupiah  BIGINT  NOT NULL CHECK (amount_rupiah > 0),
    recorded_by    INTEGER REFERENCES people (id),     -- NULL: the command line
    recorded_at    BIGINT  NOT NULL
);
CREATE UNIQUE INDEX cycle_payments_reference ON cycle_payments (hub_id, reference);

CREATE TABLE supplier_payments (
    id             INTEGER PRIMARY KEY,
    supplier_id    INTEGER NOT NULL REFERENCES suppliers (id),
    reference      TEXT    NOT NULL,
    amount_rupiah  BIGINT  NOT NULL CHECK (amount_rupiah > 0),
    recorded_by    INTEGER REFERENCES people (id),
    recorded_at    BIGINT  NOT NULL
);
CREATE UNIQUE INDEX supplier_payments_reference ON supplier_payments (supplier_id, reference);
