package io.parvirt.model;

import io.parvirt.model.AttributeInput.Assignment;
import java.util.ArrayList;
import java.util.List;

/** Every profile attribute that {@code mksyscfg}/{@code chsyscfg} accept, with its parser. */
public final class ProfileAttributes {
    private ProfileAttributes() {
    }

    private static final long MAX_MEM_MB = 64L * 1024 * 1024;

    public static final AttributeTable<ProfileDraft> TABLE = new AttributeTable<ProfileDraft>("a partition profile")
            .scalar("all_resources", (d, v) -> {
                if (Values.parseFlag("all_resources", v)) {
                    throw new ModelException(ModelException.Kind.NOT_SUPPORTED, "all_resources", "The value 1 for "
                            + "attribute all_resources is not supported by this managed system: a parvirt partition "
                            + "is given its resources explicitly.");
                }
            })
            .scalar("min_mem", (d, v) -> d.minMem = Values.parseLong("min_mem", v, 0, MAX_MEM_MB))
            .scalar("desired_mem", (d, v) -> d.desiredMem = Values.parseLong("desired_mem", v, 0, MAX_MEM_MB))
            .scalar("max_mem", (d, v) -> d.maxMem = Values.parseLong("max_mem", v, 0, MAX_MEM_MB))
            .fixed("min_num_huge_pages", "0", "huge page memory is not offered (huge_page_mem_capable=0)")
            .fixed("desired_num_huge_pages", "0", "huge page memory is not offered (huge_page_mem_capable=0)")
            .fixed("max_num_huge_pages", "0", "huge page memory is not offered (huge_page_mem_capable=0)")
            .scalar("mem_mode", (d, v) -> {
                d.memMode = Values.parseEnum("mem_mode", v, MemMode.class);
                if (d.memMode == MemMode.SHARED) {
                    throw new ModelException(ModelException.Kind.NOT_SUPPORTED, "mem_mode", "The value \"shared\" "
                            + "for attribute mem_mode is not supported by this managed system: Active Memory Sharing "
                            + "is not offered (active_mem_sharing_capable=0); use mem_mode=ded.");
                }
            })
            .scalar("hpt_ratio", (d, v) -> d.hptRatio = HptRatio.parse("hpt_ratio", v))
            .scalar("proc_mode", (d, v) -> d.procMode = Values.parseEnum("proc_mode", v, ProcMode.class))
            .scalar("min_procs", (d, v) -> d.minProcs = procs("min_procs", v))
            .scalar("desired_procs", (d, v) -> d.desiredProcs = procs("desired_procs", v))
            .scalar("max_procs", (d, v) -> d.maxProcs = procs("max_procs", v))
            .scalar("min_proc_units", (d, v) -> d.minUnits = ProcUnits.parse("min_proc_units", v))
            .scalar("desired_proc_units", (d, v) -> d.desiredUnits = ProcUnits.parse("desired_proc_units", v))
            .scalar("max_proc_units", (d, v) -> d.maxUnits = ProcUnits.parse("max_proc_units", v))
            .scalar("sharing_mode", (d, v) -> d.sharingMode = Values.parseEnum("sharing_mode", v, SharingMode.class))
            .scalar("uncap_weight", (d, v) -> d.uncapWeight = Values.parseInt("uncap_weight", v, 0,
                    Limits.MAX_UNCAP_WEIGHT))
            .scalar("shared_proc_pool_id", (d, v) -> {
                d.poolId = Values.parseInt("shared_proc_pool_id", v, 0, Limits.MAX_SHARED_PROC_POOLS - 1);
                d.poolIdGiven = true;
                if (!d.poolNameGiven) {
                    d.poolName = null;
                }
            })
            .scalar("shared_proc_pool_name", (d, v) -> {
                d.poolName = Names.poolName("shared_proc_pool_name", v);
                d.poolNameGiven = true;
                if (!d.poolIdGiven) {
                    d.poolId = null;
                }
            })
            .fixed("affinity_group_id", "none", "affinity groups are not offered")
            .fixed("io_slots", "none", "parvirt partitions have no physical I/O slots; use virtual adapters")
            .fixed("lpar_io_pool_ids", "none", "I/O pools are not offered")
            .scalar("max_virtual_slots", (d, v) -> d.maxVirtualSlots = Values.parseInt("max_virtual_slots", v,
                    Limits.MIN_VIRTUAL_SLOTS, Limits.MAX_VIRTUAL_SLOTS))
            .list(VirtualSerialAdapter.ATTR, VirtualSerialAdapter::parse, VirtualSerialAdapter::slot,
                    d -> d.serial, (d, l) -> d.serial = l)
            .list(VirtualScsiAdapter.ATTR, VirtualScsiAdapter::parse, VirtualScsiAdapter::slot,
                    d -> d.scsi, (d, l) -> d.scsi = l)
            .list(VirtualEthernetAdapter.ATTR, VirtualEthernetAdapter::parse, VirtualEthernetAdapter::slot,
                    d -> d.eth, (d, l) -> d.eth = l)
            .fixed("virtual_eth_vsi_profiles", "none", "VSI profiles are not offered")
            .fixed("vtpm_adapters", "none", "virtual TPM adapters are not offered yet")
            // listed in every profile (the V10 order), so a listed line can be given back
            .fixed("vnic_adapters", "none", "vNIC adapters are not offered; use virtual_eth_adapters")
            .list(VirtualFcAdapter.ATTR, VirtualFcAdapter::parse, VirtualFcAdapter::slot,
                    d -> d.fc, (d, l) -> d.fc = l)
            .fixed("hca_adapters", "none", "Host Channel Adapters do not exist on this managed system")
            .scalar("boot_mode", (d, v) -> d.bootMode = Values.parseEnum("boot_mode", v, BootMode.class))
            .scalar("conn_monitoring", (d, v) -> d.connMonitoring = Values.parseFlag("conn_monitoring", v))
            .scalar("auto_start", (d, v) -> d.autoStart = Values.parseFlag("auto_start", v))
            .scalar("power_ctrl_lpar_ids", (d, v) -> d.powerCtrlLparIds = ids("power_ctrl_lpar_ids", v))
            .scalar("work_group_id", (d, v) -> d.workGroupId = workGroup(v))
            .scalar("redundant_err_path_reporting", (d, v) -> d.redundantErrPathReporting =
                    Values.parseFlag("redundant_err_path_reporting", v))
            .fixed("bsr_arrays", "0", "barrier synchronization registers do not exist on this managed system")
            .scalar("lpar_proc_compat_mode", (d, v) -> d.procCompatMode = compatMode(v))
            .fixed("electronic_err_reporting", "null", "electronic error reporting is not offered")
            .scalar("parvirt_image", (d, v) -> d.image = v.equals("default") ? null : imageName(v))
            .scalar("parvirt_accel", (d, v) -> d.accel = switch (v) {
                case "auto", "kvm", "tcg" -> v;
                case "system" -> null;
                default -> throw new ModelException(ModelException.Kind.INVALID_VALUE, "parvirt_accel", "The value "
                        + Values.quote(v) + " for attribute parvirt_accel is not valid: it must be auto, kvm, tcg "
                        + "or system.");
            });

