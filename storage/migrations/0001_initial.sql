-- Foundation: organisations, areas, people and roles, member roster, invites,
-- the update inbox (exactly-once processing), PTB persistence, audit trail.
-- Times are Unix seconds UTC.

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES organisations (id),
    kind        TEXT    NOT NULL CHECK (kind IN (
                    'confederation', 'federation', 'puk',
                    'coop_primary', 'coop_secondary', 'kdkmp', 'kmp')),
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    province    TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX organisations_parent ON organisations (parent_id);

-- The root hub every person belongs to until an admin builds the tree.
INSERT INTO organisations (id, parent_id, kind, code, name, created_at)
VALUES (1, NULL, 'coop_secondary', 'pusat', 'Koperasi Merah Putih', 0);

-- Villages people have named, so the next person can pick instead of typing.
CREATE TABLE areas (
    id          INTEGER PRIMARY KEY,
    province    TEXT NOT NULL,
    regency     TEXT NOT NULL,
    district    TEXT NOT NULL,
    village     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (province, regency, district, village)
);

CREATE TABLE people (
    id               INTEGER PRIMARY KEY,
    telegram_user_id INTEGER UNIQUE,          -- NULL: a farmer without Telegram (entered for them)
    chat_id          INTEGER,
    full_name        TEXT    NOT NULL,
    phone            TEXT    UNIQUE,          -- E.164, +62…
    language         TEXT    NOT NULL DEFAULT 'id',
    timezone         TEXT    NOT NULL DEFAULT 'Asia/Jakarta',
    org_id           INTEGER NOT NULL REFERENCES organisations (id),
    area_id          INTEGER REFERENCES areas (id),
    reachable        INTEGER NOT NULL DEFAULT 1,   -- 0 once Telegram says the bot is blocked
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX people_org ON people (org_id);
CREATE INDEX people_area ON people (area_id);

CREATE TABLE person_roles (
    person_id   INTEGER NOT NULL REFERENCES people (id),
    role        TEXT    NOT NULL CHECK (role IN ('farmer', 'member', 'coordinator', 'treasurer', 'admin')),
    granted_by  INTEGER REFERENCES people (id),
    granted_at  INTEGER NOT NULL,
    PRIMARY KEY (person_id, role)
);

-- Members of a primary cooperative, added by an admin; a person links by phone.
CREATE TABLE roster (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES organisations (id),
    member_number  TEXT    NOT NULL,
    full_name      TEXT    NOT NULL,
    phone          TEXT    NOT NULL,
    person_id      INTEGER REFERENCES people (id),
    created_at     INTEGER NOT NULL,
    UNIQUE (org_id, member_number),
    UNIQUE (org_id, phone)
);
CREATE INDEX roster_phone ON roster (phone);

CREATE TABLE invites (
    code        TEXT    PRIMARY KEY,
    role        TEXT    NOT NULL CHECK (role IN ('coordinator', 'treasurer', 'admin')),
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    created_by  INTEGER REFERENCES people (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_by     INTEGER REFERENCES people (id),
    used_at     INTEGER
);

-- Every update received, stored before Telegram is told it arrived. effects_at is set in
-- the same transaction as the update's effects (so they are never written twice);
-- applied_at once the update is wholly done (answered, conversation state stored).
-- Updates not applied when the process stops are processed again at the next start.
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    payload     TEXT,
    received_at INTEGER NOT NULL,
    effects_at  INTEGER,
    applied_at  INTEGER
);
CREATE INDEX inbox_pending ON inbox (applied_at) WHERE applied_at IS NULL;

-- PTB persistence (conversation states, user/chat/bot data) as JSON.
CREATE TABLE ptb_conversations (
    name   TEXT NOT NULL,
    key    TEXT NOT NULL,   -- JSON array of the conversation key tuple
    state  TEXT NOT NULL,   -- JSON
    PRIMARY KEY (name, key)
);
CREATE TABLE ptb_data (
    kind   TEXT    NOT NULL CHECK (kind IN ('user', 'chat', 'bot', 'callback')),
    id     INTEGER NOT NULL,  -- 0 for bot and callback data
    data   TEXT    NOT NULL,
    PRIMARY KEY (kind, id)
);

-- Who did what, when: role grants, invites, settings changes (money gets its own ledger).
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor_id   INTEGER REFERENCES people (id),
    action     TEXT    NOT NULL,
    subject    TEXT,
    detail     TEXT
);
