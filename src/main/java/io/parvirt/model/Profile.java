package io.parvirt.model;

/** A partition profile: a named resource set owned by exactly one partition. */
public record Profile(String name, int lparId, MemorySettings memory, ProcessorSettings processors, VirtualIo io,
        ProfileOptions options) {

    public Profile {
        Names.profileName("name", name);
        if (lparId < 1 || lparId > Limits.MAX_LPARS) {
            throw new IllegalArgumentException("lpar id " + lparId);
        }
    }
}
