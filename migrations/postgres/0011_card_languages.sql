-- Cards in several languages: each batch records the languages printed on it, in card
-- order (comma-separated codes, e.g. "cy,en"); batches made before this are English.
ALTER TABLE card_batches ADD COLUMN languages TEXT NOT NULL DEFAULT 'en';

-- Card wording is now kept per language: the force's existing wording was English.
UPDATE settings SET key = 'card.en.heading' WHERE key = 'card.front_heading';
UPDATE settings SET key = 'card.en.body' WHERE key = 'card.front_body';
UPDATE settings SET key = 'card.en.invitation' WHERE key = 'card.invitation';
