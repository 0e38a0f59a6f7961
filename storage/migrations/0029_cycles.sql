-- Goods in order cycles (issue 18, distribution), after Open Food Network's order cycles: the
-- hub coordinates, its suppliers bring goods in, its village cooperatives order them out;
-- the hub's fee per unit is shown openly beside the goods' price.
--
-- Room left for the next parts, so that they add columns and tables but rebuild nothing:
-- an order's orderer is an organisation ('org') or a union member ('person', paid from
-- sukarela with a ledger hold, or by payroll); a line keeps what was received at the count
-- step (a shortfall credited); an order moves on to delivered, invoiced and paid.

CREATE TABLE suppliers (
    id          INTEGER PRIMARY KEY,
    hub_id      INTEGER NOT NULL REFERENCES organisations (id),
    name        TEXT    NOT NULL,
    phone       TEXT,                 -- E.164, as people.phone
    contact     TEXT,                 -- the person to call there
    created_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX suppliers_hub_name ON suppliers (hub_id, name);

CREATE TABLE order_cycles (
    id              INTEGER PRIMARY KEY,
    hub_id          INTEGER NOT NULL REFERENCES organisations (id),
    name            TEXT    NOT NULL,
    closes_at       BIGINT  NOT NULL,           -- unix seconds UTC
    delivery_on     TEXT    NOT NULL,           -- ISO date, the hub's local day
    minimum_rupiah  BIGINT  NOT NULL DEFAULT 0 CHECK (minimum_rupiah >= 0),  -- per cooperative
    status          TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    opened_by       INTEGER REFERENCES people (id),  -- NULL: the command line
    created_at      BIGINT  NOT NULL,
    closed_at       BIGINT,
    announced_at    BIGINT                       -- the close told to officers and hub (once)
);
CREATE INDEX order_cycles_hub ON order_cycles (hub_id, status);
CREATE INDEX order_cycles_due ON order_cycles (status, closes_at);

-- What a cycle offers: a supplier's goods as people name them ("Beras SPHP 5 kg"), per unit.
-- price_rupiah is the goods' price per unit (what the supplier is paid); the cooperative pays
-- it plus fee_rupiah, the hub's fee. Quantities are whole units (INTEGER: SQL sums them);
-- taken is what live orders hold of stock (one conditional UPDATE decides a race).
CREATE TABLE cycle_items (
    id            INTEGER PRIMARY KEY,
    cycle_id      INTEGER NOT NULL REFERENCES order_cycles (id),
    supplier_id   INTEGER NOT NULL REFERENCES suppliers (id),
    name          TEXT    NOT NULL,
    unit          TEXT    NOT NULL CHECK (unit IN ('karung', 'liter', 'kg', 'sak', 'bungkus')),
    price_rupiah  BIGINT  NOT NULL CHECK (price_rupiah > 0),
    fee_rupiah    BIGINT  NOT NULL DEFAULT 0 CHECK (fee_rupiah >= 0),
    stock         INTEGER NOT NULL CHECK (stock > 0),
    taken         INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0 AND taken <= stock)
);
CREATE INDEX cycle_items_cycle ON cycle_items (cycle_id, supplier_id);
CREATE UNIQUE INDEX cycle_items_name ON cycle_items (cycle_id, name);

CREATE TABLE cycle_orders (
    id            INTEGER PRIMARY KEY,
    cycle_id      INTEGER NOT NULL REFERENCES order_cycles (id),
    orderer_kind  TEXT    NOT NULL DEFAULT 'org' CHECK (orderer_kind IN ('org', 'person')),
    org_id        INTEGER NOT NULL REFERENCES organisations (id),  -- orders, or (a person) picks up at
    person_id     INTEGER REFERENCES people (id),                  -- the member, for 'person'
    pay_by        TEXT    NOT NULL DEFAULT 'invoice' CHECK (pay_by IN ('invoice', 'sukarela', 'payroll')),
    hold_reference TEXT,                                           -- the sukarela hold's ledger reference
    status        TEXT    NOT NULL DEFAULT 'open' CHECK (status IN (
                      'open', 'cancelled', 'frozen', 'delivered', 'invoiced', 'paid')),
    placed_by     INTEGER REFERENCES people (id),
    placed_at     BIGINT  NOT NULL,
    changed_at    BIGINT  NOT NULL,
    counted_by    INTEGER REFERENCES people (id),  -- the count step (next part)
    counted_at    BIGINT
);
-- One order per cooperative per cycle (cancelled, it opens again); a member's, per member.
CREATE UNIQUE INDEX cycle_orders_org ON cycle_orders (cycle_id, org_id) WHERE orderer_kind = 'org';
CREATE UNIQUE INDEX cycle_orders_person ON cycle_orders (cycle_id, person_id) WHERE orderer_kind = 'person';
CREATE INDEX cycle_orders_status ON cycle_orders (cycle_id, status);

-- An order's lines: whole units of an item, with the price and fee it was ordered at.
CREATE TABLE cycle_order_lines (
    order_id      INTEGER NOT NULL REFERENCES cycle_orders (id),
    item_id       INTEGER NOT NULL REFERENCES cycle_items (id),
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    price_rupiah  BIGINT  NOT NULL,
    fee_rupiah    BIGINT  NOT NULL,
    received      INTEGER CHECK (received IS NULL OR received >= 0),  -- the count step: NULL until counted
    PRIMARY KEY (order_id, item_id)
);
CREATE INDEX cycle_order_lines_item ON cycle_order_lines (item_id);

-- Who was reminded of a cycle's close (once per officer and cycle).
CREATE TABLE cycle_reminders_sent (
    cycle_id   INTEGER NOT NULL REFERENCES order_cycles (id),
    person_id  INTEGER NOT NULL REFERENCES people (id),
    sent_at    BIGINT  NOT NULL,
    PRIMARY KEY (cycle_id, person_id)
);
