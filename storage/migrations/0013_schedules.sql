-- Schedules an administrator sets (the morning price digest's local time): kept here so a
-- restart registers them again as they were; the setting KOPERASI_DIGEST_TIME is the default.
CREATE TABLE schedules (
    name        TEXT    PRIMARY KEY,          -- 'price_digest'
    local_time  CHAR(5) NOT NULL,             -- HH:MM in each person's own zone
    set_at      BIGINT  NOT NULL
);
