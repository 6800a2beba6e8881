-- Messages by text as well as email: Notify's id for each message and what became of it
-- (accepted, delivered, permanent-failure … or written-to-file when no service is set up).
ALTER TABLE outbox ADD COLUMN provider_id TEXT;
ALTER TABLE outbox ADD COLUMN delivery TEXT;

-- When a confirmation (email or text) was first accepted by a service that reaches people.
-- Unconfirmed sign-ups are purged only this long after it: nobody is deleted for not
-- answering a message they never received.
ALTER TABLE recruits ADD COLUMN confirmation_sent_at INTEGER;
UPDATE recruits SET confirmation_sent_at = (
    SELECT MIN(o.sent_at) FROM outbox o WHERE o.recruit_id = recruits.id AND o.kind = 'confirm' AND o.status = 'sent'
) WHERE status = 'new';
CREATE INDEX recruits_waiting ON recruits (status, confirmation_sent_at);
