-- Accounts and audit hardening (等保2.0 level 3).
--
-- The audit chain becomes keyed: an entry whose key_id is set carries an
-- HMAC-SM3 hash under the audit key (kept outside the database); key_id is
-- the key's public fingerprint. Entries written before a key was first
-- given keep their plain SM3 hash and key_id ''. The head remembers under
-- which key the chain continues.
ALTER TABLE audit_log ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN key_id TEXT NOT NULL DEFAULT '';

-- A password set or reset by an administrator must be changed at the next
-- login; password_changed_at drives the optional expiry.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN password_changed_at BIGINT;

-- API tokens expire.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
