-- A Virtual I/O Server's storage (issue 6): file pools, backing devices, virtual target devices,
-- the media repository and its media. Rows are keyed by the VIOS's partition id; each row's doc is
-- the model record. The keys repeat the model's rules: unique names per VIOS, one LUN per adapter
-- slot, a backing device mapped once, a device and a repository only in a pool that exists.
-- No foreign key to lpar: removing a VIOS partition's definition does not destroy its storage.
CREATE TABLE vios_pool (
    vios_id  INTEGER NOT NULL,
    name     TEXT NOT NULL,
    doc      TEXT NOT NULL,
    PRIMARY KEY (vios_id, name)
);

CREATE TABLE vios_backing_device (
    vios_id  INTEGER NOT NULL,
    name     TEXT NOT NULL,
    pool     TEXT NOT NULL,
    doc      TEXT NOT NULL,
    PRIMARY KEY (vios_id, name),
    FOREIGN KEY (vios_id, pool) REFERENCES vios_pool (vios_id, name)
);

CREATE TABLE vios_target (
    vios_id     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    server_slot INTEGER NOT NULL,
    lun         INTEGER NOT NULL,
    backing     TEXT,
    doc         TEXT NOT NULL,
    PRIMARY KEY (vios_id, name),
    UNIQUE (vios_id, server_slot, lun),
    FOREIGN KEY (vios_id, backing) REFERENCES vios_backing_device (vios_id, name)
);

CREATE UNIQUE INDEX vios_target_backing ON vios_target (vios_id, backing) WHERE backing IS NOT NULL;

CREATE TABLE vios_repository (
    vios_id  INTEGER PRIMARY KEY,
    pool     TEXT NOT NULL,
    doc      TEXT NOT NULL,
    FOREIGN KEY (vios_id, pool) REFERENCES vios_pool (vios_id, name)
);

CREATE TABLE vios_media (
    vios_id  INTEGER NOT NULL,
    name     TEXT NOT NULL,
    doc      TEXT NOT NULL,
    PRIMARY KEY (vios_id, name)
);
