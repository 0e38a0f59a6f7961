-- Offtake, the foundation: the produce catalog (commodities, the units people use, grades
-- with their criteria, the words people type for them) and the cooperative's buying prices
-- per commodity × grade × area, dated and versioned.
--
-- The catalog rows below are the seed of bot.domain.produce.COMMODITIES (a test keeps the
-- two equal); administrators edit the tables afterwards. Names and criteria are the English
-- msgids the bot translates; name_id is the Indonesian name, also used for matching.
--
-- Written for SQLite and PostgreSQL alike: standard types only. Times are Unix seconds UTC
-- as elsewhere, declared BIGINT (PostgreSQL's INTEGER is 32-bit and ends in 2038; SQLite
-- treats BIGINT as INTEGER). Decimal figures (unit factors, grade limits) are NUMERIC:
-- SQLite keeps 0.1 or 12.5 as a REAL, read back exactly through str() into Decimal
-- (storage.catalog); money is never a decimal, always INTEGER rupiah.

CREATE TABLE commodities (
    code           TEXT    PRIMARY KEY,            -- stable: callback data, prices, offers, CSV
    kind           TEXT    NOT NULL CHECK (kind IN ('crop', 'plantation', 'livestock', 'fishery')),
    name_id        TEXT    NOT NULL,               -- Indonesian name
    name_en        TEXT    NOT NULL,               -- English name, the msgid shown
    base_unit      TEXT    NOT NULL,               -- quantities and prices are per this unit
    max_per_offer  INTEGER NOT NULL CHECK (max_per_offer > 0),   -- in the base unit
    example        INTEGER NOT NULL CHECK (example > 0),         -- "for example …" in texts
    position       INTEGER NOT NULL,               -- order on buttons
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))  -- 0: no longer offered
);

-- The units people use for a commodity, the base unit among them with factor 1.
CREATE TABLE commodity_units (
    commodity  TEXT    NOT NULL REFERENCES commodities (code),
    unit       TEXT    NOT NULL,
    factor     NUMERIC NOT NULL CHECK (factor > 0),   -- base units in one of this unit
    position   INTEGER NOT NULL,
    PRIMARY KEY (commodity, unit)
);

-- Grades, best first; '-' where a commodity has no grading.
CREATE TABLE grades (
    commodity  TEXT    NOT NULL REFERENCES commodities (code),
    code       TEXT    NOT NULL,
    label      TEXT    NOT NULL,   -- msgid
    criteria   TEXT    NOT NULL,   -- msgid: the criteria in words
    position   INTEGER NOT NULL,
    PRIMARY KEY (commodity, code)
);

-- Measured criteria of a grade: low <= value <= high (NULL: open on that side).
CREATE TABLE grade_limits (
    commodity  TEXT    NOT NULL,
    grade      TEXT    NOT NULL,
    measure    TEXT    NOT NULL,   -- moisture_pct, empty_grain_pct, live_weight_kg, …
    low        NUMERIC,
    high       NUMERIC,
    position   INTEGER NOT NULL,
    PRIMARY KEY (commodity, grade, measure),
    FOREIGN KEY (commodity, grade) REFERENCES grades (commodity, code),
    CHECK (low IS NOT NULL OR high IS NOT NULL)
);

-- Words people type for a commodity (grade NULL) or for one of its grades ('gkg'), as match
-- keys: lower case, letters and digits, single spaces (bot.domain.produce.match_key).
CREATE TABLE commodity_aliases (
    commodity  TEXT    NOT NULL REFERENCES commodities (code),
    grade      TEXT,
    alias      TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (commodity, alias),
    FOREIGN KEY (commodity, grade) REFERENCES grades (commodity, code)
);

-- The cooperative's buying price (the guaranteed price), append-only: a new row supersedes,
-- none is changed or deleted, so history is kept. For a village at a time, the row in force
-- (valid_from <= t < valid_until) with the most specific area prefix wins ('33.10.11' over
-- '33.10' over '33' over '' = everywhere), then the latest valid_from, then the latest row.
-- (PostgreSQL: id would be GENERATED ALWAYS AS IDENTITY.)
CREATE TABLE buying_prices (
    id            INTEGER PRIMARY KEY,
    commodity     TEXT    NOT NULL REFERENCES commodities (code),
    grade         TEXT    NOT NULL,
    area_prefix   TEXT    NOT NULL DEFAULT '',   -- Kemendagri code prefix; '' everywhere
    price_rupiah  INTEGER NOT NULL CHECK (price_rupiah > 0),   -- whole rupiah per base unit
    valid_from    BIGINT  NOT NULL,
    valid_until   BIGINT,                        -- exclusive; NULL: until superseded
    source        TEXT    NOT NULL DEFAULT '',   -- "HPP Bapanas 2025", "Disbun Jateng Des I"
    set_by        INTEGER REFERENCES people (id),
    set_at        BIGINT  NOT NULL,
    FOREIGN KEY (commodity, grade) REFERENCES grades (commodity, code),
    CHECK (valid_until IS NULL OR valid_until > valid_from)
);
CREATE INDEX buying_prices_lookup ON buying_prices (commodity, grade, area_prefix, valid_from);

