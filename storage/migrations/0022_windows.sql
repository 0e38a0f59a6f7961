-- Buying windows (issue 17, buying led by demand): the cooperative needs a volume of one
-- produce (a grade, or any) from one area by a deadline; the offers farmers confirm while
-- it is open fill it.

CREATE TABLE buying_windows (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations (id),
    commodity     TEXT    NOT NULL REFERENCES commodities (code),
    grade         TEXT    NOT NULL DEFAULT '',   -- '' : any grade
    area_prefix   TEXT    NOT NULL DEFAULT '',   -- Kemendagri code prefix, '' : everywhere
    target        TEXT    NOT NULL,              -- base units, exact decimal (as offers.quantity)
    target_unit   TEXT    NOT NULL,              -- the unit it is said in ('ton'), for texts
    price_rupiah  INTEGER NOT NULL CHECK (price_rupiah > 0),   -- per base unit
    deadline      BIGINT  NOT NULL,              -- unix seconds UTC (the end of a local day)
    state         TEXT    NOT NULL DEFAULT 'open' CHECK (state IN (
                      'open', 'filled', 'closed_short', 'cancelled')),
    opened_by     INTEGER REFERENCES people (id), -- NULL: opened on the command line
    -- A sale contract may open a window (lane sales adds sales): no foreign key, so that
    -- this table stands without it.
    sale_id       INTEGER,
    created_at    BIGINT  NOT NULL,
    closed_at     BIGINT,
    closed_by     INTEGER REFERENCES people (id), -- who closed it by hand (NULL: itself, or a job)
    announced_at  BIGINT                          -- the close queued to its farmers (once)
);
CREATE INDEX buying_windows_state ON buying_windows (state, org_id, commodity);

-- The offers counted toward a window, with the quantity offered when they were confirmed.
-- An offer fills one window at most.
CREATE TABLE window_offers (
    window_id  INTEGER NOT NULL REFERENCES buying_windows (id),
    offer_id   INTEGER NOT NULL REFERENCES offers (id),
    quantity   TEXT    NOT NULL,                  -- base units, exact decimal
    PRIMARY KEY (window_id, offer_id)
);
CREATE UNIQUE INDEX window_offers_offer ON window_offers (offer_id);
