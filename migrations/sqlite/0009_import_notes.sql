-- What the importer did with values it did not take as written (recovered manglings,
-- values counted as "not recognised"), one line each, shown on the imports page.
ALTER TABLE search_imports ADD COLUMN notes TEXT NOT NULL DEFAULT '';
