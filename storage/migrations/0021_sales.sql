-- Market (issue 17), the selling half: buyers, sale contracts with the lot allocated to each
-- from stock, deliveries (surat jalan), invoices (faktur) and payments. The money is in the
-- ledger (references lot:<sale_id>:delivery:<id>, lot:<sale_id>:invoice:<id>,
-- invoice:<id>:payment:<n>); these tables say what happened and to which kilos.
-- Quantities are exact decimal TEXT in the commodity's base unit (as pickups.quantity),
-- money INTEGER whole rupiah, times INTEGER unix seconds, dates people agree ISO TEXT.

-- The cooperative's bank account, printed on its invoices ("BRI 0123-01-000123-30-1 a.n.
-- Koperasi …"); NULL: the invoice asks for cash.
ALTER TABLE organisations ADD COLUMN bank_account TEXT;

CREATE TABLE buyers (
    id                  INTEGER PRIMARY KEY,
    org_id              INTEGER NOT NULL REFERENCES organisations (id),
    name                TEXT    NOT NULL,
    kind                TEXT    NOT NULL CHECK (kind IN ('bulog', 'sppg', 'canteen', 'trader', 'retail', 'other')),
    contact             TEXT,                 -- the person to ask for
    phone               TEXT,                 -- E.164
    payment_terms_days  INTEGER NOT NULL DEFAULT 0 CHECK (payment_terms_days BETWEEN 0 AND 90),
    created_by          INTEGER REFERENCES people (id),
    created_at          INTEGER NOT NULL,
    UNIQUE (org_id, name)
);

-- A sale contract; its lot is its allocations (the lot's id is the sale's id).
CREATE TABLE sales (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organisations (id),
    buyer_id        INTEGER NOT NULL REFERENCES buyers (id),
    commodity       TEXT    NOT NULL,
    grade           TEXT    NOT NULL,
    quantity        TEXT    NOT NULL,         -- contracted, base units
    price_rupiah    INTEGER NOT NULL CHECK (price_rupiah > 0),   -- per base unit
    deliver_from    TEXT    NOT NULL,         -- the delivery window, ISO dates
    deliver_until   TEXT    NOT NULL,
    place           TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'delivered', 'invoiced', 'paid')),
    created_by      INTEGER REFERENCES people (id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX sales_org ON sales (org_id, status, id);
CREATE INDEX sales_buyer ON sales (buyer_id);

-- The lot: what the sale took from each stock batch (stock_batches.id, lane stock's table)
-- and at what cost; remaining: not yet delivered.
CREATE TABLE sale_allocations (
    id              INTEGER PRIMARY KEY,
    sale_id         INTEGER NOT NULL REFERENCES sales (id),
    batch_id        INTEGER NOT NULL,
    quantity        TEXT    NOT NULL,
    cost_rupiah     INTEGER NOT NULL CHECK (cost_rupiah >= 0),
    remaining       TEXT    NOT NULL,
    remaining_cost  INTEGER NOT NULL CHECK (remaining_cost >= 0),
    allocated_at    INTEGER NOT NULL
);
CREATE INDEX sale_allocations_sale ON sale_allocations (sale_id, id);
CREATE INDEX sale_allocations_batch ON sale_allocations (batch_id);

-- Numbers people read, counted per cooperative per kind per year (SJ/2026/0007).
CREATE TABLE document_counters (
    org_id  INTEGER NOT NULL REFERENCES organisations (id),
    kind    TEXT    NOT NULL,
    year    INTEGER NOT NULL,
    last    INTEGER NOT NULL,
    PRIMARY KEY (org_id, kind, year)
);

CREATE TABLE invoices (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organisations (id),
    sale_id         INTEGER NOT NULL REFERENCES sales (id),
    buyer_id        INTEGER NOT NULL REFERENCES buyers (id),
    number          TEXT    NOT NULL,
    issued_on       TEXT    NOT NULL,         -- ISO date, the cooperative's zone
    due_on          TEXT    NOT NULL,
    total_rupiah    BIGINT  NOT NULL CHECK (total_rupiah > 0),
    paid_rupiah     BIGINT  NOT NULL DEFAULT 0 CHECK (paid_rupiah >= 0),
    status          TEXT    NOT NULL DEFAULT 'unpaid' CHECK (status IN ('unpaid', 'part_paid', 'paid')),
    issued_by       INTEGER REFERENCES people (id),
    issued_at       INTEGER NOT NULL,
    UNIQUE (org_id, number)
);
CREATE INDEX invoices_sale ON invoices (sale_id);
CREATE INDEX invoices_buyer ON invoices (buyer_id, status);

-- A delivery (its surat jalan): kilos sent, accepted by the buyer, rejected with a reason.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organisations (id),
    sale_id         INTEGER NOT NULL REFERENCES sales (id),
    number          TEXT    NOT NULL,
    sent            TEXT    NOT NULL,
    received        TEXT    NOT NULL,
    rejected        TEXT    NOT NULL,
    reject_reason   TEXT,
    cost_rupiah     INTEGER NOT NULL CHECK (cost_rupiah >= 0),    -- of the accepted kilos
    invoice_id      INTEGER REFERENCES invoices (id),
    amount_rupiah   BIGINT,                   -- its invoice line (accepted × price), once invoiced
    delivered_at    INTEGER NOT NULL,
    recorded_by     INTEGER REFERENCES people (id),
    UNIQUE (org_id, number)
);
CREATE INDEX deliveries_sale ON deliveries (sale_id, id);
CREATE INDEX deliveries_invoice ON deliveries (invoice_id);

-- Which pieces of the lot each delivery took, accepted (1) or rejected and back in stock (0).
CREATE TABLE delivery_pieces (
    delivery_id     INTEGER NOT NULL REFERENCES deliveries (id),
    allocation_id   INTEGER NOT NULL REFERENCES sale_allocations (id),
    accepted        INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    quantity        TEXT    NOT NULL,
    cost_rupiah     INTEGER NOT NULL CHECK (cost_rupiah >= 0),
    PRIMARY KEY (delivery_id, allocation_id, accepted)
);

CREATE TABLE sale_payments (
    id              INTEGER PRIMARY KEY,
    invoice_id      INTEGER NOT NULL REFERENCES invoices (id),
    n               INTEGER NOT NULL CHECK (n > 0),
    amount_rupiah   BIGINT  NOT NULL CHECK (amount_rupiah > 0),
    method          TEXT    NOT NULL CHECK (method IN ('cash', 'transfer')),
    reference       TEXT,
    paid_at         INTEGER NOT NULL,
    recorded_by     INTEGER REFERENCES people (id),
    UNIQUE (invoice_id, n)
);
