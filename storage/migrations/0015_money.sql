-- Money and roles (issue 14, section 2).
-- A weighing far above the offer waits for a second person (held_at set, picked_up_at not
-- yet): nothing is owed to the farmer and no receipt goes out until it is confirmed.
ALTER TABLE pickups ADD COLUMN held_at BIGINT;
ALTER TABLE pickups ADD COLUMN checked_by INTEGER REFERENCES people (id);
-- A disputed receipt is paid only after an administrator settles the dispute.
ALTER TABLE pickups ADD COLUMN settled_by INTEGER REFERENCES people (id);
ALTER TABLE pickups ADD COLUMN settled_at BIGINT;

-- A cooperative that stops buying a produce (/katalog) stops it for its own farmers only;
-- commodities.active (the command line) still stops it everywhere.
CREATE TABLE org_commodity_stops (
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    commodity   TEXT    NOT NULL REFERENCES commodities (code),
    stopped_by  INTEGER REFERENCES people (id),
    stopped_at  BIGINT  NOT NULL,
    PRIMARY KEY (org_id, commodity)
);

-- The most one deposit or withdrawal at the savings desk moves, by the cooperative's rule
-- (`koperasi-bot org savings --desk-limit`); none set: domain.money.MAX_DESK_AMOUNT.
CREATE TABLE savings_desk_limits (
    org_id      INTEGER PRIMARY KEY REFERENCES organisations (id),
    max_rupiah  BIGINT  NOT NULL CHECK (max_rupiah > 0),
    set_at      BIGINT  NOT NULL
);