    /** Image names are directory names under the image store. */
    private static String imageName(String v) {
        if (!v.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}")) {
            throw new ModelException(ModelException.Kind.INVALID_VALUE, "parvirt_image", "The value "
                    + Values.quote(v) + " for attribute parvirt_image is not a valid image name: use letters, "
                    + "digits, '.', '-' or '_' (see ./parvirt image list).");
        }
        return v;
    }

    /** Applies one assignment; {@code name}, {@code lpar_name} and {@code lpar_id} are handled by the caller. */
    public static void apply(ProfileDraft d, Assignment a) {
        TABLE.apply(d, a);
    }

    private static int procs(String attr, String v) {
        return Values.parseInt(attr, v, 1, Limits.MAX_VIRTUAL_PROCS_PER_LPAR);
    }

    private static List<Integer> ids(String attr, String v) {
        List<Integer> out = new ArrayList<>();
        for (String s : AttributeInput.splitList(attr, v)) {
            out.add(Values.parseInt(attr, s, 1, Limits.MAX_LPARS));
        }
        return out;
    }

    private static String workGroup(String v) {
        if (v.equals("none")) {
            return v;
        }
        return Integer.toString(Values.parseInt("work_group_id", v, 1, 65535));
    }

    static final List<String> COMPAT_MODES = List.of("default", "POWER6", "POWER6_Plus", "POWER7", "POWER8",
            "POWER9_base", "POWER9", "POWER10", "POWER11");

    private static String compatMode(String v) {
        if (!COMPAT_MODES.contains(v)) {
            throw new ModelException(ModelException.Kind.INVALID_VALUE, "lpar_proc_compat_mode", "The value "
                    + Values.quote(v) + " for attribute lpar_proc_compat_mode is not valid: it must be one of "
                    + String.join(", ", COMPAT_MODES) + ".");
        }
        return v;
    }
}
