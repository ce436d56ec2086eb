-- The notification centre (通知中心, issue 13): in-app messages, one row per
-- recipient, written in the transaction of the event they tell of. The
-- title and body are Chinese and already addressed; the link is the page of
-- the object. A user's unread count is one indexed COUNT per page.

CREATE TABLE notifications (
    id         {{id}},
    user_id    BIGINT NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    link       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    read_at    BIGINT
);
-- A user's notifications newest first, and their unread ones.
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, id) WHERE read_at IS NULL;
