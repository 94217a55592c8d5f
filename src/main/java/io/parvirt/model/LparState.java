package io.parvirt.model;

/** Partition states as {@code lssyscfg -r lpar -F state} prints them. */
public enum LparState implements HmcEnum {
    NOT_ACTIVATED("Not Activated"), STARTING("Starting"), RUNNING("Running"), SHUTTING_DOWN("Shutting Down"),
    ERROR("Error"),
    /** Live Partition Mobility in flight: shown on both the source and the target system. */
    MIGRATING_RUNNING("Migrating - Running"),
    /** Inactive mobility in flight (the definition and profiles moving): shown on both systems; not active. */
    MIGRATING_NOT_ACTIVATED("Migrating - Not Activated"),
    /**
     * Suspend and resume (issue 14): the partition's memory and device state going to its saved
     * state file (active: it still holds its resources), kept there (nothing runs, nothing held),
     * and coming back from it (active).
     */
    SUSPENDING("Suspending"), SUSPENDED("Suspended"), RESUMING("Resuming");

    private final String hmcName;

    LparState(String hmcName) {
        this.hmcName = hmcName;
    }

    @Override
    public String hmcName() {
        return hmcName;
    }

    public boolean active() {
        return this == STARTING || this == RUNNING || this == SHUTTING_DOWN || this == MIGRATING_RUNNING
                || this == SUSPENDING || this == RESUMING;
    }
}
