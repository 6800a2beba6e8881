-- A narrow copy of each recruit's searched text (the id and the lower-cased text of 0033),
-- with its own trigram index, as SQLite keeps its search index in a table of its own
-- (recruit_search, FTS5). A search found through the trigram index checks every
-- candidate's text again (trigrams are not exact); in the recruits row the text is the
-- last of 22 columns, and reaching it cost more than the check: `person 1` (111,112
-- candidates at a million recruits) took 50-55 ms there and 35 ms here. The list reads
-- this table when a search matches few of the newest recruits and nothing but the search
-- and the ethnic group is asked (src/recruits/repo/list.rs); everything else still reads
-- recruits.search_text. The copy follows every insert and every change to the four
-- fields (corrections, erasure), and goes with its recruit (withdrawal, retention purge).
-- 7 s at a million recruits (the index), about 40 MB of table and 60 MB of index.
CREATE TABLE recruit_search (
    id BIGINT PRIMARY KEY REFERENCES recruits (id) ON DELETE CASCADE,
    search_text TEXT NOT NULL
);
INSERT INTO recruit_search (id, search_text) SELECT id, search_text FROM recruits ORDER BY id;
CREATE INDEX recruit_search_text ON recruit_search USING gin (search_text gin_trgm_ops);

-- search_text is a stored generated column: computed before AFTER triggers run.
CREATE FUNCTION recruit_search_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO recruit_search (id, search_text) VALUES (NEW.id, NEW.search_text)
        ON CONFLICT (id) DO UPDATE SET search_text = EXCLUDED.search_text;
    RETURN NULL;
END
$$;
CREATE TRIGGER recruit_search_insert AFTER INSERT ON recruits
    FOR EACH ROW EXECUTE FUNCTION recruit_search_copy();
CREATE TRIGGER recruit_search_update AFTER UPDATE ON recruits
    FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text) EXECUTE FUNCTION recruit_search_copy();
ANALYZE recruit_search;
