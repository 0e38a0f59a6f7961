-- Several bot processes on one database (issue 16): an update processed once, one chat's
-- updates in order, the outbox drained by all, scheduled jobs once.

-- The lease key of an update ('c:<chat id>', else 'u:<update id>' for an update of no chat
-- and no user), so that a process can find the unapplied updates of the chats it may take
-- (storage.leases.sweepable). NULL: stored before this column (taken by any process).
ALTER TABLE inbox ADD COLUMN lease_key TEXT;
CREATE INDEX inbox_lease_key ON inbox (lease_key, update_id);

-- Who processes a chat's updates now: the process `holder` until `lease_until` (renewed
-- while it works on the chat). `epoch` counts the changes of holder, so that a process
-- taking a chat back knows whether another one processed it meanwhile (then its copy of
-- the chat's conversation state is stale and is read again). Rows are never deleted: a
-- deleted row would restart the epoch and hide a change of holder.
CREATE TABLE leases (
    lease_key   TEXT    PRIMARY KEY,
    holder      TEXT    NOT NULL,
    lease_until INTEGER NOT NULL,
    epoch       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX leases_live ON leases (lease_until, holder);

-- The sender that took an outbox row and until when (storage.outbox.claim_due): two
-- senders never take the same row; an expired claim (its process died) is taken again.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claim_until INTEGER;

-- One row per run of a scheduled job (the digest of a day, the expiry sweep of a ten-minute
-- slot): the process that inserts it runs the job, the others skip it (storage.job_runs).
CREATE TABLE job_runs (
    name   TEXT    NOT NULL,
    slot   TEXT    NOT NULL,
    run_by TEXT    NOT NULL,
    run_at INTEGER NOT NULL,
    PRIMARY KEY (name, slot)
);
