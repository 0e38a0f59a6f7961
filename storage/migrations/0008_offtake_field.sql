-- Offtake in the field: offers entered by a coordinator for a farmer without Telegram, the
-- pickup place as a shared location and a photo, deductions (transport, handling) known
-- before the farmer commits, payment by transfer, and a farmer asking to move a pickup.
-- Portable SQL: ADD COLUMN with a type and, where needed, a CHECK (PostgreSQL and SQLite).

-- The coordinator who entered the offer for a farmer without Telegram (NULL: the farmer did).
ALTER TABLE offers ADD COLUMN entered_by INTEGER REFERENCES people (id);
-- Where to pick it up when the farmer shared a location (else: the village itself).
ALTER TABLE offers ADD COLUMN latitude DOUBLE PRECISION;
ALTER TABLE offers ADD COLUMN longitude DOUBLE PRECISION;
-- A photo of the harvest (Telegram's file_id, to send it on to the coordinator).
ALTER TABLE offers ADD COLUMN photo_file_id TEXT;

-- What a cooperative takes off the amount for its services, per unit of produce: whole
-- rupiah per base unit, per cooperative, for one commodity or all (commodity ''),
-- append-only and dated like the buying prices (a new row supersedes; the latest
-- valid_from in force wins, a commodity's own rate before the rate for all).
CREATE TABLE deduction_rates (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations (id),
    commodity     TEXT    NOT NULL DEFAULT '',       -- '' every commodity
    kind          TEXT    NOT NULL CHECK (kind IN ('transport', 'handling')),
    rupiah_per_unit INTEGER NOT NULL CHECK (rupiah_per_unit >= 0),   -- 0 ends a rate
    valid_from    BIGINT  NOT NULL,
    set_by        INTEGER REFERENCES people (id),
    set_at        BIGINT  NOT NULL
);
CREATE INDEX deduction_rates_lookup ON deduction_rates (org_id, kind, commodity, valid_from);

-- The rates in force when the farmer confirmed, locked into the offer with the price.
CREATE TABLE offer_deductions (
    offer_id        INTEGER NOT NULL REFERENCES offers (id),
    kind            TEXT    NOT NULL,
    rupiah_per_unit INTEGER NOT NULL CHECK (rupiah_per_unit > 0),
    PRIMARY KEY (offer_id, kind)
);

-- At the weighing: the deductions on the weight found (whole rupiah, each rounded half up);
-- amount_rupiah stays the gross, the farmer is owed amount_rupiah - deductions_rupiah.
ALTER TABLE pickups ADD COLUMN deductions_rupiah INTEGER NOT NULL DEFAULT 0;
-- How the farmer was paid: cash in the field, or a bank transfer with its reference.
ALTER TABLE pickups ADD COLUMN paid_by TEXT CHECK (paid_by IN ('cash', 'transfer'));
ALTER TABLE pickups ADD COLUMN payment_reference TEXT;
-- The day the farmer asked the pickup to move to (NULL: no open request).
ALTER TABLE pickups ADD COLUMN requested_on TEXT;
