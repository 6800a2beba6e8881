-- A search of one or two characters has no trigram, so pg_trgm cannot find it: one that
-- matches few recruits ("zz") read all of them (646 ms at a million). This indexes each
-- recruit's single characters and pairs of characters (of the lower-cased searched text),
-- which finds such a search's candidates at once; each is checked with strpos. The list
-- uses it only when few of the newest recruits match (src/recruits/repo/list.rs): the
-- function is costly on each row, which COST tells the planner, so that it reads the index
-- rather than computing the function for every recruit. 68 MB at a million recruits.
CREATE FUNCTION recruit_short_grams(t text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 10000
    AS $$ SELECT ARRAY(SELECT DISTINCT substr(t, i, n) FROM generate_series(1, 2) AS n, generate_series(1, length(t) - n + 1) AS i) $$;
CREATE INDEX recruits_search_short ON recruits USING gin (recruit_short_grams(search_text));
