-- HMC system profiles (issue 19): partition profiles activated together. The doc is the model
-- record (its members name partitions by id, in activation order). No foreign key to lpar: a
-- partition removed is taken out of its system profiles by the same transaction (ManagedSystem).
CREATE TABLE system_profile (
    name     TEXT PRIMARY KEY,
    doc      TEXT NOT NULL
);

-- parvirt's partition templates (issue 19): a partition's definition (the partition record and its
-- profiles) saved under a name; the doc is the model record.
CREATE TABLE lpar_template (
    name     TEXT PRIMARY KEY,
    doc      TEXT NOT NULL
);
