-- The panel at work (issue 18): several panels per force, their members, meetings, the
-- sample of searches each meeting scrutinises, ratings, actions raised with the force,
-- and a chair role scoped to one panel.
CREATE TABLE panels (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    slug              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL DEFAULT 'stop-search'
                      CHECK (kind IN ('stop-search', 'use-of-force', 'youth', 'joint')),
    area              TEXT,
    -- NULL: the force's minimum age (SCRUTINY_MIN_AGE).
    min_age           INTEGER CHECK (min_age IN (16, 18)),
    -- Longest total membership in months (NULL: no limit).
    term_limit_months INTEGER,
    safeguarding_lead TEXT,
    -- Reports are published at /panels/<slug>/reports only when this is set.
    reports_public    INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL
);
-- An existing database keeps working as one panel: every batch and recruit joins it.
INSERT INTO panels (id, slug, name, kind, created_at) VALUES (1, 'panel', 'Stop and search scrutiny panel', 'stop-search', 0);

-- SQLite cannot add a column with a REFERENCES clause and a non-NULL default; the
-- repositories check the panel exists (PostgreSQL has the foreign key).
ALTER TABLE card_batches ADD COLUMN panel_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE recruits ADD COLUMN panel_id INTEGER NOT NULL DEFAULT 1;
CREATE INDEX recruits_by_panel ON recruits (panel_id, status, created_at);

-- Target composition: the share of the panel each ethnic group should make up (per
-- thousand), e.g. copied from the share of people searched.
CREATE TABLE panel_targets (
    panel_id     INTEGER NOT NULL REFERENCES panels (id) ON DELETE CASCADE,
    ethnic_group TEXT NOT NULL,
    per_mille    INTEGER NOT NULL CHECK (per_mille BETWEEN 0 AND 1000),
    PRIMARY KEY (panel_id, ethnic_group)
);

-- A recruit whose status is "member": their place on the panel. Vetting is recorded as
-- level, status and expiry only, never its content.
CREATE TABLE panel_members (
    recruit_id          INTEGER PRIMARY KEY REFERENCES recruits (id) ON DELETE CASCADE,
    role                TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'chair', 'vice-chair')),
    term_start          TEXT,
    term_end            TEXT,
    vetting_level       TEXT,
    vetting_status      TEXT CHECK (vetting_status IN ('not-started', 'applied', 'cleared', 'refused', 'expired')),
    vetting_expires     TEXT,
    confidentiality_on  TEXT,
    updated_at          INTEGER NOT NULL
);
CREATE TABLE member_training (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    recruit_id INTEGER NOT NULL REFERENCES recruits (id) ON DELETE CASCADE,
    course     TEXT NOT NULL,
    taken_on   TEXT NOT NULL,
    expires_on TEXT
);
CREATE INDEX member_training_by_recruit ON member_training (recruit_id);

-- Meetings, with the sample drawn for them (seed and filters kept, so anyone can draw
-- it again and see it was not chosen by hand).
CREATE TABLE meetings (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    panel_id       INTEGER NOT NULL REFERENCES panels (id),
    -- Local time (Europe/London), YYYY-MM-DDTHH:MM.
    starts_at      TEXT NOT NULL,
    minutes_long   INTEGER NOT NULL DEFAULT 120,
    place          TEXT,
    online_link    TEXT,
    agenda         TEXT,
    minutes        TEXT,
    sample_force   TEXT,
    sample_from    TEXT,
    sample_to      TEXT,
    sample_size    INTEGER,
    sample_seed    TEXT,
    sample_filters TEXT,
    sampled_from   INTEGER,
    published      INTEGER NOT NULL DEFAULT 0,
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX meetings_by_panel ON meetings (panel_id, starts_at);

-- The searches drawn for a meeting, each kept as published (the police.uk fields as a
-- JSON array), with the panel's rating.
CREATE TABLE meeting_cases (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    record     TEXT NOT NULL,
    rating     TEXT CHECK (rating IN ('green', 'amber', 'red')),
    reasons    TEXT,
    themes     TEXT,
    rated_by   TEXT,
    rated_at   INTEGER,
    PRIMARY KEY (meeting_id, position)
);

CREATE TABLE meeting_attendance (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    recruit_id INTEGER NOT NULL REFERENCES recruits (id) ON DELETE CASCADE,
    status     TEXT NOT NULL CHECK (status IN ('invited', 'present', 'absent', 'excused')),
    PRIMARY KEY (meeting_id, recruit_id)
);
CREATE INDEX meeting_attendance_by_recruit ON meeting_attendance (recruit_id);

-- Actions the panel raises with the force, and the force's reply.
CREATE TABLE panel_actions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id    INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    case_position INTEGER,
    text          TEXT NOT NULL,
    owner         TEXT NOT NULL,
    due_on        TEXT,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replied', 'closed')),
    reply         TEXT,
    replied_on    TEXT,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX panel_actions_by_meeting ON panel_actions (meeting_id);

-- The chair role: runs meetings, rates cases and writes actions for one panel.
CREATE TABLE users_new (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    email               TEXT NOT NULL,
    email_lower         TEXT NOT NULL UNIQUE,
    password_hash       TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'chair', 'viewer')),
    disabled            INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL,
    session_epoch       INTEGER NOT NULL DEFAULT 0,
    equality_access     INTEGER NOT NULL DEFAULT 0,
    panel_id            INTEGER REFERENCES panels (id)
);
INSERT INTO users_new (id, email, email_lower, password_hash, role, disabled, created_at, password_changed_at,
                       session_epoch, equality_access)
SELECT id, email, email_lower, password_hash, role, disabled, created_at, password_changed_at,
       session_epoch, equality_access FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
