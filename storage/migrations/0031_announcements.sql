-- Announcements of a hub to the officers of its village cooperatives in an area (issue 18).
-- area is a Kemendagri code prefix ('' for the whole network). One recipient row per officer
-- reached; read_at is set once by their "✅ Sudah dibaca" press (the count the sender sees).
CREATE TABLE announcements (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    area        TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    sent_by     INTEGER NOT NULL REFERENCES people (id),
    sent_at     BIGINT  NOT NULL
);
CREATE INDEX announcements_org ON announcements (org_id, id);

CREATE TABLE announcement_recipients (
    announcement_id  INTEGER NOT NULL REFERENCES announcements (id),
    person_id        INTEGER NOT NULL REFERENCES people (id),
    read_at          BIGINT,
    PRIMARY KEY (announcement_id, person_id)
);
