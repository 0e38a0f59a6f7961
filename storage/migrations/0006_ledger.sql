-- The one ledger (bot.domain.ledger, storage.ledger): double-entry, whole rupiah, append-only,
-- hash-chained. Offtake (farmer payables, payments) and Savings (pokok, wajib, sukarela) both
-- post here.
--
-- Sign convention: ledger_lines.amount is signed, a debit positive and a credit negative, and
-- the lines of an entry sum to zero. balance_after is the account's raw balance (debits minus
-- credits) after the line, in id order: the latest line of an account gives its balance in
-- one index lookup. bot.domain.ledger turns it to the account's normal side for people
-- (savings and payables are credit-normal: a member's Rp50.000 is stored as -50000).
--
-- Ledger entries are numbered 1, 2, 3 … by the posting use case itself (the previous id
-- plus one, read in the same transaction as the previous hash), so a removed entry is a
-- missing number. Nothing here is ever updated or deleted: a correction is a reversing
-- entry. Portable SQL: standard types, times Unix seconds UTC as BIGINT, money BIGINT.
-- (PostgreSQL: the posting transaction locks the chain head, e.g. SELECT … FOR UPDATE of
-- the last entry or an advisory lock; SQLite's BEGIN IMMEDIATE already serialises it.)

-- Accounts, created on first use. The code is the account's name and meaning (grammar in
-- bot.domain.ledger.parse_account); kind is not CHECKed here so that a new kind needs no
-- table rebuild in SQLite (the domain refuses unknown codes). The owner, when there is one,
-- is a person (member savings, farmer payable) or an organisation (cash, purchases …).
CREATE TABLE ledger_accounts (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,      -- member:7:wajib, payable:farmer:12, cash:3
    kind        TEXT    NOT NULL,             -- bot.domain.ledger.AccountKind
    person_id   INTEGER REFERENCES people (id),
    org_id      INTEGER REFERENCES organisations (id),
    created_at  BIGINT  NOT NULL
);
CREATE INDEX ledger_accounts_person ON ledger_accounts (person_id);
CREATE INDEX ledger_accounts_org ON ledger_accounts (org_id);

-- Journal entries. hash = SHA-256(previous entry's hash || canonical form of this entry and
-- its lines), see bot.domain.ledger. reference names what the entry is (offer:42:owed,
-- batch:payroll-2025-12): at most one entry that is not reversed holds a reference (checked
-- by the posting use case, which runs alone; a reversed batch can be posted again).
-- reverses: the entry this one undoes; UNIQUE, so an entry is reversed once.
CREATE TABLE ledger_entries (
    id          INTEGER PRIMARY KEY,          -- 1, 2, 3 … without gaps
    at          BIGINT  NOT NULL,
    author_id   INTEGER REFERENCES people (id),   -- NULL: the system or the command line
    reason      TEXT    NOT NULL CHECK (reason <> ''),
    reference   TEXT,
    reverses    INTEGER UNIQUE REFERENCES ledger_entries (id),
    hash        TEXT    NOT NULL CHECK (LENGTH(hash) = 64)
);
CREATE INDEX ledger_entries_reference ON ledger_entries (reference);
CREATE INDEX ledger_entries_author ON ledger_entries (author_id);

CREATE TABLE ledger_lines (
    entry_id       INTEGER NOT NULL REFERENCES ledger_entries (id),
    line_no        INTEGER NOT NULL CHECK (line_no > 0),
    account_id     INTEGER NOT NULL REFERENCES ledger_accounts (id),
    amount         BIGINT  NOT NULL CHECK (amount <> 0),   -- debit > 0, credit < 0
    balance_after  BIGINT  NOT NULL,                       -- the account's raw balance after it
    PRIMARY KEY (entry_id, line_no),
    UNIQUE (entry_id, account_id)                          -- one line per account per entry
);
-- A balance is the latest line of the account; a statement pages back through them.
CREATE INDEX ledger_lines_account ON ledger_lines (account_id, entry_id);

-- Append-only, enforced by the database too (SQLite trigger syntax; in PostgreSQL the same
-- is a trigger function raising an exception, or REVOKE UPDATE, DELETE from the bot's role).
-- Anyone with the file can drop these: audit verify is what detects an edit anyway.
-- Each trigger is one line because storage.migrate splits statements at a ';' ending a line.
CREATE TRIGGER ledger_accounts_no_update BEFORE UPDATE ON ledger_accounts BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_lines_no_update BEFORE UPDATE ON ledger_lines BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_lines_no_delete BEFORE DELETE ON ledger_lines BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
