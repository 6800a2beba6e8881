-- Counts the dashboard reads instead of scanning millions of rows. Every change to a
-- recruit appends a +1/-1 row to recruit_tally (append-only: no hot row for concurrent
-- sign-ups); a background task folds the rows together, so the table stays small.
CREATE TABLE recruit_tally (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    status        TEXT NOT NULL,
    age_band      TEXT NOT NULL,
    ethnic_group  TEXT,
    ethnic_detail TEXT,
    sex           TEXT,
    n             INTEGER NOT NULL
);
INSERT INTO recruit_tally (status, age_band, ethnic_group, ethnic_detail, sex, n)
SELECT r.status, r.age_band, e.ethnic_group, e.ethnic_detail, e.sex, COUNT(*)
FROM recruits r LEFT JOIN recruit_equality e ON e.recruit_id = r.id
GROUP BY r.status, r.age_band, e.ethnic_group, e.ethnic_detail, e.sex;

-- The same per card batch and status (members per batch for the funnel).
CREATE TABLE batch_tally (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER,
    status   TEXT NOT NULL,
    n        INTEGER NOT NULL
);
INSERT INTO batch_tally (batch_id, status, n) SELECT batch_id, status, COUNT(*) FROM recruits GROUP BY batch_id, status;

-- Funnel events are folded the same way: n events of a kind, per batch and month.
ALTER TABLE signup_events ADD COLUMN n INTEGER NOT NULL DEFAULT 1;

-- Scan counters kept by the scan recorder (one writer).
ALTER TABLE card_batches ADD COLUMN scanned_cards INTEGER NOT NULL DEFAULT 0;
ALTER TABLE card_batches ADD COLUMN scans INTEGER NOT NULL DEFAULT 0;
UPDATE card_batches SET
    scanned_cards = (SELECT COUNT(*) FROM cards c WHERE c.batch_id = card_batches.id AND c.first_scanned_at IS NOT NULL),
    scans = (SELECT COALESCE(SUM(c.scan_count), 0) FROM cards c WHERE c.batch_id = card_batches.id);

-- Detailed (19-category) self-defined ethnicity; NULL for files imported before this.
ALTER TABLE searches ADD COLUMN ethnic_detail TEXT;

-- Searches counted per force-month and category, written with each import: what the
-- comparison reads (a few thousand rows, however many searches are imported).
CREATE TABLE search_counts (
    force     TEXT NOT NULL,
    month     TEXT NOT NULL,
    dimension TEXT NOT NULL,
    category  TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (force, month, dimension, category)
);
INSERT INTO search_counts (force, month, dimension, category, n)
SELECT force, month, 'ethnic_group', CASE WHEN ethnic_group = 'unknown' THEN 'not_stated' ELSE ethnic_group END, COUNT(*)
FROM searches GROUP BY force, month, CASE WHEN ethnic_group = 'unknown' THEN 'not_stated' ELSE ethnic_group END;
INSERT INTO search_counts (force, month, dimension, category, n)
SELECT force, month, 'ethnic_detail', 'not_stated', COUNT(*) FROM searches GROUP BY force, month;
INSERT INTO search_counts (force, month, dimension, category, n)
SELECT force, month, 'age', CASE WHEN age_range = '' THEN 'not_stated' ELSE age_range END, COUNT(*)
FROM searches GROUP BY force, month, CASE WHEN age_range = '' THEN 'not_stated' ELSE age_range END;
INSERT INTO search_counts (force, month, dimension, category, n)
SELECT force, month, 'gender', CASE WHEN gender = '' THEN 'not_stated' ELSE gender END, COUNT(*)
FROM searches GROUP BY force, month, CASE WHEN gender = '' THEN 'not_stated' ELSE gender END;

-- Recruit list filters and sorting.
CREATE INDEX recruits_by_created ON recruits (created_at);
CREATE INDEX recruits_by_name ON recruits (name);
