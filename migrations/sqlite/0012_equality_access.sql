-- Equality answers (ethnic group, gender, disability) beside a person's name are shown
-- only to users an admin has named for it (audited); everyone else sees counts.
ALTER TABLE users ADD COLUMN equality_access INTEGER NOT NULL DEFAULT 0;
