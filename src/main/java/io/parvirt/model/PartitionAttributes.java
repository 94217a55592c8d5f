package io.parvirt.model;

/** Partition-level attributes; {@link #CREATE} for mksyscfg, {@link #CHANGE} for chsyscfg -r lpar. */
public final class PartitionAttributes {
    private PartitionAttributes() {
    }

    public static final AttributeTable<PartitionDraft> CREATE = common(new AttributeTable<PartitionDraft>(
            "a partition (mksyscfg -r lpar)"))
            .scalar("name", (d, v) -> d.name = Names.partitionName("name", v))
            .scalar("lpar_id", (d, v) -> d.lparId = Values.parseInt("lpar_id", v, 1, Limits.MAX_LPARS))
            .scalar("lpar_env", (d, v) -> d.env = Values.parseEnum("lpar_env", v, LparEnv.class))
            .scalar("profile_name", (d, v) -> d.profileName = Names.profileName("profile_name", v));

    public static final AttributeTable<PartitionDraft> CHANGE = common(new AttributeTable<PartitionDraft>(
            "a partition (chsyscfg -r lpar)"))
            .scalar("name", (d, v) -> d.name = Names.partitionName("name", v))
            .scalar("lpar_id", (d, v) -> d.lparId = Values.parseInt("lpar_id", v, 1, Limits.MAX_LPARS))
            .scalar("new_name", (d, v) -> d.newName = Names.partitionName("new_name", v))
            .scalar("default_profile", (d, v) -> d.defaultProfile = Names.profileName("default_profile", v));

    private static AttributeTable<PartitionDraft> common(AttributeTable<PartitionDraft> t) {
        return t.scalar("allow_perf_collection", (d, v) -> d.allowPerfCollection =
                        Values.parseFlag("allow_perf_collection", v))
                .scalar("shared_proc_pool_util_auth", (d, v) -> d.sharedProcPoolUtilAuth =
                        Values.parseFlag("shared_proc_pool_util_auth", v))
                .scalar("lpar_avail_priority", (d, v) -> d.availPriority =
                        Values.parseInt("lpar_avail_priority", v, 0, 255))
                .scalar("lpar_keylock", (d, v) -> d.keylock = Values.parseEnum("lpar_keylock", v, LparKeylock.class))
                .scalar("sync_curr_profile", (d, v) -> d.syncCurrProfile = Values.parseFlag("sync_curr_profile", v))
                .scalar("msp", (d, v) -> d.msp = Values.parseFlag("msp", v))
                .scalar("suspend_capable", (d, v) -> d.suspendCapable = Values.parseFlag("suspend_capable", v))
                .scalar("simplified_remote_restart_capable", (d, v) -> d.remoteRestartCapable =
                        Values.parseFlag("simplified_remote_restart_capable", v))
                .scalar("migration_disabled", (d, v) -> d.migrationDisabled =
                        Values.parseFlag("migration_disabled", v))
                .scalar("description", (d, v) -> d.description = description(v))
                .fixed("mem_expansion", "0", "Active Memory Expansion is not offered")
                .fixed("sriov_eth_logical_ports", "none", "SR-IOV logical ports are not offered")
                .fixed("vnic_adapters", "none", "vNIC adapters are not offered; use virtual_eth_adapters")
                .fixed("vtpm_enabled", "0", "virtual TPM is not offered yet")
                .fixed("secure_boot", "0", "secure boot is not offered yet")
                .fixed("console_slot", "hmc", "console_slot applies only to IBM i partitions");
    }

    private static String description(String v) {
        if (v.length() > 256 || v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new ModelException(ModelException.Kind.INVALID_VALUE, "description", "The value for attribute "
                    + "description is not valid: use at most 256 printable characters.");
        }
        return v;
    }
}
