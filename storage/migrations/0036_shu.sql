-- The year-end SHU (issue 19): the bylaws' percentages per cooperative, versioned, and the
-- year's posting as one maker-checker action. Shares are basis points (100 = 1 %), exact
-- INTEGERs; a version is in force from its date (ISO YYYY-MM-DD) until the next one's, and a
-- year uses the version in force on its 31 December. Rows are never changed: a new version
-- is added instead.
CREATE TABLE shu_rules (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organisations (id),
    version         INTEGER NOT NULL CHECK (version >= 1),
    effective_from  TEXT    NOT NULL,
    reserve_bp      INTEGER NOT NULL CHECK (reserve_bp BETWEEN 0 AND 10000),
    modal_bp        INTEGER NOT NULL CHECK (modal_bp BETWEEN 0 AND 10000),
    usaha_bp        INTEGER NOT NULL CHECK (usaha_bp BETWEEN 0 AND 10000),
    set_by          INTEGER REFERENCES people (id),
    set_at          BIGINT  NOT NULL,
    UNIQUE (org_id, version)
);
CREATE INDEX shu_rules_from ON shu_rules (org_id, effective_from);

-- The funds of a version (dana pengurus, karyawan, pendidikan, sosial …), in the bylaws' order.
CREATE TABLE shu_rule_funds (
    rules_id  INTEGER NOT NULL REFERENCES shu_rules (id),
    position  INTEGER NOT NULL CHECK (position >= 1),
    name      TEXT    NOT NULL,
    bp        INTEGER NOT NULL CHECK (bp BETWEEN 0 AND 10000),
    PRIMARY KEY (rules_id, position),
    UNIQUE (rules_id, name)
);

-- A year's SHU, proposed by one officer and approved (posted) by another, once per
-- cooperative and year: the proposal keeps the figures it was made on, and the approval posts
-- only when the ledger still gives the same (else it is proposed again). The ledger entry
-- holds the reference shu:<org>:<year>.
CREATE TABLE shu_postings (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organisations (id),
    year            INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    rules_id        INTEGER NOT NULL REFERENCES shu_rules (id),
    shu_rupiah      BIGINT  NOT NULL,
    members_rupiah  BIGINT  NOT NULL CHECK (members_rupiah >= 0),
    status          TEXT    NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'posted')),
    proposed_by     INTEGER NOT NULL REFERENCES people (id),
    proposed_at     BIGINT  NOT NULL,
    approved_by     INTEGER REFERENCES people (id),
    approved_at     BIGINT,
    entry_id        INTEGER REFERENCES ledger_entries (id),
    UNIQUE (org_id, year)
);
