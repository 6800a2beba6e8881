-- Rate limits shared by every instance on one PostgreSQL database (sign-ups per client
-- and per card, card-code guessing, sign-in attempts per address). Keys are hashes,
-- never addresses. SQLite runs one instance and keeps its limits in memory.
CREATE TABLE rate_limits (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
