package io.parvirt.hmc;

import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.Allocation;
import io.parvirt.model.HptRatio;
import io.parvirt.model.Limits;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.ProcessorSettings;
import io.parvirt.model.Profile;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SystemDefinition;
import io.parvirt.system.Capacity;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code lshwres -r proc|mem|procpool}: capacity of the system, its partitions and its pools. */
final class HwresView {
    /** What {@code lshwres -r io} may be asked to show (-F, --filter), though parvirt lists no physical I/O. */
    static final Set<String> IO_SLOT = Set.of("unit_phys_loc", "bus_id", "phys_loc", "drc_index", "drc_name",
            "lpar_name", "lpar_id", "slot_io_pool_id", "description", "feature_codes", "pci_vendor_id",
            "pci_device_id", "pci_subs_vendor_id", "pci_subs_device_id", "pci_class", "pci_revision_id",
            "bus_grouping", "iop", "iop_info_stale", "vpd_stale", "vpd_type", "vpd_model", "vpd_serial_num",
            "parent_slot_drc_index", "parent", "mac_address", "serial_num", "wwpn", "wwnn", "type", "location_code",
            "unit_model", "unit_serial_num", "backplane_phys_loc", "bus_drc_index", "bus_drc_name");
    static final Set<String> VIRTUAL_FC = Set.of("lpar_name", "lpar_id", "slot_num", "adapter_type", "state",
            "is_required", "remote_lpar_id", "remote_lpar_name", "remote_slot_num", "wwpns", "topology",
            "operating_mode", "wwpn_status");
    static final Set<String> IO_FILTERS = Set.of("lpar_names", "lpar_ids", "units", "buses", "slots", "pools");
    static final Set<String> MEMPOOL = Set.of("curr_pool_mem", "curr_max_pool_mem", "pend_pool_mem",
            "pend_max_pool_mem", "sys_firmware_pool_mem", "paging_storage_pool", "curr_paging_vios_names",
            "curr_paging_vios_ids", "pend_paging_vios_names", "pend_paging_vios_ids", "mem_dedup_active",
            "max_pool_mem");

    private HwresView() {
    }

    static Row procSys(Capacity c) {
        return new Row().put("configurable_sys_proc_units", c.configurableProcUnits())
                .put("curr_avail_sys_proc_units", c.availProcUnits())
                .put("pend_avail_sys_proc_units", c.availProcUnits())
                .put("installed_sys_proc_units", c.installedProcUnits())
                .put("deconfig_sys_proc_units", "0").put("min_proc_units_per_virtual_proc", ProcUnits.MIN_PER_VP)
                .put("max_virtual_procs_per_lpar", Limits.MAX_VIRTUAL_PROCS_PER_LPAR)
                .put("max_procs_per_lpar", c.configurableProcUnits().hundredths() / 100)
                .put("max_curr_virtual_procs_per_aixlinux_lpar", Limits.MAX_VIRTUAL_PROCS_PER_LPAR)
                .put("max_curr_virtual_procs_per_vios_lpar", Limits.MAX_VIRTUAL_PROCS_PER_LPAR)
                .put("max_curr_procs_per_aixlinux_lpar", c.configurableProcUnits().hundredths() / 100)
                .put("max_curr_procs_per_vios_lpar", c.configurableProcUnits().hundredths() / 100)
                .put("max_shared_proc_pools", Limits.MAX_SHARED_PROC_POOLS);
    }

    static final Set<String> PROC_SYS = Set.copyOf(procSys(new Capacity(ProcUnits.ZERO, ProcUnits.ZERO,
            ProcUnits.ZERO, 0, 0, 0, 0)).names());

