-- Card batches (print runs), their cards, and scans of those cards.
-- Cards are never linked to a search record or an officer.
CREATE TABLE card_batches (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    label       TEXT NOT NULL,
    area        TEXT,
    quantity    INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_on  TEXT,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'void')),
    voided_at   INTEGER
);

CREATE TABLE cards (
    code             TEXT PRIMARY KEY NOT NULL,
    batch_id         INTEGER NOT NULL REFERENCES card_batches (id),
    position         INTEGER NOT NULL,
    -- Counters survive when old scan rows are purged (scans are kept only as counts).
    scan_count       INTEGER NOT NULL DEFAULT 0,
    first_scanned_at INTEGER
);
CREATE INDEX cards_by_batch ON cards (batch_id, position);

CREATE TABLE card_scans (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    card_code  TEXT NOT NULL REFERENCES cards (code),
    batch_id   INTEGER NOT NULL REFERENCES card_batches (id),
    scanned_at INTEGER NOT NULL
);
CREATE INDEX card_scans_by_batch ON card_scans (batch_id, scanned_at);
