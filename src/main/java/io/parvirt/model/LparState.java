package io.parvirt.model;

/** Partition states as {@code lssyscfg -r lpar -F state} prints them. */
public enum LparState implements HmcEnum {
    NOT_ACTIVATED("Not Activated"), STARTING("Starting"), RUNNING("Running"), SHUTTING_DOWN("Shutting Down"),
    ERROR("Error"),
    /** Live Partition Mobility in flight: shown on both the source and the target system. */
    MIGRATING_RUNNING("Migrating - Running"),
    /** Inactive mobility in flight (the definition and profiles moving): shown on both systems; not active. */
    MIGRATING_NOT_ACTIVATED("Migrating - Not Activated");

    private final String hmcName;

    LparState(String hmcName) {
        this.hmcName = hmcName;
    }

    @Override
    public String hmcName() {
        return hmcName;
    }

    public boolean active() {
        return this == STARTING || this == RUNNING || this == SHUTTING_DOWN || this == MIGRATING_RUNNING;
    }
}
