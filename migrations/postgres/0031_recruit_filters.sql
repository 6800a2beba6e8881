-- The recruits list counts a sign-up date range combined with status, age or batch from
-- this index alone, never reading the recruits themselves (a range can hold a third of a
-- million people). It replaces the index on the date alone, which it covers.
CREATE INDEX recruits_by_created_filters ON recruits (created_at, status, age_band, batch_id);
DROP INDEX recruits_by_created;
