-- Stock (issue 17): warehouses (gudang) per cooperative with a keeper (penjaga gudang), the
-- batches of produce in them at cost, every kilo traced to its pickups, and each move that
-- made or changed a batch (arrival, drying, processing, sorting, loss) with who, when, the
-- kilos in and out and why. Quantities are exact decimal TEXT in the commodity's base unit,
-- as pickups.quantity is: never summed in SQL (the code sums Decimals); zero is stored '0'.

-- The new role: rebuilt tables, since a CHECK cannot be altered in SQLite. Nothing
-- references these two tables, so a copy and a rename keep every row and key.
CREATE TABLE person_roles_new (
    person_id   INTEGER NOT NULL REFERENCES people (id),
    role        TEXT    NOT NULL CHECK (role IN ('farmer', 'member', 'coordinator', 'treasurer', 'admin', 'keeper')),
    granted_by  INTEGER REFERENCES people (id),
    granted_at  INTEGER NOT NULL,
    PRIMARY KEY (person_id, role)
);
INSERT INTO person_roles_new (person_id, role, granted_by, granted_at)
    SELECT person_id, role, granted_by, granted_at FROM person_roles;
DROP TABLE person_roles;
ALTER TABLE person_roles_new RENAME TO person_roles;

CREATE TABLE invites_new (
    code        TEXT    PRIMARY KEY,
    role        TEXT    NOT NULL CHECK (role IN ('coordinator', 'treasurer', 'admin', 'keeper')),
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    created_by  INTEGER REFERENCES people (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_by     INTEGER REFERENCES people (id),
    used_at     INTEGER
);
INSERT INTO invites_new (code, role, org_id, created_by, created_at, expires_at, used_by, used_at)
    SELECT code, role, org_id, created_by, created_at, expires_at, used_by, used_at FROM invites;
DROP TABLE invites;
ALTER TABLE invites_new RENAME TO invites;

-- A warehouse of a cooperative, where it is (Kemendagri village code) and who keeps it.
CREATE TABLE warehouses (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations (id),
    name          TEXT    NOT NULL,
    village_code  TEXT    NOT NULL,
    keeper_id     INTEGER REFERENCES people (id),
    created_at    BIGINT  NOT NULL,
    UNIQUE (org_id, name)
);
CREATE INDEX warehouses_keeper ON warehouses (keeper_id);

-- A move: one thing done to stock, by whom and when. quantity_in: the kilos it took (an
-- arrival: the pickups' weights); quantity_out: the kilos it made (an arrival: weighed at
-- the warehouse, the difference is transport shrink; a loss: '0'). cost_rupiah: the cost it
-- moved (an arrival: the pickups' gross amounts; a loss: the cost written off).
CREATE TABLE stock_moves (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES organisations (id),
    warehouse_id   INTEGER NOT NULL REFERENCES warehouses (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('arrival', 'drying', 'processing', 'sorting', 'loss')),
    commodity      TEXT    NOT NULL,
    grade          TEXT    NOT NULL,
    quantity_in    TEXT    NOT NULL,
    out_commodity  TEXT,
    out_grade      TEXT,
    quantity_out   TEXT    NOT NULL,
    cost_rupiah    BIGINT  NOT NULL CHECK (cost_rupiah >= 0),
    reason         TEXT,
    actor_id       INTEGER NOT NULL REFERENCES people (id),
    at             BIGINT  NOT NULL
);
CREATE INDEX stock_moves_warehouse ON stock_moves (warehouse_id, at);

-- A batch: kilos of one commodity and grade in one warehouse, with the cost still in it.
-- quantity and cost_rupiah are what remains (take() lowers both, give_back() restores).
CREATE TABLE stock_batches (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES organisations (id),
    warehouse_id     INTEGER NOT NULL REFERENCES warehouses (id),
    commodity        TEXT    NOT NULL,
    grade            TEXT    NOT NULL,
    quantity         TEXT    NOT NULL,
    cost_rupiah      BIGINT  NOT NULL CHECK (cost_rupiah >= 0),
    received_at      BIGINT  NOT NULL,
    origin           TEXT    NOT NULL CHECK (origin IN ('pickup', 'drying', 'processing', 'sorting', 'return')),
    parent_batch_id  INTEGER REFERENCES stock_batches (id),
    move_id          INTEGER REFERENCES stock_moves (id)
);
CREATE INDEX stock_batches_lookup ON stock_batches (org_id, commodity, grade, received_at);
CREATE INDEX stock_batches_warehouse ON stock_batches (warehouse_id);

-- What a move took from which batch (kilos and cost), so a move can be read back.
CREATE TABLE stock_move_inputs (
    move_id      INTEGER NOT NULL REFERENCES stock_moves (id),
    batch_id     INTEGER NOT NULL REFERENCES stock_batches (id),
    quantity     TEXT    NOT NULL,
    cost_rupiah  BIGINT  NOT NULL,
    PRIMARY KEY (move_id, batch_id)
);

-- Traceability: the pickups whose kilos went into a batch (a batch made by drying or
-- sorting carries its inputs' pickups, their kilos in proportion to what it took).
CREATE TABLE stock_batch_sources (
    batch_id  INTEGER NOT NULL REFERENCES stock_batches (id),
    offer_id  INTEGER NOT NULL REFERENCES offers (id),
    quantity  TEXT    NOT NULL,
    PRIMARY KEY (batch_id, offer_id)
);
CREATE INDEX stock_batch_sources_offer ON stock_batch_sources (offer_id);

-- A pickup reaches a warehouse once: the key refuses a second arrival (double tap, replay,
-- the keeper and the coordinator at once).
CREATE TABLE stock_arrivals (
    offer_id  INTEGER PRIMARY KEY REFERENCES offers (id),
    move_id   INTEGER NOT NULL REFERENCES stock_moves (id),
    batch_id  INTEGER NOT NULL REFERENCES stock_batches (id)
);
