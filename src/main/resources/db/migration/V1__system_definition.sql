-- The definition of one managed system. Records are stored as JSON documents keyed by the
-- columns that must stay unique; the store enforces uniqueness a second time below the model.
CREATE TABLE system_settings (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    doc      TEXT NOT NULL
);

CREATE TABLE lpar (
    lpar_id  INTEGER PRIMARY KEY CHECK (lpar_id BETWEEN 1 AND 1000),
    name     TEXT NOT NULL UNIQUE,
    doc      TEXT NOT NULL
);

CREATE TABLE profile (
    lpar_id  INTEGER NOT NULL REFERENCES lpar (lpar_id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    doc      TEXT NOT NULL,
    PRIMARY KEY (lpar_id, name)
);

CREATE TABLE proc_pool (
    pool_id  INTEGER PRIMARY KEY CHECK (pool_id BETWEEN 0 AND 63),
    name     TEXT NOT NULL UNIQUE,
    doc      TEXT NOT NULL
);

CREATE TABLE console_event (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ms  INTEGER NOT NULL,
    userid   TEXT NOT NULL,
    name     TEXT NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    text     TEXT NOT NULL
);

CREATE TABLE hmc_user (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    salt       BLOB NOT NULL,
    hash       BLOB NOT NULL,
    iterations INTEGER NOT NULL
);