INSERT INTO commodities (code, kind, name_id, name_en, base_unit, max_per_offer, example, position) VALUES
    ('gabah', 'crop', 'Gabah', 'Unhusked rice', 'kg', 100000, 500, 1),
    ('beras', 'crop', 'Beras', 'Milled rice', 'kg', 50000, 500, 2),
    ('jagung', 'crop', 'Jagung', 'Maize', 'kg', 100000, 500, 3),
    ('cabai_merah', 'crop', 'Cabai merah', 'Red chilli', 'kg', 20000, 50, 4),
    ('cabai_rawit', 'crop', 'Cabai rawit', 'Bird''s eye chilli', 'kg', 20000, 50, 5),
    ('bawang_merah', 'crop', 'Bawang merah', 'Shallots', 'kg', 20000, 100, 6),
    ('kopi', 'plantation', 'Kopi', 'Coffee beans', 'kg', 20000, 100, 7),
    ('kakao', 'plantation', 'Kakao', 'Cocoa beans', 'kg', 20000, 100, 8),
    ('sawit_tbs', 'plantation', 'Kelapa sawit (TBS)', 'Oil palm fruit bunches', 'kg', 100000, 500, 9),
    ('karet', 'plantation', 'Karet', 'Rubber', 'kg', 50000, 200, 10),
    ('telur', 'livestock', 'Telur ayam', 'Eggs', 'butir', 50000, 300, 11),
    ('ayam', 'livestock', 'Ayam', 'Chickens', 'ekor', 10000, 50, 12),
    ('sapi', 'livestock', 'Sapi', 'Cattle', 'ekor', 100, 2, 13),
    ('kambing', 'livestock', 'Kambing', 'Goats', 'ekor', 500, 5, 14),
    ('ikan', 'fishery', 'Ikan', 'Fish', 'kg', 50000, 100, 15),
    ('susu', 'livestock', 'Susu sapi segar', 'Fresh cow''s milk', 'liter', 10000, 20, 16);

INSERT INTO commodity_units (commodity, unit, factor, position) VALUES
    ('gabah', 'kg', 1, 1),
    ('gabah', 'kuintal', 100, 2),
    ('gabah', 'ton', 1000, 3),
    ('beras', 'kg', 1, 1),
    ('beras', 'kuintal', 100, 2),
    ('beras', 'ton', 1000, 3),
    ('jagung', 'kg', 1, 1),
    ('jagung', 'kuintal', 100, 2),
    ('jagung', 'ton', 1000, 3),
    ('cabai_merah', 'kg', 1, 1),
    ('cabai_merah', 'ons', 0.1, 2),
    ('cabai_merah', 'kuintal', 100, 3),
    ('cabai_merah', 'ton', 1000, 4),
    ('cabai_rawit', 'kg', 1, 1),
    ('cabai_rawit', 'ons', 0.1, 2),
    ('cabai_rawit', 'kuintal', 100, 3),
    ('cabai_rawit', 'ton', 1000, 4),
    ('bawang_merah', 'kg', 1, 1),
    ('bawang_merah', 'ons', 0.1, 2),
    ('bawang_merah', 'kuintal', 100, 3),
    ('bawang_merah', 'ton', 1000, 4),
    ('kopi', 'kg', 1, 1),
    ('kopi', 'ons', 0.1, 2),
    ('kopi', 'kuintal', 100, 3),
    ('kopi', 'ton', 1000, 4),
    ('kakao', 'kg', 1, 1),
    ('kakao', 'ons', 0.1, 2),
    ('kakao', 'kuintal', 100, 3),
    ('kakao', 'ton', 1000, 4),
    ('sawit_tbs', 'kg', 1, 1),
    ('sawit_tbs', 'kuintal', 100, 2),
    ('sawit_tbs', 'ton', 1000, 3),
    ('karet', 'kg', 1, 1),
    ('karet', 'kuintal', 100, 2),
    ('karet', 'ton', 1000, 3),
    ('telur', 'butir', 1, 1),
    ('telur', 'rak', 30, 2),
    ('ayam', 'ekor', 1, 1),
    ('sapi', 'ekor', 1, 1),
    ('kambing', 'ekor', 1, 1),
    ('ikan', 'kg', 1, 1),
    ('ikan', 'ons', 0.1, 2),
    ('ikan', 'kuintal', 100, 3),
    ('ikan', 'ton', 1000, 4),
    ('susu', 'liter', 1, 1);

