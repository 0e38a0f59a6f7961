-- Member loans (issue 19, first part): products, applications, two approvals, the payout and
-- the schedule. Repayment (payroll import, counter payments), arrears and SHU come later and
-- fit without a rebuild: a payment is allocated to loan_installments rows (a table of its own
-- then), and 'paid' is already a status. Money is whole rupiah (BIGINT); the rate is basis
-- points per month (125 = 1,25 % a month), an exact INTEGER.

-- A product, versioned like savings rates: "loan product add" with a code that exists adds
-- its next version; a loan names the version it was applied under, so later terms never
-- change it. The product in force is the highest version (unless retired).
CREATE TABLE loan_products (
    id                 INTEGER PRIMARY KEY,
    org_id             INTEGER NOT NULL REFERENCES organisations (id),
    code               TEXT    NOT NULL,
    version            INTEGER NOT NULL CHECK (version >= 1),
    name               TEXT    NOT NULL,
    max_amount         BIGINT  NOT NULL CHECK (max_amount > 0),
    max_tenor          INTEGER NOT NULL CHECK (max_tenor BETWEEN 1 AND 120),
    rate_bp            INTEGER NOT NULL CHECK (rate_bp >= 0),
    method             TEXT    NOT NULL CHECK (method IN ('flat', 'annuity', 'declining')),
    fee_rupiah         BIGINT  NOT NULL DEFAULT 0 CHECK (fee_rupiah >= 0),
    fee_bp             INTEGER NOT NULL DEFAULT 0 CHECK (fee_bp >= 0),
    min_member_months  INTEGER NOT NULL DEFAULT 0 CHECK (min_member_months >= 0),
    max_share_bp       INTEGER NOT NULL CHECK (max_share_bp BETWEEN 1 AND 10000),
    top_up             INTEGER NOT NULL DEFAULT 0 CHECK (top_up IN (0, 1)),
    retired            INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    set_by             INTEGER REFERENCES people (id),
    set_at             BIGINT  NOT NULL,
    UNIQUE (org_id, code, version)
);

-- The member's take-home pay per month (gaji bersih), imported with the roster; NULL when
-- unknown (then a loan's installment share cannot be checked, and the member is told so).
ALTER TABLE roster ADD COLUMN take_home_rupiah BIGINT;

-- A loan: its terms copied from the product version at the application, so the schedule can
-- always be computed again; the schedule rows are written at the payout (due dates run from
-- it). disbursed_via/transfer_ref say how it was paid out.
CREATE TABLE loans (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES organisations (id),
    roster_id      INTEGER NOT NULL REFERENCES roster (id),
    person_id      INTEGER NOT NULL REFERENCES people (id),
    product_id     INTEGER NOT NULL REFERENCES loan_products (id),
    amount_rupiah  BIGINT  NOT NULL CHECK (amount_rupiah > 0),
    tenor_months   INTEGER NOT NULL CHECK (tenor_months BETWEEN 1 AND 120),
    rate_bp        INTEGER NOT NULL CHECK (rate_bp >= 0),
    method         TEXT    NOT NULL CHECK (method IN ('flat', 'annuity', 'declining')),
    fee_rupiah     BIGINT  NOT NULL CHECK (fee_rupiah >= 0),
    purpose        TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'applied'
                   CHECK (status IN ('applied', 'approved', 'disbursed', 'refused', 'cancelled', 'paid')),
    applied_at     BIGINT  NOT NULL,
    decided_at     BIGINT,
    disbursed_at   BIGINT,
    disbursed_by   INTEGER REFERENCES people (id),
    disbursed_via  TEXT    CHECK (disbursed_via IN ('cash', 'transfer')),
    transfer_ref   TEXT,
    first_due      TEXT
);
CREATE INDEX loans_person ON loans (person_id, status);
CREATE INDEX loans_org ON loans (org_id, status);

-- One decision per officer per loan (the key refuses the same officer twice); the applicant
-- is refused by the use case. Two approvals make a loan approved, one refusal refuses it.
CREATE TABLE loan_approvals (
    loan_id     INTEGER NOT NULL REFERENCES loans (id),
    officer_id  INTEGER NOT NULL REFERENCES people (id),
    approve     INTEGER NOT NULL CHECK (approve IN (0, 1)),
    at          BIGINT  NOT NULL,
    PRIMARY KEY (loan_id, officer_id)
);

-- The schedule: one row per installment (angsuran) with its due date (ISO YYYY-MM-DD), pokok
-- and jasa in whole rupiah; never changed (repayments are allocated to it, not written in it).
CREATE TABLE loan_installments (
    loan_id           INTEGER NOT NULL REFERENCES loans (id),
    number            INTEGER NOT NULL CHECK (number >= 1),
    due_on            TEXT    NOT NULL,
    principal_rupiah  BIGINT  NOT NULL CHECK (principal_rupiah >= 0),
    interest_rupiah   BIGINT  NOT NULL CHECK (interest_rupiah >= 0),
    PRIMARY KEY (loan_id, number)
);
CREATE INDEX loan_installments_due ON loan_installments (due_on);