    /**
     * curr_* is the running configuration (what processor DLPAR changes), pend_* the target, which
     * parvirt applies at once, so both are equal; run_* is what the OS runs with. Not activated,
     * curr and pend follow the default profile and run is zero.
     */
    static Row procLpar(SystemDefinition def, Partition p, Allocation running) {
        ProcessorSettings c = running != null ? running.limits() : def.defaultProfile(p).processors();
        boolean s = c.shared();
        int pool = running != null ? running.poolId() : c.poolId();
        Object units = running != null ? running.procUnits() : c.desiredUnits();
        int procs = running != null ? running.vcpus() : c.desiredProcs();
        String sharing = (running != null ? running.sharingMode() : c.sharingMode()).hmcName();
        int weight = running != null ? running.uncapWeight() : c.uncapWeight();
        Row r = new Row().put("lpar_name", p.name()).put("lpar_id", p.id());
        r.putIf(s, "curr_shared_proc_pool_id", pool).putIf(s, "curr_shared_proc_pool_name",
                s ? def.pool(pool).orElseThrow().name() : "");
        r.put("curr_proc_mode", c.mode().hmcName());
        for (String prefix : new String[] {"curr_", "pend_"}) {
            r.putIf(s, prefix + "min_proc_units", c.minUnits()).putIf(s, prefix + "proc_units", units)
                    .putIf(s, prefix + "max_proc_units", c.maxUnits())
                    .put(prefix + "min_procs", c.minProcs()).put(prefix + "procs", procs)
                    .put(prefix + "max_procs", c.maxProcs()).put(prefix + "sharing_mode", sharing)
                    .putIf(s, prefix + "uncap_weight", weight);
            if (prefix.equals("curr_")) {
                r.putIf(s, "pend_shared_proc_pool_id", pool).put("pend_proc_mode", c.mode().hmcName());
            }
        }
        if (running == null) {
            return r.putIf(s, "run_proc_units", "0.0").put("run_procs", 0).putIf(s, "run_uncap_weight", 0);
        }
        return r.putIf(s, "run_proc_units", units).put("run_procs", procs).putIf(s, "run_uncap_weight", weight);
    }

    static final Set<String> PROC_LPAR = Set.of("lpar_name", "lpar_id", "curr_shared_proc_pool_id",
            "curr_shared_proc_pool_name", "curr_proc_mode", "curr_min_proc_units", "curr_proc_units",
            "curr_max_proc_units", "curr_min_procs", "curr_procs", "curr_max_procs", "curr_sharing_mode",
            "curr_uncap_weight", "pend_shared_proc_pool_id", "pend_proc_mode", "pend_min_proc_units",
            "pend_proc_units", "pend_max_proc_units", "pend_min_procs", "pend_procs", "pend_max_procs",
            "pend_sharing_mode", "pend_uncap_weight", "run_proc_units", "run_procs", "run_uncap_weight");

    /** The physical shared pool: all configurable capacity not held by running dedicated partitions. */
    static Row procPool(Capacity c, List<Allocation> active) {
        ProcUnits pool = c.configurableProcUnits();
        for (Allocation a : active) {
            if (a.dedicated()) {
                pool = pool.minus(a.procUnits());
            }
        }
        return new Row().put("configurable_pool_proc_units", pool)
                .put("curr_avail_pool_proc_units", c.availProcUnits())
                .put("pend_avail_pool_proc_units", c.availProcUnits());
    }

    static final Set<String> PROC_POOL = Set.of("configurable_pool_proc_units", "curr_avail_pool_proc_units",
            "pend_avail_pool_proc_units");

    static Row memSys(Capacity c, long lmb) {
        return new Row().put("configurable_sys_mem", c.configurableMemMb()).put("curr_avail_sys_mem", c.availMemMb())
                .put("pend_avail_sys_mem", c.availMemMb()).put("installed_sys_mem", c.installedMemMb())
                .put("deconfig_sys_mem", 0).put("sys_firmware_mem", c.firmwareMemMb()).put("mem_region_size", lmb)
                .put("configured_num_sys_huge_pages", 0).put("pend_configured_num_sys_huge_pages", 0)
                .put("max_num_sys_huge_pages", 0).put("requested_num_sys_huge_pages", 0)
                .put("default_hpt_ratios", HptRatio.DEFAULT).put("possible_hpt_ratios", HptRatio.POSSIBLE);
    }