INSERT INTO grades (commodity, code, label, criteria, position) VALUES
    ('gabah', 'GKG', 'GKG (dried)', 'moisture at most 14%, empty grain at most 3%', 1),
    ('gabah', 'GKP', 'GKP (freshly harvested)', 'moisture at most 25%, empty grain at most 10%', 2),
    ('beras', 'premium', 'premium rice', 'broken grains at most 15%, moisture at most 14%', 1),
    ('beras', 'medium', 'medium rice', 'broken grains at most 25%, moisture at most 14%', 2),
    ('jagung', '-', 'ungraded', 'shelled kernels, moisture at most 20%', 1),
    ('cabai_merah', 'A', 'Grade A', 'fresh and firm, evenly red, no damage', 1),
    ('cabai_merah', 'B', 'Grade B', 'fresh, mostly red, a little damage', 2),
    ('cabai_merah', 'C', 'Grade C', 'mixed colour or size, some damage', 3),
    ('cabai_rawit', 'A', 'Grade A', 'fresh and firm, evenly coloured, no damage', 1),
    ('cabai_rawit', 'B', 'Grade B', 'fresh, a little damage', 2),
    ('cabai_rawit', 'C', 'Grade C', 'mixed colour or size, some damage', 3),
    ('bawang_merah', 'A', 'Grade A', 'large dry bulbs, clean, no damage', 1),
    ('bawang_merah', 'B', 'Grade B', 'medium dry bulbs, a little damage', 2),
    ('bawang_merah', 'C', 'Grade C', 'small or mixed bulbs, some damage', 3),
    ('kopi', 'A', 'Grade A', 'green beans, at most 11 defects per 300 g, moisture at most 12.5%', 1),
    ('kopi', 'B', 'Grade B', 'green beans, at most 25 defects per 300 g, moisture at most 12.5%', 2),
    ('kopi', 'C', 'Grade C', 'green beans, at most 44 defects per 300 g, moisture at most 12.5%', 3),
    ('kakao', 'A', 'Grade A', 'dried beans, at most 100 beans per 100 g, moisture at most 7.5%', 1),
    ('kakao', 'B', 'Grade B', 'dried beans, at most 110 beans per 100 g, moisture at most 7.5%', 2),
    ('kakao', 'C', 'Grade C', 'dried beans, at most 120 beans per 100 g, moisture at most 7.5%', 3),
    ('sawit_tbs', '3-5', 'trees 3 to 5 years', 'trees aged 3 to 5 years', 1),
    ('sawit_tbs', '6-9', 'trees 6 to 9 years', 'trees aged 6 to 9 years', 2),
    ('sawit_tbs', '10-20', 'trees 10 to 20 years', 'trees aged 10 to 20 years', 3),
    ('sawit_tbs', '21+', 'trees 21 years or older', 'trees aged 21 years or more', 4),
    ('karet', '-', 'ungraded', 'clean cup lumps or slabs', 1),
    ('telur', '-', 'ungraded', 'clean, whole shells', 1),
    ('ayam', 'besar', 'large', 'over 2 kg live weight', 1),
    ('ayam', 'sedang', 'medium', '1.5 to 2 kg live weight', 2),
    ('ayam', 'kecil', 'small', 'under 1.5 kg live weight', 3),
    ('sapi', 'besar', 'large', 'over 400 kg live weight', 1),
    ('sapi', 'sedang', 'medium', '250 to 400 kg live weight', 2),
    ('sapi', 'kecil', 'small', 'under 250 kg live weight', 3),
    ('kambing', 'besar', 'large', 'over 35 kg live weight', 1),
    ('kambing', 'sedang', 'medium', '20 to 35 kg live weight', 2),
    ('kambing', 'kecil', 'small', 'under 20 kg live weight', 3),
    ('ikan', '-', 'ungraded', 'fresh, alive or on ice', 1),
    ('susu', '-', 'ungraded', 'fresh, cooled, not watered down', 1);

