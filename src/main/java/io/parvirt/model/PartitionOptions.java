package io.parvirt.model;

/** Partition-level attributes that are not part of any profile. */
public record PartitionOptions(boolean allowPerfCollection, boolean sharedProcPoolUtilAuth, int availPriority,
        LparKeylock keylock, boolean syncCurrProfile, boolean msp, boolean suspendCapable,
        boolean remoteRestartCapable, boolean migrationDisabled, String description) {

    public static PartitionOptions defaults(LparEnv env) {
        return new PartitionOptions(false, false, env == LparEnv.VIOSERVER ? 191 : 127, LparKeylock.NORM, false,
                env == LparEnv.VIOSERVER, false, false, false, "");
    }
}
