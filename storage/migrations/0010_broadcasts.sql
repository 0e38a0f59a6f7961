-- Broadcasts (issue 10): a resumable outbox. A broadcast (the morning price digest of one
-- zone, a price change an administrator sends now) is enqueued once, by its key, with every
-- message already written in its recipient's language, all in one transaction. The sender
-- (bot.broadcast) drains due rows through the bulk lane and records each one's fate, so a
-- restart goes on where the last process stopped and sends nobody the same broadcast twice.
--
-- Portable SQL: standard types, times Unix seconds UTC as BIGINT, chat and message ids
-- BIGINT (Telegram's ids outgrow 32 bits). (PostgreSQL: the ids would be GENERATED ALWAYS AS
-- IDENTITY.)

CREATE TABLE broadcasts (
    id                   INTEGER PRIMARY KEY,
    broadcast_key        TEXT    NOT NULL UNIQUE,   -- 'digest:2026-11-29:Asia/Jayapura': once
    kind                 TEXT    NOT NULL,          -- 'price_digest', 'price_change', ...
    started_by           INTEGER REFERENCES people (id),   -- NULL: a scheduled job
    created_at           BIGINT  NOT NULL,
    status               TEXT    NOT NULL DEFAULT 'sending' CHECK (status IN ('sending', 'done')),
    total                INTEGER NOT NULL CHECK (total >= 0),   -- messages enqueued
    -- The message the starter sees edited as it goes: NULL not sent yet, 0 lost at a crash
    -- (its send was begun and never recorded: no second one is sent).
    progress_message_id  BIGINT,
    progress_at          BIGINT,                    -- its last edit
    finished_at          BIGINT                     -- every row sent, failed or gone
);
CREATE INDEX broadcasts_status ON broadcasts (status);

-- One row per message. state: queued (due at next_attempt_at), sending (about to reach or
-- on its way to Telegram: written before the request leaves), sent (message_id NULL when
-- Telegram's answer never came: a crash or a timeout with the request on the wire, counted
-- as sent, never repeated), failed (refused for good, or too many attempts), gone (the
-- person blocked the bot: nothing more is sent to them).
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    broadcast_id     INTEGER NOT NULL REFERENCES broadcasts (id),
    person_id        INTEGER NOT NULL REFERENCES people (id),
    chat_id          BIGINT  NOT NULL,
    text             TEXT    NOT NULL,           -- rendered in the person's language
    reply_markup     TEXT,                       -- an inline keyboard as Bot API JSON, or NULL
    state            TEXT    NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'gone')),
    attempts         INTEGER NOT NULL DEFAULT 0, -- failures that were retried or ended it
    next_attempt_at  BIGINT  NOT NULL,
    sending_at       BIGINT,
    done_at          BIGINT,
    message_id       BIGINT,                     -- Telegram's, once sent
    error            TEXT,
    UNIQUE (broadcast_id, person_id)             -- one message per person per broadcast
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_broadcast ON outbox (broadcast_id, state);
CREATE INDEX outbox_person ON outbox (person_id, state);
