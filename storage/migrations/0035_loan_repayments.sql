-- Loan repayment (issue 19, second part): payments (payroll, counter, payoff), what each paid
-- of which installment, and the product's penalty (denda). The ledger holds the money: one
-- entry per payment, referenced loan:<id>:… (Dr receivable/cash/bank, Cr receivable:loan:<id>
-- pokok, Cr loaninterest:<org> jasa, Cr loanpenalty:<org> denda); these tables say how it
-- was allocated, so what is owed per installment is a sum, never a balance to keep in step.

-- Denda per month (or part of one) an installment is overdue, in basis points of what is
-- unpaid of it (50 = 0,5 % a month); 0 = no penalty. Per product version, as its other terms.
ALTER TABLE loan_products ADD COLUMN penalty_bp INTEGER NOT NULL DEFAULT 0
    CHECK (penalty_bp BETWEEN 0 AND 1000);

-- A payment is one ledger entry: its id is the entry's.
CREATE TABLE loan_payments (
    entry_id          INTEGER PRIMARY KEY REFERENCES ledger_entries (id),
    loan_id           INTEGER NOT NULL REFERENCES loans (id),
    amount_rupiah     BIGINT  NOT NULL CHECK (amount_rupiah > 0),
    principal_rupiah  BIGINT  NOT NULL CHECK (principal_rupiah >= 0),
    interest_rupiah   BIGINT  NOT NULL CHECK (interest_rupiah >= 0),
    penalty_rupiah    BIGINT  NOT NULL CHECK (penalty_rupiah >= 0),
    source            TEXT    NOT NULL CHECK (source IN ('payroll', 'counter', 'payoff')),
    reference         TEXT    NOT NULL UNIQUE,  -- the ledger entry's: loan:<id>:…
    recorded_by       INTEGER REFERENCES people (id),
    paid_on           TEXT    NOT NULL,  -- ISO date in the cooperative's books
    at                BIGINT  NOT NULL,
    CHECK (principal_rupiah + interest_rupiah + penalty_rupiah = amount_rupiah)
);
CREATE INDEX loan_payments_loan ON loan_payments (loan_id);

-- What one payment paid of one installment; waived_interest is the jasa a payoff forgave.
CREATE TABLE loan_allocations (
    payment_id        INTEGER NOT NULL REFERENCES loan_payments (entry_id),
    loan_id           INTEGER NOT NULL,
    number            INTEGER NOT NULL,
    principal_rupiah  BIGINT  NOT NULL DEFAULT 0 CHECK (principal_rupiah >= 0),
    interest_rupiah   BIGINT  NOT NULL DEFAULT 0 CHECK (interest_rupiah >= 0),
    penalty_rupiah    BIGINT  NOT NULL DEFAULT 0 CHECK (penalty_rupiah >= 0),
    waived_interest   BIGINT  NOT NULL DEFAULT 0 CHECK (waived_interest >= 0),
    PRIMARY KEY (payment_id, number),
    FOREIGN KEY (loan_id, number) REFERENCES loan_installments (loan_id, number)
);
CREATE INDEX loan_allocations_installment ON loan_allocations (loan_id, number);

-- Reminders before a due date: one per installment, whichever process sends it first.
CREATE TABLE loan_reminders (
    loan_id  INTEGER NOT NULL,
    number   INTEGER NOT NULL,
    sent_at  BIGINT  NOT NULL,
    PRIMARY KEY (loan_id, number)
);
