package io.parvirt.hmc;

import io.parvirt.model.LparEnv;
import io.parvirt.model.LparState;
import io.parvirt.model.Partition;
import io.parvirt.model.PartitionOptions;
import io.parvirt.model.Profile;
import io.parvirt.model.ProfileOptions;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.Values;
import io.parvirt.partition.RunState;
import io.parvirt.system.HostFacts;
import java.util.Locale;
import java.util.Set;

/**
 * {@code lssyscfg -r lpar}: a partition's identity and state. Boot mode, auto start and the other
 * attributes that also live in profiles show the values of the profile the partition starts with.
 */
final class LparView {
    private LparView() {
    }

    static final Set<String> ATTRIBUTES = Set.of("name", "lpar_id", "lpar_env", "state", "resource_config",
            "os_version", "logical_serial_num", "default_profile", "curr_profile", "work_group_id",
            "shared_proc_pool_util_auth", "allow_perf_collection", "power_ctrl_lpar_ids", "boot_mode", "lpar_keylock",
            "auto_start", "redundant_err_path_reporting", "rmc_state", "rmc_ipaddr", "dlpar_mem_capable",
            "dlpar_proc_capable", "sync_curr_profile", "lpar_avail_priority", "suspend_capable",
            "simplified_remote_restart_capable", "migration_disabled", "curr_lpar_proc_compat_mode", "msp",
            "description", "uuid");

    /** {@code run} is empty for a partition that is simply Not Activated. */
    static Row row(SystemDefinition def, HostFacts host, Partition p, java.util.Optional<RunState> run) {
        RunState st = run.orElse(null);
        LparState state = st == null ? LparState.NOT_ACTIVATED : st.state();
        boolean agent = st != null && st.agentActive();
        boolean active = state.active();
        Profile prof = def.defaultProfile(p);
        ProfileOptions po = prof.options();
        PartitionOptions o = p.options();
        boolean vios = p.env() == LparEnv.VIOSERVER;
        return new Row().put("name", p.name()).put("lpar_id", p.id()).put("lpar_env", p.env().hmcName())
                .put("state", state.hmcName()).put("resource_config", active ? "1" : "0")
                .put("os_version", st == null ? "Unknown" : st.osVersion())
                .put("logical_serial_num", host.serial() + Integer.toHexString(p.id()).toUpperCase(Locale.ROOT))
                .put("default_profile", p.defaultProfile()).put("curr_profile", st == null ? "" : st.profile())
                .put("work_group_id", po.workGroupId())
                .put("shared_proc_pool_util_auth", Values.flag(o.sharedProcPoolUtilAuth()))
                .put("allow_perf_collection", Values.flag(o.allowPerfCollection()))
                .put("power_ctrl_lpar_ids", ProfileView.ids(po.powerCtrlLparIds()))
                .putIf(!vios, "boot_mode", po.bootMode().hmcName())
                .put("lpar_keylock", o.keylock().hmcName()).put("auto_start", Values.flag(po.autoStart()))
                .put("redundant_err_path_reporting", Values.flag(po.redundantErrPathReporting()))
                .put("rmc_state", agent ? "active" : "inactive")
                .put("rmc_ipaddr", agent && !st.ipv4().isEmpty() ? st.ipv4().getFirst() : "")
                .put("dlpar_mem_capable", agent ? "1" : "0").put("dlpar_proc_capable", agent ? "1" : "0").put("sync_curr_profile", Values.flag(o.syncCurrProfile()))
                .put("lpar_avail_priority", o.availPriority()).put("suspend_capable", Values.flag(o.suspendCapable()))
                .put("simplified_remote_restart_capable", Values.flag(o.remoteRestartCapable()))
                .put("migration_disabled", Values.flag(o.migrationDisabled()))
                .put("curr_lpar_proc_compat_mode", "default")
                .putIf(vios, "msp", Values.flag(o.msp())).put("description", o.description())
                .put("uuid", p.uuid());
    }
}
