-- The update pipeline, hardened: an update that cannot be processed is set aside instead of
-- stopping the bot, and what Telegram accepted is not sent again when an update is replayed.

-- How many processes started this update after it had been stored and not finished it (it
-- was queued again at start-up each time); at storage.inbox.MAX_ATTEMPTS it goes to the
-- dead letters instead of being tried once more.
ALTER TABLE inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;

-- Updates set aside (quarantined): Telegram's payload as it came, why it failed (exception
-- class and a short message, never the payload, never the token). The inbox keeps the
-- update_id marked applied, so a delivery of the same update again is dropped; the operator
-- retries (`koperasi-bot inbox retry`) or drops (`inbox drop`) them.
CREATE TABLE dead_letters (
    update_id    INTEGER PRIMARY KEY,
    payload      TEXT    NOT NULL,
    received_at  INTEGER NOT NULL,
    failed_at    INTEGER NOT NULL,
    attempts     INTEGER NOT NULL,
    error        TEXT    NOT NULL
);

-- The n-th Bot API call made while an update was processed, once Telegram accepted it, and
-- its JSON result: when the update is processed again after a crash, that call is not made
-- again and PTB gets this result (bot.outgoing). Pruned with the inbox.
CREATE TABLE sent_calls (
    update_id  INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    method     TEXT    NOT NULL,
    result     TEXT    NOT NULL,
    sent_at    INTEGER NOT NULL,
    PRIMARY KEY (update_id, seq)
);
