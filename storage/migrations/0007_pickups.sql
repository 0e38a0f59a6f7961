-- The pickup of an offer: when it was agreed, and what was found when it was weighed.
-- The amount comes from the price locked into the offer for the grade found (the price of
-- that grade in force when the farmer confirmed), kept here so the receipt never changes.
CREATE TABLE pickups (
    offer_id         INTEGER PRIMARY KEY REFERENCES offers (id),
    coordinator_id   INTEGER NOT NULL REFERENCES people (id),
    pickup_on        TEXT    NOT NULL,   -- ISO date in the farmer's zone
    window_start     INTEGER NOT NULL,   -- hour, local
    window_end       INTEGER NOT NULL,
    grade            TEXT,               -- found at pickup
    quantity         TEXT,               -- found at pickup, base units, exact decimal
    price_rupiah     INTEGER,            -- per base unit, for the grade found
    amount_rupiah    INTEGER,            -- price × quantity, whole rupiah (half up)
    picked_up_at     BIGINT,
    farmer_answer    TEXT CHECK (farmer_answer IN ('agreed', 'disputed')),
    answered_at      BIGINT,
    scheduled_at     BIGINT  NOT NULL
);
