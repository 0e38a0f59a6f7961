-- Groundwork: use-case results kept with their update (a replay answers the same), and
-- places as Kemendagri codes (33.10.11.2004 = Desa Kujon, Kec. Ceper, Kab. Klaten).

-- The n-th write of an update and what it returned; a replay of the update gets this
-- result instead of writing again (storage.db.Database.write).
CREATE TABLE update_effects (
    update_id    INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    result       TEXT    NOT NULL,   -- JSON (storage.effects)
    recorded_at  INTEGER NOT NULL,
    PRIMARY KEY (update_id, seq)
);

-- A person's village by its official code. NULL with an area_id: a place typed before
-- codes existed that could not be matched for sure; the person is asked to pick again.
ALTER TABLE people ADD COLUMN village_code TEXT;
CREATE INDEX people_village ON people (village_code);

-- What an organisation covers: code prefixes ('33' all of Jawa Tengah, '33.10' Kab.
-- Klaten, '33.10.11' Kec. Ceper). The longest prefix that matches a village wins.
CREATE TABLE org_coverage (
    org_id  INTEGER NOT NULL REFERENCES organisations (id),
    prefix  TEXT    NOT NULL,
    PRIMARY KEY (org_id, prefix)
);
CREATE INDEX org_coverage_prefix ON org_coverage (prefix);
