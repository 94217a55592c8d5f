package io.parvirt.model;

import java.util.List;

/**
 * Settings of the managed system that its administrator chooses: name, memory region size, what
 * the host keeps for itself, the constants of the hypervisor-memory model, and its virtual
 * switches ({@code ETHERNET0} always exists; settings stored before switches could be made have
 * just that one).
 */
public record SystemSettings(String name, long lmbMb, ProcUnits hostReservedProcUnits, long hostReservedMemMb,
        long firmwareBaseMb, HptRatio defaultHptRatio, String description, List<String> vswitches) {

    public SystemSettings(String name, long lmbMb, ProcUnits hostReservedProcUnits, long hostReservedMemMb,
            long firmwareBaseMb, HptRatio defaultHptRatio, String description) {
        this(name, lmbMb, hostReservedProcUnits, hostReservedMemMb, firmwareBaseMb, defaultHptRatio, description,
                null);
    }

    public SystemSettings {
        vswitches = vswitches == null || vswitches.isEmpty() ? List.of(VirtualEthernetAdapter.DEFAULT_VSWITCH)
                : List.copyOf(vswitches);
        Names.poolName("name", name);
        if (lmbMb != 16 && lmbMb != 32 && lmbMb != 64 && lmbMb != 128 && lmbMb != 256 && lmbMb != 512
                && lmbMb != 1024 && lmbMb != 2048 && lmbMb != 4096) {
            throw new IllegalArgumentException("mem_region_size " + lmbMb);
        }
    }

    public SystemSettings withName(String n) {
        return new SystemSettings(n, lmbMb, hostReservedProcUnits, hostReservedMemMb, firmwareBaseMb,
                defaultHptRatio, description, vswitches);
    }

    public SystemSettings withDescription(String d) {
        return new SystemSettings(name, lmbMb, hostReservedProcUnits, hostReservedMemMb, firmwareBaseMb,
                defaultHptRatio, d, vswitches);
    }

    public SystemSettings withVswitches(List<String> switches) {
        return new SystemSettings(name, lmbMb, hostReservedProcUnits, hostReservedMemMb, firmwareBaseMb,
                defaultHptRatio, description, switches);
    }
}
