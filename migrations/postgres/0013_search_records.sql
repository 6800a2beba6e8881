-- Each imported search keeps its police.uk record as published (a JSON array of the 15
-- fields in the file's column order), the line it came from and a fixed pseudo-random
-- draw (62 bits of SHA-256 of force, month and line), so a panel can draw a sample of
-- searches that anyone can reproduce (`scrutiny sample`) and see exactly what the force
-- published. The flags are the filters panels use. Searches imported before this have no
-- record and are never sampled: import their files again.
ALTER TABLE searches ADD COLUMN line BIGINT;
ALTER TABLE searches ADD COLUMN draw BIGINT;
ALTER TABLE searches ADD COLUMN record TEXT;
ALTER TABLE searches ADD COLUMN search_type TEXT;
ALTER TABLE searches ADD COLUMN officer_group TEXT;
ALTER TABLE searches ADD COLUMN under_18 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE searches ADD COLUMN section_60 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE searches ADD COLUMN strip BIGINT NOT NULL DEFAULT 0;
ALTER TABLE searches ADD COLUMN no_further_action BIGINT NOT NULL DEFAULT 0;
