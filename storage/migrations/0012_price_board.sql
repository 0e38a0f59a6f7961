-- The price board (issue 10): beside the cooperative's buying price, the government's
-- reference price (HPP/HAP) and, where an administrator records one, a market price. They
-- live in the one price table (dated versions per commodity × grade × area, append-only),
-- told apart by kind. Farmers subscribe to the commodities whose prices they want each day.
-- Portable SQL: ADD COLUMN with a default and a CHECK; times Unix seconds UTC as BIGINT.

ALTER TABLE buying_prices ADD COLUMN kind TEXT NOT NULL DEFAULT 'buying'
    CHECK (kind IN ('buying', 'reference', 'market'));
CREATE INDEX buying_prices_kind ON buying_prices (kind, commodity, grade, area_prefix, valid_from);

-- What a person wants in the daily price digest (their own area: their village).
CREATE TABLE price_subscriptions (
    person_id   INTEGER NOT NULL REFERENCES people (id),
    commodity   TEXT    NOT NULL REFERENCES commodities (code),
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (person_id, commodity)
);
CREATE INDEX price_subscriptions_commodity ON price_subscriptions (commodity);

-- The government purchase prices (HPP) of 2025 set by the National Food Agency (in force from
-- 15 January 2025 = 1736874000 at 00:00 WIB), everywhere; administrators add later decrees.
INSERT INTO buying_prices (commodity, grade, area_prefix, price_rupiah, valid_from, source, set_at, kind) VALUES
    ('gabah', 'GKP', '', 6500, 1736874000, 'HPP Bapanas 2025', 1736874000, 'reference'),
    ('gabah', 'GKG', '', 8000, 1736874000, 'HPP Bapanas 2025', 1736874000, 'reference'),
    ('beras', 'medium', '', 12000, 1736874000, 'HPP Bapanas 2025', 1736874000, 'reference'),
    ('jagung', '-', '', 5500, 1736874000, 'HPP Bapanas 2025', 1736874000, 'reference');
