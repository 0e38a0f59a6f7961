-- Alerts and notices never twice, replays that cannot misroute (issue 14, section 3).

-- The use case whose result each stored effect is (module.qualname): an update processed
-- again gets a stored result only from the same use case; another one there means the
-- handler took another path, and the replay stops loudly instead of answering with another
-- use case's result. NULL: stored before this column existed (not checked).
ALTER TABLE update_effects ADD COLUMN use_case TEXT;

-- The chat each recorded Bot API call went to (NULL: none, e.g. answerCallbackQuery).
ALTER TABLE sent_calls ADD COLUMN chat_id BIGINT;

-- Alerts and notices to other people go through the outbox too; they go before a
-- broadcast's backlog (a coordinator's alert does not wait for 10,000 price messages).
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_turn ON outbox (state, priority DESC, id);
