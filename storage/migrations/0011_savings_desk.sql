-- The treasurer's desk (issue 9): withdrawals and reversals wait for a second officer
-- (maker–checker), and the monthly wajib reminder remembers whom it reached.
-- Portable SQL: standard types, times Unix seconds UTC as BIGINT, money BIGINT.

-- A withdrawal or a reversal asked by one officer (the maker), decided by another (the
-- checker): nobody decides their own. Approving posts the ledger entry (posted_entry) in the
-- same transaction; a request is decided once (the status moves from 'pending' only).
CREATE TABLE savings_requests (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations (id),
    action        TEXT    NOT NULL CHECK (action IN ('withdrawal', 'reversal')),
    roster_id     INTEGER REFERENCES roster (id),            -- the member (a withdrawal)
    savings_kind  TEXT    CHECK (savings_kind IN ('pokok', 'wajib', 'sukarela')),
    amount        BIGINT  CHECK (amount > 0),
    entry_id      INTEGER REFERENCES ledger_entries (id),    -- the entry to undo (a reversal)
    reason        TEXT    NOT NULL CHECK (reason <> ''),
    maker_id      INTEGER NOT NULL REFERENCES people (id),
    status        TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    checker_id    INTEGER REFERENCES people (id),
    posted_entry  INTEGER REFERENCES ledger_entries (id),
    created_at    BIGINT  NOT NULL,
    decided_at    BIGINT,
    CHECK (checker_id IS NULL OR checker_id <> maker_id)
);
CREATE INDEX savings_requests_pending ON savings_requests (org_id, status);

-- One message per checker per request, so the others can be edited once one decided.
CREATE TABLE savings_request_alerts (
    request_id  INTEGER NOT NULL REFERENCES savings_requests (id),
    person_id   INTEGER NOT NULL REFERENCES people (id),
    chat_id     BIGINT  NOT NULL,
    message_id  BIGINT  NOT NULL,
    PRIMARY KEY (request_id, person_id)
);

-- The wajib reminder of a month, claimed per member before it is sent: a restart never
-- reminds anyone twice (a crash between the claim and the send loses that one reminder).
CREATE TABLE savings_reminders_sent (
    roster_id  INTEGER NOT NULL REFERENCES roster (id),
    month      CHAR(7) NOT NULL,
    sent_at    BIGINT  NOT NULL,
    PRIMARY KEY (roster_id, month)
);
