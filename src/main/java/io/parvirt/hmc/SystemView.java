package io.parvirt.hmc;

import io.parvirt.model.Limits;
import io.parvirt.system.HostFacts;
import io.parvirt.system.ManagedSystem;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** {@code lssyscfg -r sys}: identity, state and capability flags, in the order a real HMC prints them. */
final class SystemView {
    private SystemView() {
    }

    static final String TYPE_MODEL = "PVRT-KVM";
    static final DateTimeFormatter HMC_TIME = DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss");

    /** Capability flags: 1 where parvirt offers the function (now or in the issues it is built for). */
    private static final String[][] CAPABLE = {
        {"active_lpar_mobility_capable", "1"}, {"inactive_lpar_mobility_capable", "1"},
        {"active_lpar_share_idle_procs_capable", "1"}, {"active_mem_expansion_capable", "0"},
        {"hardware_active_mem_expansion_capable", "0"}, {"active_mem_sharing_capable", "0"},
        {"addr_broadcast_perf_policy_capable", "0"}, {"bsr_capable", "0"}, {"cod_mem_capable", "0"},
        {"cod_proc_capable", "0"}, {"dynamic_platform_optimization_capable", "0"},
        {"electronic_err_reporting_capable", "0"}, {"firmware_power_saver_capable", "0"},
        {"hardware_power_saver_capable", "0"}, {"hardware_discovery_capable", "0"}, {"hca_capable", "0"},
        {"huge_page_mem_capable", "0"}, {"lhea_capable", "0"}, {"lpar_avail_priority_capable", "1"},
        {"lpar_proc_compat_mode_capable", "1"}, {"lpar_remote_restart_capable", "0"},
        {"powervm_lpar_remote_restart_capable", "0"}, {"lpar_suspend_capable", "1"}, {"micro_lpar_capable", "1"},
        {"os400_capable", "0"}, {"5250_application_capable", "0"}, {"redundant_err_path_reporting_capable", "0"},
        {"shared_eth_failover_capable", "1"}, {"sni_msg_passing_capable", "0"}, {"sp_failover_capable", "0"},
        {"vet_activation_capable", "0"}, {"virtual_fc_capable", "0"}, {"virtual_io_server_capable", "1"},
        {"virtual_switch_capable", "1"}, {"vsn_phase2_capable", "0"}, {"vsi_on_veth_capable", "0"},
    };

    static final java.util.Set<String> ATTRIBUTES = java.util.Set.copyOf(row(null, "x").names());

    /** {@code U<type>.<model>.<serial>}: the start of every location code on the system. */
    static String locationPrefix(HostFacts h) {
        return "U" + TYPE_MODEL.replace('-', '.') + "." + h.serial();
    }

    static String mtms(HostFacts h) {
        return TYPE_MODEL + "*" + h.serial();
    }

    static Row row(ManagedSystem sys, String nameIfAbsent) {
        HostFacts h = sys == null ? new HostFacts(1, 1, "x", "0000000", "127.0.0.1") : sys.host();
        String name = sys == null ? nameIfAbsent : sys.definition().settings().name();
        Row r = new Row().put("name", name).put("type_model", TYPE_MODEL).put("serial_num", h.serial())
                .put("ipaddr", h.ipaddr()).put("state", sys == null || sys.operating() ? "Operating" : "Power Off").put("detailed_state", "None")
                .put("sys_time", LocalDateTime.now().format(HMC_TIME)).put("power_off_policy", "1");
        for (String[] c : CAPABLE) {
            r.put(c[0], c[1]);
        }
        return r.put("assign_5250_cpw_percent", "0").put("max_lpars", Limits.MAX_LPARS)
                .put("max_power_ctrl_lpars", "1").put("service_lpar_id", "none").put("service_lpar_name", "none")
                .put("curr_sys_keylock", "norm").put("pend_sys_keylock", "norm")
                .put("power_on_lpar_start_policy", "autostart")
                .put("description", sys == null ? "" : sys.definition().settings().description());
    }
}
