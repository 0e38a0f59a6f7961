-- Monthly reports of village cooperatives (issue 18, mentoring). Append-only: filing a month
-- again adds a new version, the highest version of (org, month) counts, the history stays.
-- Money in whole rupiah; produce sent to the hub in INTEGER grams (exact, summed in SQL).
CREATE TABLE monthly_reports (
    id                  INTEGER PRIMARY KEY,
    org_id              INTEGER NOT NULL REFERENCES organisations (id),
    month               TEXT    NOT NULL,
    version             INTEGER NOT NULL CHECK (version >= 1),
    members             INTEGER NOT NULL CHECK (members >= 0),
    savings_rupiah      BIGINT  NOT NULL CHECK (savings_rupiah >= 0),
    store_sales_rupiah  BIGINT  NOT NULL CHECK (store_sales_rupiah >= 0),
    produce_grams       BIGINT  NOT NULL CHECK (produce_grams >= 0),
    problems            TEXT    NOT NULL,
    filed_by            INTEGER NOT NULL REFERENCES people (id),
    filed_at            BIGINT  NOT NULL,
    UNIQUE (org_id, month, version)
);
CREATE INDEX monthly_reports_month ON monthly_reports (month, org_id);

-- Whom the daily reminder reached on which local day: once per officer and day, whatever
-- process or restart runs the job.
CREATE TABLE monthly_report_reminders (
    person_id  INTEGER NOT NULL REFERENCES people (id),
    day        TEXT    NOT NULL,
    org_id     INTEGER NOT NULL REFERENCES organisations (id),
    month      TEXT    NOT NULL,
    sent_at    BIGINT  NOT NULL,
    PRIMARY KEY (person_id, day)
);
