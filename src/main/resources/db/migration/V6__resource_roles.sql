-- Managed-resource roles (issue 12; the HMC's mkaccfg -t resourcerole): which managed systems and
-- partitions a user may see and act on. A resource is 'cec' (the managed system and everything on
-- it), 'lpar:*' (every partition, not the system itself) or 'lpar:<partition uuid>' (one partition,
-- kept by identity so that a later partition that takes its id or name is not granted).
CREATE TABLE resource_role (
    name TEXT PRIMARY KEY
);
CREATE TABLE resource_role_resource (
    role_name TEXT NOT NULL REFERENCES resource_role (name),
    resource  TEXT NOT NULL,
    PRIMARY KEY (role_name, resource)
);
-- NULL: every resource (the HMC's predefined role ALL:, "All System Resources").
ALTER TABLE hmc_user ADD COLUMN resource_role TEXT REFERENCES resource_role (name);