INSERT INTO grade_limits (commodity, grade, measure, low, high, position) VALUES
    ('gabah', 'GKG', 'moisture_pct', NULL, 14, 1),
    ('gabah', 'GKG', 'empty_grain_pct', NULL, 3, 2),
    ('gabah', 'GKP', 'moisture_pct', NULL, 25, 1),
    ('gabah', 'GKP', 'empty_grain_pct', NULL, 10, 2),
    ('beras', 'premium', 'broken_pct', NULL, 15, 1),
    ('beras', 'premium', 'moisture_pct', NULL, 14, 2),
    ('beras', 'medium', 'broken_pct', NULL, 25, 1),
    ('beras', 'medium', 'moisture_pct', NULL, 14, 2),
    ('kopi', 'A', 'defects_per_300g', NULL, 11, 1),
    ('kopi', 'A', 'moisture_pct', NULL, 12.5, 2),
    ('kopi', 'B', 'defects_per_300g', NULL, 25, 1),
    ('kopi', 'B', 'moisture_pct', NULL, 12.5, 2),
    ('kopi', 'C', 'defects_per_300g', NULL, 44, 1),
    ('kopi', 'C', 'moisture_pct', NULL, 12.5, 2),
    ('kakao', 'A', 'beans_per_100g', NULL, 100, 1),
    ('kakao', 'A', 'moisture_pct', NULL, 7.5, 2),
    ('kakao', 'B', 'beans_per_100g', NULL, 110, 1),
    ('kakao', 'B', 'moisture_pct', NULL, 7.5, 2),
    ('kakao', 'C', 'beans_per_100g', NULL, 120, 1),
    ('kakao', 'C', 'moisture_pct', NULL, 7.5, 2),
    ('sawit_tbs', '3-5', 'tree_age_years', 3, 5, 1),
    ('sawit_tbs', '6-9', 'tree_age_years', 6, 9, 1),
    ('sawit_tbs', '10-20', 'tree_age_years', 10, 20, 1),
    ('sawit_tbs', '21+', 'tree_age_years', 21, NULL, 1),
    ('ayam', 'besar', 'live_weight_kg', 2, NULL, 1),
    ('ayam', 'sedang', 'live_weight_kg', 1.5, 2, 1),
    ('ayam', 'kecil', 'live_weight_kg', NULL, 1.5, 1),
    ('sapi', 'besar', 'live_weight_kg', 400, NULL, 1),
    ('sapi', 'sedang', 'live_weight_kg', 250, 400, 1),
    ('sapi', 'kecil', 'live_weight_kg', NULL, 250, 1),
    ('kambing', 'besar', 'live_weight_kg', 35, NULL, 1),
    ('kambing', 'sedang', 'live_weight_kg', 20, 35, 1),
    ('kambing', 'kecil', 'live_weight_kg', NULL, 20, 1);

