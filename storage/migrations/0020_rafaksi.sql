-- Rafaksi (issue 17): the price cut for grain below the quality its buying price is for,
-- by a table per cooperative × commodity, dated like prices (append-only: a new table from
-- valid_from supersedes, history is kept). domain.rafaksi reads a table as a grid: upper
-- limits of each measure's bands (exact decimal percent as TEXT) and a cut in whole rupiah
-- per base unit for each cell (moisture band × hampa/kotoran band). A table with no limits
-- means "no rafaksi from valid_from" (the cooperative stopped cutting).

CREATE TABLE rafaksi_tables (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER REFERENCES organisations (id),  -- NULL: a government table, a template
    commodity   TEXT    NOT NULL REFERENCES commodities (code),
    valid_from  BIGINT  NOT NULL,
    source      TEXT    NOT NULL DEFAULT '',
    set_by      INTEGER REFERENCES people (id),
    set_at      BIGINT  NOT NULL
);
CREATE INDEX rafaksi_tables_in_force ON rafaksi_tables (org_id, commodity, valid_from);

CREATE TABLE rafaksi_limits (
    table_id    INTEGER NOT NULL REFERENCES rafaksi_tables (id),
    measure     TEXT    NOT NULL CHECK (measure IN ('moisture', 'foreign')),
    band        INTEGER NOT NULL CHECK (band >= 0),
    up_to       TEXT    NOT NULL,   -- percent, exact decimal: band holds readings up to it
    PRIMARY KEY (table_id, measure, band)
);

CREATE TABLE rafaksi_cuts (
    table_id       INTEGER NOT NULL REFERENCES rafaksi_tables (id),
    moisture_band  INTEGER NOT NULL,
    foreign_band   INTEGER NOT NULL,
    cut_rupiah     INTEGER NOT NULL CHECK (cut_rupiah >= 0),   -- per base unit
    PRIMARY KEY (table_id, moisture_band, foreign_band)
);

-- What the weighing measured and cut (the price_rupiah of a pickup is then the locked price
-- less cut_rupiah, and amount_rupiah that price × quantity): kept on the pickup so that the
-- receipt never changes when the table does.
-- moisture and foreign_matter (hampa/kotoran): percent, exact decimal, NULL where not
-- measured; cut_rupiah per base unit.
ALTER TABLE pickups ADD COLUMN moisture TEXT;
ALTER TABLE pickups ADD COLUMN foreign_matter TEXT;
ALTER TABLE pickups ADD COLUMN cut_rupiah INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pickups ADD COLUMN rafaksi_table_id INTEGER REFERENCES rafaksi_tables (id);

-- The government's table for GKP at the farm gate, Kepbadan Bapanas 2/2025 (in force from
-- 15 January 2025 = 1736874000 at 00:00 WIB): Rp6.500 up to 25 % moisture and 10 % hampa;
-- hampa 11–15 %: Rp300 off; moisture 26–30 %: Rp425 off; both: Rp750 off. Kepbadan 14/2025
-- (24 January 2025) revoked these cuts for GKP at the farm gate, so it is a template a
-- cooperative adopts (`koperasi-bot rafaksi set --government`), never applied by itself.
-- The decree's bands are whole percent (26–30): readings between 25 and 26 (25,5 %) are put
-- in the 26–30 band here, to be confirmed by the cooperative.
INSERT INTO rafaksi_tables (org_id, commodity, valid_from, source, set_at)
    VALUES (NULL, 'gabah', 1736874000, 'Kepbadan Bapanas 2/2025 (GKP di petani)', 1736874000);
INSERT INTO rafaksi_limits (table_id, measure, band, up_to)
    SELECT id, 'moisture', 0, '25' FROM rafaksi_tables WHERE org_id IS NULL AND commodity = 'gabah';
INSERT INTO rafaksi_limits (table_id, measure, band, up_to)
    SELECT id, 'moisture', 1, '30' FROM rafaksi_tables WHERE org_id IS NULL AND commodity = 'gabah';
INSERT INTO rafaksi_limits (table_id, measure, band, up_to)
    SELECT id, 'foreign', 0, '10' FROM rafaksi_tables WHERE org_id IS NULL AND commodity = 'gabah';
INSERT INTO rafaksi_limits (table_id, measure, band, up_to)
    SELECT id, 'foreign', 1, '15' FROM rafaksi_tables WHERE org_id IS NULL AND commodity = 'gabah';
INSERT INTO rafaksi_cuts (table_id, moisture_band, foreign_band, cut_rupiah)
    SELECT id, 0, 0, 0 FROM rafaksi_tables WHERE org_id IS NULL AND commodity = 'gabah';
INSERT INTO rafaksi_cuts (table_id, moisture_band, foreign_band, cut_rupiah)
    SELECT id, 0, 1, 300 FROM rafaksi_tables WHERE org_id IS NULL AND commodity = 'gabah';
INSERT INTO rafaksi_cuts (table_id, moisture_band, foreign_band, cut_rupiah)
    SELECT id, 1, 0, 425 FROM rafaksi_tables WHERE org_id IS NULL AND commodity = 'gabah';
INSERT INTO rafaksi_cuts (table_id, moisture_band, foreign_band, cut_rupiah)
    SELECT id, 1, 1, 750 FROM rafaksi_tables WHERE org_id IS NULL AND commodity = 'gabah';
