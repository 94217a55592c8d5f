package io.parvirt.system;

import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.Partition;
import io.parvirt.model.Profile;
import io.parvirt.model.SystemDefinition;
import java.util.ArrayList;
import java.util.List;

/**
 * The hypervisor's memory, itemised: the firmware base, each defined partition's page table, and
 * the LMB-rounded total shown as {@code sys_firmware_mem}. parvirt's own figures, not HMC output.
 */
public record MemoryReport(long lmbMb, long baseMb, long totalMb, List<PartitionShare> partitions) {

    /** One partition's page table, sized from the maximum memory of the profile it starts with. */
    public record PartitionShare(int lparId, String name, long maxMemMb, String hptRatio, long pageTableMb) {
    }

    public static MemoryReport of(SystemDefinition def) {
        List<PartitionShare> shares = new ArrayList<>();
        for (Partition p : def.partitions()) {
            Profile prof = def.defaultProfile(p);
            shares.add(new PartitionShare(p.id(), p.name(), prof.memory().maxMb(), prof.memory().hptRatio().toString(),
                    HypervisorMemory.pageTableMb(prof.memory().maxMb(), prof.memory().hptRatio())));
        }
        return new MemoryReport(def.lmbMb(), def.settings().firmwareBaseMb(), Capacity.firmwareMb(def), shares);
    }
}