    static final Set<String> MEM_SYS = Set.copyOf(memSys(new Capacity(ProcUnits.ZERO, ProcUnits.ZERO,
            ProcUnits.ZERO, 0, 0, 0, 0), 0).names());

    /** {@code --maxmem}: what the hypervisor would need for one more partition of that maximum. */
    static Row memRequired(long maxMemMb, HptRatio ratio) {
        return new Row().put("required_partition_mem", HypervisorMemory.pageTableMb(maxMemMb, ratio));
    }

    /**
     * Running: curr_* are the limits it was activated with and the memory it holds now (what memory
     * DLPAR changes), pend_* the same (changes apply at once), run_mem what its operating system has
     * (the same once a DLPAR has settled: a partial one is recorded as far as it got). Not
     * activated: the default profile's, and run_* zero.
     */
    static Row memLpar(SystemDefinition def, Partition p, Allocation running) {
        Profile prof = def.defaultProfile(p);
        var m = prof.memory();
        long min = running != null ? running.minMemMb() : m.minMb();
        long mem = running != null ? running.memMb() : m.desiredMb();
        long max = running != null ? running.maxMemMb() : m.maxMb();
        Row r = new Row().put("lpar_name", p.name()).put("lpar_id", p.id());
        for (String prefix : new String[] {"curr_", "pend_"}) {
            r.put(prefix + "min_mem", min).put(prefix + "mem", mem).put(prefix + "max_mem", max);
        }
        return r.put("run_min_mem", running != null ? min : 0).put("run_mem", running != null ? mem : 0)
                .put("mem_mode", m.mode().hmcName()).put("curr_hpt_ratio", m.hptRatio());
    }

    static final Set<String> MEM_LPAR = Set.of("lpar_name", "lpar_id", "curr_min_mem", "curr_mem", "curr_max_mem",
            "pend_min_mem", "pend_mem", "pend_max_mem", "run_min_mem", "run_mem", "mem_mode", "curr_hpt_ratio");

    /**
     * {@code lshwres -r procpool}: each of the 64 pools with its partitions: a running partition
     * where it runs now, any other where its default profile puts it.
     */
    static Row procpool(SystemDefinition def, SharedProcessorPool pool, java.util.function.IntFunction<Allocation> running) {
        List<String> names = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (Partition p : def.partitions()) {
            ProcessorSettings c = def.defaultProfile(p).processors();
            Allocation a = running.apply(p.id());
            boolean in = a != null ? !a.dedicated() && a.poolId() == pool.id() : c.shared() && c.poolId() == pool.id();
            if (in) {
                names.add(p.name());
                ids.add(Integer.toString(p.id()));
            }
        }
        Row r = new Row().put("name", pool.name()).put("shared_proc_pool_id", pool.id());
        if (pool.isDefault()) {
            r.put("max_pool_proc_units", "null").put("curr_reserved_pool_proc_units", "null")
                    .put("pend_reserved_pool_proc_units", "null");
        } else {
            r.put("max_pool_proc_units", ProcUnits.ofCores(pool.maxPoolProcUnits()))
                    .put("curr_reserved_pool_proc_units", pool.reservedPoolProcUnits())
                    .put("pend_reserved_pool_proc_units", pool.reservedPoolProcUnits());
        }
        return r.put("lpar_names", io.parvirt.model.AttributeOutput.list(names))
                .put("lpar_ids", io.parvirt.model.AttributeOutput.list(ids));
    }

    static final Set<String> PROCPOOL = Set.of("name", "shared_proc_pool_id", "max_pool_proc_units",
            "curr_reserved_pool_proc_units", "pend_reserved_pool_proc_units", "lpar_names", "lpar_ids");
}
