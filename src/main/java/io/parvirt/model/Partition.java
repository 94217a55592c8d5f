package io.parvirt.model;

/**
 * A logical partition as defined: identity, environment and the profile it starts with. What it is
 * doing at run time (state, current profile) belongs to the services that run it.
 */
public record Partition(int id, String name, LparEnv env, String defaultProfile, String uuid,
        PartitionOptions options) {

    public Partition {
        if (id < 1 || id > Limits.MAX_LPARS) {
            throw new IllegalArgumentException("lpar id " + id);
        }
        Names.partitionName("name", name);
        Names.profileName("default_profile", defaultProfile);
    }

    public Partition withName(String n) {
        return new Partition(id, n, env, defaultProfile, uuid, options);
    }

    public Partition withDefaultProfile(String p) {
        return new Partition(id, name, env, p, uuid, options);
    }

    public Partition withOptions(PartitionOptions o) {
        return new Partition(id, name, env, defaultProfile, uuid, o);
    }
}
