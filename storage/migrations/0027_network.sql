-- The hub's network (issue 18): a village cooperative (KDKMP/KMP) names the one desa it
-- serves, one cooperative per desa code; its officers hold the new roles ketua (chair) and
-- pengelola gerai (store manager) beside bendahara (treasurer), scoped by people.org_id.

ALTER TABLE organisations ADD COLUMN village_code TEXT;
CREATE UNIQUE INDEX organisations_village ON organisations (village_code)
    WHERE village_code IS NOT NULL;
-- Kabupaten listings group by the code's first five characters (33.10).
CREATE INDEX organisations_kind_village ON organisations (kind, village_code);

-- The new roles: rebuilt tables, since a CHECK cannot be altered in SQLite (as in 0019).
CREATE TABLE person_roles_new (
    person_id   INTEGER NOT NULL REFERENCES people (id),
    role        TEXT    NOT NULL CHECK (role IN ('farmer', 'member', 'coordinator', 'treasurer', 'admin', 'keeper', 'chair', 'store_manager')),
    granted_by  INTEGER REFERENCES people (id),
    granted_at  INTEGER NOT NULL,
    PRIMARY KEY (person_id, role)
);
INSERT INTO person_roles_new (person_id, role, granted_by, granted_at)
    SELECT person_id, role, granted_by, granted_at FROM person_roles;
DROP TABLE person_roles;
ALTER TABLE person_roles_new RENAME TO person_roles;

CREATE TABLE invites_new (
    code        TEXT    PRIMARY KEY,
    role        TEXT    NOT NULL CHECK (role IN ('coordinator', 'treasurer', 'admin', 'keeper', 'chair', 'store_manager')),
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    created_by  INTEGER REFERENCES people (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_by     INTEGER REFERENCES people (id),
    used_at     INTEGER
);
INSERT INTO invites_new (code, role, org_id, created_by, created_at, expires_at, used_by, used_at)
    SELECT code, role, org_id, created_by, created_at, expires_at, used_by, used_at FROM invites;
DROP TABLE invites;
ALTER TABLE invites_new RENAME TO invites;
