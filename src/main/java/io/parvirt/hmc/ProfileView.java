package io.parvirt.hmc;

import io.parvirt.model.AttributeOutput;
import io.parvirt.model.MemorySettings;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcessorSettings;
import io.parvirt.model.Profile;
import io.parvirt.model.ProfileOptions;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.Values;
import io.parvirt.model.VirtualAdapter;
import io.parvirt.model.VirtualIo;
import java.util.List;
import java.util.Set;

/**
 * {@code lssyscfg -r prof}, in the order of a V10 HMC capture (reference §10). Processing units,
 * weight and pool are absent for dedicated partitions; {@code boot_mode} is in a VIOS's profile too.
 */
final class ProfileView {
    private ProfileView() {
    }

    static final Set<String> ATTRIBUTES = Set.of("name", "lpar_name", "lpar_id", "lpar_env", "all_resources",
            "min_mem", "desired_mem", "max_mem", "min_num_huge_pages", "desired_num_huge_pages", "max_num_huge_pages",
            "mem_mode", "hpt_ratio", "proc_mode", "min_proc_units", "desired_proc_units", "max_proc_units",
            "min_procs", "desired_procs", "max_procs", "sharing_mode", "uncap_weight", "shared_proc_pool_id",
            "shared_proc_pool_name", "affinity_group_id", "io_slots", "lpar_io_pool_ids", "max_virtual_slots",
            "virtual_serial_adapters", "virtual_scsi_adapters", "virtual_eth_adapters", "virtual_eth_vsi_profiles",
            "virtual_fc_adapters", "vnic_adapters", "vtpm_adapters", "hca_adapters", "boot_mode", "conn_monitoring", "auto_start",
            "power_ctrl_lpar_ids", "work_group_id", "redundant_err_path_reporting", "bsr_arrays",
            "lpar_proc_compat_mode", "electronic_err_reporting", "parvirt_image", "parvirt_accel");

    static Row row(SystemDefinition def, Partition p, Profile prof) {
        MemorySettings m = prof.memory();
        ProcessorSettings c = prof.processors();
        VirtualIo io = prof.io();
        ProfileOptions o = prof.options();
        boolean shared = c.shared();
        Row r = new Row().put("name", prof.name()).put("lpar_name", p.name()).put("lpar_id", p.id())
                .put("lpar_env", p.env().hmcName()).put("all_resources", Values.flag(o.allResources()))
                .put("min_mem", m.minMb()).put("desired_mem", m.desiredMb()).put("max_mem", m.maxMb())
                .put("min_num_huge_pages", 0).put("desired_num_huge_pages", 0).put("max_num_huge_pages", 0)
                .put("mem_mode", m.mode().hmcName()).put("hpt_ratio", m.hptRatio())
                .put("proc_mode", c.mode().hmcName())
                .putIf(shared, "min_proc_units", c.minUnits()).putIf(shared, "desired_proc_units", c.desiredUnits())
                .putIf(shared, "max_proc_units", c.maxUnits())
                .put("min_procs", c.minProcs()).put("desired_procs", c.desiredProcs()).put("max_procs", c.maxProcs())
                .put("sharing_mode", c.sharingMode().hmcName())
                .putIf(shared, "uncap_weight", c.uncapWeight())
                .putIf(shared, "shared_proc_pool_id", c.poolId())
                .putIf(shared, "shared_proc_pool_name", shared ? def.pool(c.poolId()).orElseThrow().name() : "")
                .put("affinity_group_id", "none").put("io_slots", "none").put("lpar_io_pool_ids", "none")
                .put("max_virtual_slots", io.maxVirtualSlots())
                .put("virtual_serial_adapters", adapters(io.serial()))
                .put("virtual_scsi_adapters", adapters(io.scsi()))
                .put("virtual_eth_adapters", adapters(io.eth()))
                // The V10 order (reference §10): no hca_adapters or bsr_arrays (absent there), and boot_mode in
                // every profile, a VIOS's too (only a VIOS's partition line leaves it out).
                .put("virtual_eth_vsi_profiles", "none").put("virtual_fc_adapters", adapters(io.fc()))
                .put("vnic_adapters", "none").put("vtpm_adapters", "none")
                .put("boot_mode", o.bootMode().hmcName())
                .put("conn_monitoring", Values.flag(o.connMonitoring())).put("auto_start", Values.flag(o.autoStart()))
                .put("power_ctrl_lpar_ids", ids(o.powerCtrlLparIds())).put("work_group_id", o.workGroupId())
                .put("redundant_err_path_reporting", Values.flag(o.redundantErrPathReporting()))
                .put("lpar_proc_compat_mode", o.procCompatMode())
                .put("electronic_err_reporting", "null")
                // parvirt's own attributes appear only when set, so HMC output stays as an HMC prints it.
                .putIf(o.image() != null, "parvirt_image", o.image())
                .putIf(o.accel() != null, "parvirt_accel", o.accel());
        return r;
    }

    static String adapters(List<? extends VirtualAdapter> list) {
        return AttributeOutput.list(list.stream().map(VirtualAdapter::format).toList());
    }

    static String ids(List<Integer> ids) {
        return AttributeOutput.list(ids.stream().map(String::valueOf).toList());
    }
}
