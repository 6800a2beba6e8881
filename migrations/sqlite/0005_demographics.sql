-- Stop-and-search records imported from data.police.uk (one row per search; identical
-- rows in a file are separate searches) and census population by force area.
CREATE TABLE search_imports (
    force       TEXT NOT NULL,
    month       TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    rows        INTEGER NOT NULL,
    imported_at INTEGER NOT NULL,
    PRIMARY KEY (force, month)
);

CREATE TABLE searches (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    force         TEXT NOT NULL,
    month         TEXT NOT NULL,
    ethnic_group  TEXT NOT NULL,
    ethnic_source TEXT NOT NULL,
    age_range     TEXT NOT NULL,
    gender        TEXT NOT NULL
);
CREATE INDEX searches_by_force_month ON searches (force, month);

CREATE TABLE population (
    force     TEXT NOT NULL,
    dimension TEXT NOT NULL,
    category  TEXT NOT NULL,
    people    INTEGER NOT NULL,
    PRIMARY KEY (force, dimension, category)
);
