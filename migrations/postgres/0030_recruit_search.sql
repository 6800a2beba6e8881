-- Recruit text search (name, email, phone, postcode) without reading every recruit: a
-- pg_trgm GIN index on the searched text, lower-cased, so `LIKE '%part%'` of three or more
-- characters is answered from the index. It is an index on the recruit's own columns, so
-- erasure and the retention purge leave nothing behind. The fields are joined by a
-- newline, which a search cannot contain, so no match spans two fields. The expression
-- must stay exactly as `recruits::repo` writes it, or the planner will not use the index.
-- pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
-- SQLite uses an FTS5 trigram table instead (recruit_search).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX recruits_search ON recruits USING gin (
    lower(name || E'\n' || COALESCE(email, '') || E'\n' || COALESCE(phone, '') || E'\n' || COALESCE(postcode, '')) gin_trgm_ops
);
