package io.parvirt.model;

/** Capped/uncapped for shared partitions; idle-processor donation for dedicated ones. */
public enum SharingMode implements HmcEnum {
    CAP("cap"),
    UNCAP("uncap"),
    KEEP_IDLE_PROCS("keep_idle_procs"),
    SHARE_IDLE_PROCS("share_idle_procs"),
    SHARE_IDLE_PROCS_ACTIVE("share_idle_procs_active"),
    SHARE_IDLE_PROCS_ALWAYS("share_idle_procs_always");

    private final String hmcName;

    SharingMode(String hmcName) {
        this.hmcName = hmcName;
    }

    @Override
    public String hmcName() {
        return hmcName;
    }

    /** True for the modes a shared-processor partition may use. */
    public boolean forShared() {
        return this == CAP || this == UNCAP;
    }
}
