-- People who signed up from a card (or from /join). Contact details live here;
-- equality answers (special category data) live apart in recruit_equality and
-- only with explicit consent.
CREATE TABLE recruits (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id       TEXT NOT NULL UNIQUE,
    batch_id        INTEGER REFERENCES card_batches (id),
    name            TEXT NOT NULL,
    email           TEXT,
    email_lower     TEXT UNIQUE,
    phone           TEXT,
    contact_method  TEXT NOT NULL,
    postcode        TEXT,
    area_connection TEXT NOT NULL,
    age_band        TEXT NOT NULL,
    language        TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'new',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    confirmed_at    INTEGER,
    receipt_hash    TEXT,
    receipt_expires INTEGER,
    resends         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX recruits_by_status ON recruits (status, created_at);
CREATE INDEX recruits_by_batch ON recruits (batch_id);

CREATE TABLE recruit_equality (
    recruit_id    INTEGER PRIMARY KEY REFERENCES recruits (id) ON DELETE CASCADE,
    consented_at  INTEGER NOT NULL,
    ethnic_group  TEXT,
    ethnic_detail TEXT,
    ethnic_other  TEXT,
    sex           TEXT,
    disability    TEXT
);

-- One row per submitted form render: a double tap or a resubmit finds its recruit here.
CREATE TABLE signup_submissions (
    idempotency_key TEXT PRIMARY KEY NOT NULL,
    recruit_id      INTEGER NOT NULL REFERENCES recruits (id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL
);

-- Single-use links sent by email. Only SHA-256 hashes of the tokens are stored.
CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    recruit_id INTEGER NOT NULL REFERENCES recruits (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('confirm', 'withdraw')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX email_tokens_by_recruit ON email_tokens (recruit_id);

-- Durable email outbox. The worker renders each message when it sends it (so tokens
-- are never stored in clear), retries with backoff, and marks it sent exactly once.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    recruit_id      INTEGER REFERENCES recruits (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until    INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Anonymous counts for the funnel; they survive erasure of the person.
CREATE TABLE signup_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER REFERENCES card_batches (id),
    kind     TEXT NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX signup_events_by_kind ON signup_events (kind, batch_id);