INSERT INTO commodity_aliases (commodity, grade, alias, position) VALUES
    ('gabah', NULL, 'padi', 1),
    ('gabah', NULL, 'paddy', 2),
    ('gabah', NULL, 'unhusked rice', 3),
    ('gabah', NULL, 'rice paddy', 4),
    ('gabah', 'GKG', 'gkg', 5),
    ('gabah', 'GKG', 'gabah kering giling', 6),
    ('gabah', 'GKG', 'gabah kering', 7),
    ('gabah', 'GKP', 'gkp', 8),
    ('gabah', 'GKP', 'gabah kering panen', 9),
    ('gabah', 'GKP', 'gabah basah', 10),
    ('beras', NULL, 'rice', 1),
    ('beras', NULL, 'milled rice', 2),
    ('beras', 'premium', 'beras premium', 3),
    ('beras', 'medium', 'beras medium', 4),
    ('jagung', NULL, 'jagung pipil', 1),
    ('jagung', NULL, 'jagung pipilan', 2),
    ('jagung', NULL, 'jagung kering', 3),
    ('jagung', NULL, 'corn', 4),
    ('jagung', NULL, 'maize', 5),
    ('cabai_merah', NULL, 'cabai keriting', 1),
    ('cabai_merah', NULL, 'cabai merah keriting', 2),
    ('cabai_merah', NULL, 'cabai besar', 3),
    ('cabai_merah', NULL, 'cabai merah besar', 4),
    ('cabai_merah', NULL, 'lombok merah', 5),
    ('cabai_merah', NULL, 'red chilli', 6),
    ('cabai_merah', NULL, 'red chili', 7),
    ('cabai_merah', NULL, 'red chillies', 8),
    ('cabai_rawit', NULL, 'rawit', 1),
    ('cabai_rawit', NULL, 'cengek', 2),
    ('cabai_rawit', NULL, 'lombok rawit', 3),
    ('cabai_rawit', NULL, 'cabai rawit merah', 4),
    ('cabai_rawit', NULL, 'cabai rawit hijau', 5),
    ('cabai_rawit', NULL, 'birds eye chilli', 6),
    ('cabai_rawit', NULL, 'birds eye chili', 7),
    ('cabai_rawit', NULL, 'bird eye chilli', 8),
    ('bawang_merah', NULL, 'brambang', 1),
    ('bawang_merah', NULL, 'bawang abang', 2),
    ('bawang_merah', NULL, 'shallot', 3),
    ('bawang_merah', NULL, 'shallots', 4),
    ('kopi', NULL, 'kopi biji', 1),
    ('kopi', NULL, 'kopi ose', 2),
    ('kopi', NULL, 'kopi beras', 3),
    ('kopi', NULL, 'kopi robusta', 4),
    ('kopi', NULL, 'kopi arabika', 5),
    ('kopi', NULL, 'robusta', 6),
    ('kopi', NULL, 'arabika', 7),
    ('kopi', NULL, 'arabica', 8),
    ('kopi', NULL, 'coffee', 9),
    ('kopi', NULL, 'green coffee', 10),
    ('kakao', NULL, 'coklat', 1),
    ('kakao', NULL, 'biji kakao', 2),
    ('kakao', NULL, 'biji coklat', 3),
    ('kakao', NULL, 'cocoa', 4),
    ('kakao', NULL, 'cacao', 5),
    ('kakao', NULL, 'cocoa beans', 6),
    ('sawit_tbs', NULL, 'sawit', 1),
    ('sawit_tbs', NULL, 'kelapa sawit', 2),
    ('sawit_tbs', NULL, 'tbs', 3),
    ('sawit_tbs', NULL, 'buah sawit', 4),
    ('sawit_tbs', NULL, 'tandan buah segar', 5),
    ('sawit_tbs', NULL, 'oil palm', 6),
    ('sawit_tbs', NULL, 'palm fruit', 7),
    ('sawit_tbs', NULL, 'ffb', 8),
    ('karet', NULL, 'getah karet', 1),
    ('karet', NULL, 'bokar', 2),
    ('karet', NULL, 'lump karet', 3),
    ('karet', NULL, 'rubber', 4),
    ('telur', NULL, 'telur ayam', 1),
    ('telur', NULL, 'egg', 2),
    ('telur', NULL, 'eggs', 3),
    ('ayam', NULL, 'ayam potong', 1),
    ('ayam', NULL, 'ayam broiler', 2),
    ('ayam', NULL, 'broiler', 3),
    ('ayam', NULL, 'ayam kampung', 4),
    ('ayam', NULL, 'ayam pedaging', 5),
    ('ayam', NULL, 'chicken', 6),
    ('ayam', NULL, 'chickens', 7),
    ('sapi', NULL, 'sapi potong', 1),
    ('sapi', NULL, 'lembu', 2),
    ('sapi', NULL, 'cattle', 3),
    ('sapi', NULL, 'cow', 4),
    ('sapi', NULL, 'cows', 5),
    ('kambing', NULL, 'wedus', 1),
    ('kambing', NULL, 'goat', 2),
    ('kambing', NULL, 'goats', 3),
    ('ikan', NULL, 'ikan air tawar', 1),
    ('ikan', NULL, 'lele', 2),
    ('ikan', NULL, 'ikan lele', 3),
    ('ikan', NULL, 'nila', 4),
    ('ikan', NULL, 'ikan nila', 5),
    ('ikan', NULL, 'gurame', 6),
    ('ikan', NULL, 'patin', 7),
    ('ikan', NULL, 'ikan mas', 8),
    ('ikan', NULL, 'fish', 9),
    ('susu', NULL, 'susu sapi', 1),
    ('susu', NULL, 'susu segar', 2),
    ('susu', NULL, 'milk', 3),
    ('susu', NULL, 'fresh milk', 4);
