-- Each imported search keeps its police.uk record as published (a JSON array of the 15
-- fields in the file's column order), the line it came from and a fixed pseudo-random
-- draw (62 bits of SHA-256 of force, month and line), so a panel can draw a sample of
-- searches that anyone can reproduce (`scrutiny sample`) and see exactly what the force
-- published. The flags are the filters panels use. Searches imported before this have no
-- record and are never sampled: import their files again.
ALTER TABLE searches ADD COLUMN line INTEGER;
ALTER TABLE searches ADD COLUMN draw INTEGER;
ALTER TABLE searches ADD COLUMN record TEXT;
ALTER TABLE searches ADD COLUMN search_type TEXT;
ALTER TABLE searches ADD COLUMN officer_group TEXT;
ALTER TABLE searches ADD COLUMN under_18 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE searches ADD COLUMN section_60 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE searches ADD COLUMN strip INTEGER NOT NULL DEFAULT 0;
ALTER TABLE searches ADD COLUMN no_further_action INTEGER NOT NULL DEFAULT 0;
-- Drawing reads a narrow range of draws (see src/demographics/sample.rs).
CREATE INDEX searches_by_draw ON searches (force, draw);
-- How many searches each force-month has with each combination of the filters (and
-- whether they have a record), kept by the importer: a sample says how many searches it
-- was drawn from without counting a million rows.
CREATE TABLE search_filter_counts (
    force             TEXT NOT NULL,
    month             TEXT NOT NULL,
    under_18          INTEGER NOT NULL,
    section_60        INTEGER NOT NULL,
    strip             INTEGER NOT NULL,
    no_further_action INTEGER NOT NULL,
    with_record       INTEGER NOT NULL,
    n                 INTEGER NOT NULL,
    PRIMARY KEY (force, month, under_18, section_60, strip, no_further_action, with_record)
);
INSERT INTO search_filter_counts (force, month, under_18, section_60, strip, no_further_action, with_record, n)
SELECT force, month, 0, 0, 0, 0, 0, COUNT(*) FROM searches GROUP BY force, month;
