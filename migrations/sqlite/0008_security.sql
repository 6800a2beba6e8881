-- Sessions end when a password changes: each session carries the epoch it was issued in.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;

-- A sign-up with the email address of someone already on the list never changes them:
-- the new answers wait here until the person confirms through a link sent to the
-- address already stored.
CREATE TABLE pending_answers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    recruit_id      INTEGER NOT NULL REFERENCES recruits (id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL UNIQUE,
    payload         TEXT NOT NULL,
    receipt_hash    TEXT,
    receipt_expires INTEGER,
    resends         INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);
-- A confirmation link that carries pending answers applies them (and only them).
ALTER TABLE email_tokens ADD COLUMN pending_id INTEGER;
CREATE INDEX pending_answers_by_recruit ON pending_answers (recruit_id);
CREATE INDEX pending_answers_by_receipt ON pending_answers (receipt_hash);
CREATE INDEX outbox_by_recruit ON outbox (recruit_id, created_at);

-- The audit log no longer records what was typed: remove what earlier versions kept
-- (identifiers typed at failed sign-ins, recruit search text). The append-only guard is
-- lifted for this one correction and put back.
DROP TRIGGER audit_log_no_update;
UPDATE audit_log SET actor = 'unknown account'
 WHERE action = 'login_failed' AND LOWER(actor) NOT IN (SELECT email_lower FROM users);
UPDATE audit_log SET details = 'search and filters (not recorded)'
 WHERE action = 'recruits_listed' AND details IS NOT NULL AND details LIKE '%;%';
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
