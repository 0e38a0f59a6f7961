-- Offers of produce at the guaranteed price, the coordinators who cover villages, and the
-- alerts sent about each offer (so that the others can be edited once one is taken).

-- A coordinator's area: Kemendagri code prefixes ('33.10' covers every desa of Kab. Klaten).
CREATE TABLE person_coverage (
    person_id  INTEGER NOT NULL REFERENCES people (id),
    prefix     TEXT    NOT NULL,
    PRIMARY KEY (person_id, prefix)
);
CREATE INDEX person_coverage_prefix ON person_coverage (prefix);

-- The price in force when the farmer confirmed is copied in (the guarantee): later price
-- changes never touch an offer. Quantities in the commodity's base unit, kept as text
-- (an exact decimal, e.g. '1500' or '1.5') as typed amounts can be fractions.
CREATE TABLE offers (
    id               INTEGER PRIMARY KEY,
    farmer_id        INTEGER NOT NULL REFERENCES people (id),
    org_id           INTEGER NOT NULL REFERENCES organisations (id),
    village_code     TEXT    NOT NULL,
    commodity        TEXT    NOT NULL REFERENCES commodities (code),
    grade            TEXT    NOT NULL,
    quantity         TEXT    NOT NULL,    -- base units, exact decimal
    typed_amount     TEXT    NOT NULL,    -- what the farmer typed: amount …
    typed_unit       TEXT    NOT NULL,    -- … and unit
    price_id         INTEGER NOT NULL REFERENCES buying_prices (id),
    price_rupiah     INTEGER NOT NULL CHECK (price_rupiah > 0),   -- per base unit, locked
    guaranteed_until BIGINT  NOT NULL,    -- the locked price holds until then
    ready_on         TEXT    NOT NULL,    -- ISO date, the farmer's own zone
    status           TEXT    NOT NULL DEFAULT 'open' CHECK (status IN (
                         'open', 'taken', 'scheduled', 'picked_up', 'paid', 'cancelled', 'expired')),
    taker_id         INTEGER REFERENCES people (id),
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    FOREIGN KEY (commodity, grade) REFERENCES grades (commodity, code)
);
CREATE INDEX offers_farmer ON offers (farmer_id, created_at);
CREATE INDEX offers_open ON offers (status, village_code);

-- One alert message per coordinator (or admin) per offer.
CREATE TABLE offer_alerts (
    offer_id    INTEGER NOT NULL REFERENCES offers (id),
    person_id   INTEGER NOT NULL REFERENCES people (id),
    chat_id     BIGINT  NOT NULL,
    message_id  BIGINT  NOT NULL,
    PRIMARY KEY (offer_id, person_id)
);
