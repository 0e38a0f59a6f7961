-- Savings (issue 9): what each cooperative charges, when members are reminded, the join date
-- on the roster, payroll batches recorded once, and member savings owned by a roster entry.
-- Portable SQL: standard types, times Unix seconds UTC as BIGINT, money BIGINT whole rupiah.

-- Member savings accounts are member:<roster_id>:<kind> (bot.domain.ledger.member_savings):
-- owned by the membership, so a member imported from the books has savings before they
-- register, and sees them once their phone links the roster entry to them. org_id of such an
-- account is the roster entry's cooperative (filled when the account is created).
-- No account member:… was posted before this migration (nothing wrote savings yet).
ALTER TABLE ledger_accounts ADD COLUMN roster_id INTEGER REFERENCES roster (id);
CREATE INDEX ledger_accounts_roster ON ledger_accounts (roster_id);

-- The day the member joined (ISO date); NULL for members added before it was asked.
-- Wajib is billed from the month of joining.
ALTER TABLE roster ADD COLUMN joined_on DATE;
CREATE INDEX roster_person ON roster (person_id);

-- Simpanan pokok (once, on joining) and the monthly simpanan wajib of a cooperative, in force
-- from from_month (YYYY-MM) until the next row: history is kept, because the dues of a month
-- are what was in force then.
CREATE TABLE savings_rates (
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    from_month  CHAR(7) NOT NULL,
    pokok       BIGINT  NOT NULL CHECK (pokok >= 0),
    wajib       BIGINT  NOT NULL CHECK (wajib >= 0),
    set_at      BIGINT  NOT NULL,
    PRIMARY KEY (org_id, from_month)
);

-- When the monthly wajib reminder goes out: the day of the month (1-28, so every month has
-- it) at local_time (HH:MM) in each member's own zone.
CREATE TABLE savings_reminders (
    org_id        INTEGER PRIMARY KEY REFERENCES organisations (id),
    reminder_day  SMALLINT NOT NULL CHECK (reminder_day BETWEEN 1 AND 28),
    local_time    CHAR(5)  NOT NULL,
    set_at        BIGINT   NOT NULL
);

-- A batch of deposits (a payroll deduction file), recorded once: by its reference
-- (deposits:<org code>:<name or content hash>) and by its content per cooperative (unless all
-- its entries were reversed: checked by the import). Its ledger entries are
-- first_entry..last_entry (posted together, so consecutive).
CREATE TABLE savings_batches (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations (id),
    reference     TEXT     NOT NULL UNIQUE,
    file_name     TEXT     NOT NULL,
    content_hash  CHAR(64) NOT NULL,
    row_count     INTEGER  NOT NULL,
    total         BIGINT   NOT NULL,
    first_entry   INTEGER  NOT NULL REFERENCES ledger_entries (id),
    last_entry    INTEGER  NOT NULL REFERENCES ledger_entries (id),
    recorded_at   BIGINT   NOT NULL
);
CREATE INDEX savings_batches_content ON savings_batches (org_id, content_hash);

-- Each deposit of a batch: the month it pays (YYYY-MM), so a wajib month is not booked twice
-- by two different files (a reversed entry frees its month).
CREATE TABLE savings_deposits (
    entry_id   INTEGER PRIMARY KEY REFERENCES ledger_entries (id),
    batch_id   INTEGER NOT NULL REFERENCES savings_batches (id),
    roster_id  INTEGER NOT NULL REFERENCES roster (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('pokok', 'wajib', 'sukarela')),
    month      CHAR(7) NOT NULL
);
CREATE INDEX savings_deposits_member ON savings_deposits (roster_id, kind, month);
