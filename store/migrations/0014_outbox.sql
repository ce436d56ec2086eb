-- Delivery beyond the browser (issue 13): how each user wants to be told
-- outside the browser, and the durable outbox of messages to send.
--
-- user_channels: one row per user and channel they chose (e-mail, SMS,
-- 企业微信, 钉钉, 飞书) with their address there and whether they want a
-- daily digest on it instead of one message per notification.
CREATE TABLE user_channels (
    user_id    BIGINT NOT NULL REFERENCES users(id),
    channel    TEXT NOT NULL,
    address    TEXT NOT NULL,
    digest     BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, channel)
);

-- outbox: one row per message to send, written in the transaction of the
-- notification it carries, so nothing acknowledged is lost. A sender
-- claims due rows (status sending, a claim token, until claimed_until),
-- sends with the row's idempotency key and marks the row sent only after
-- the channel accepted it. A row still sending after its claim lapsed
-- (its sender died) is retried with the same key. Digested rows point to
-- the digest row that carried them (bundle_id).
CREATE TABLE outbox (
    id              {{id}},
    notification_id BIGINT REFERENCES notifications(id),
    user_id         BIGINT NOT NULL REFERENCES users(id),
    channel         TEXT NOT NULL,
    address         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL DEFAULT '',
    urgent          BOOLEAN NOT NULL DEFAULT FALSE,
    digest          BOOLEAN NOT NULL DEFAULT FALSE,
    idem_key        TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         BIGINT NOT NULL,
    claim_token     TEXT NOT NULL DEFAULT '',
    claimed_until   BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    bundle_id       BIGINT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
-- What is due, oldest first; a notification's rows; a sender's claim.
CREATE INDEX outbox_due ON outbox(status, next_at);
CREATE INDEX outbox_notification ON outbox(notification_id);
CREATE INDEX outbox_claim ON outbox(claim_token) WHERE status = 'sending';
