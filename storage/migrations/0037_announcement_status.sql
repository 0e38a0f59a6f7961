-- The sender's "Sent to 40 officers" message, edited as officers read (issue 18): where it is,
-- and when it was last edited (a claim, so that a burst of reads across processes edits it
-- at most once every few seconds; /umumkan always counts exactly).
ALTER TABLE announcements ADD COLUMN status_chat_id BIGINT;
ALTER TABLE announcements ADD COLUMN status_message_id BIGINT;
ALTER TABLE announcements ADD COLUMN status_edited_at BIGINT;
