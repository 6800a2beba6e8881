-- A recruit's timeline: status changes and coordinators' notes.
CREATE TABLE recruit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    recruit_id INTEGER NOT NULL REFERENCES recruits (id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('status', 'note')),
    detail     TEXT NOT NULL
);
CREATE INDEX recruit_events_by_recruit ON recruit_events (recruit_id, at);
