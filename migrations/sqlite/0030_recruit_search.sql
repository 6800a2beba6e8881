-- Recruit text search (name, email, phone, postcode) without reading every recruit: an
-- FTS5 index of trigrams, so any part of three or more characters is found through the
-- index, case folded (Unicode). Triggers keep it in step with every write in the same
-- transaction: sign-up, correction, erasure and the retention purge (a deleted or blanked
-- recruit leaves nothing here). The fields are joined by a newline, which a search cannot
-- contain, so no match spans two fields. The recruit's id is the rowid.
-- PostgreSQL indexes the same text with pg_trgm instead (no table there).
CREATE VIRTUAL TABLE recruit_search USING fts5 (doc, tokenize = 'trigram');

INSERT INTO recruit_search (rowid, doc)
SELECT id, name || char(10) || COALESCE(email, '') || char(10) || COALESCE(phone, '') || char(10) || COALESCE(postcode, '')
FROM recruits;

CREATE TRIGGER recruit_search_insert AFTER INSERT ON recruits BEGIN
    INSERT INTO recruit_search (rowid, doc) VALUES (new.id,
        new.name || char(10) || COALESCE(new.email, '') || char(10) || COALESCE(new.phone, '') || char(10) || COALESCE(new.postcode, ''));
END;

CREATE TRIGGER recruit_search_update AFTER UPDATE OF name, email, phone, postcode ON recruits BEGIN
    DELETE FROM recruit_search WHERE rowid = old.id;
    INSERT INTO recruit_search (rowid, doc) VALUES (new.id,
        new.name || char(10) || COALESCE(new.email, '') || char(10) || COALESCE(new.phone, '') || char(10) || COALESCE(new.postcode, ''));
END;

CREATE TRIGGER recruit_search_delete AFTER DELETE ON recruits BEGIN
    DELETE FROM recruit_search WHERE rowid = old.id;
END;
