-- Reminders and once-only notices (issue 13): a notification may carry a
-- key that makes it once-only per recipient — the reminder of one
-- deadline, the overdue notice of one stage — so a sweep run twice, or by
-- two servers, tells nobody twice. NULL keys (ordinary notices) never clash.
ALTER TABLE notifications ADD COLUMN dedup TEXT;
CREATE UNIQUE INDEX notifications_dedup ON notifications(user_id, dedup);
-- The open cases by deadline, for the reminder sweep.
CREATE INDEX cases_open_due ON cases(due_at, stage) WHERE due_at IS NOT NULL;
