-- A status with a sign-up date range, age or batch is counted from this index alone
-- (it replaces the index on status and date, which it covers).
CREATE INDEX recruits_by_status_filters ON recruits (status, created_at, age_band, batch_id);
DROP INDEX recruits_by_status;
