package io.parvirt.model;

/**
 * Settings of the managed system that its administrator chooses: name, memory region size, what
 * the host keeps for itself, and the constants of the hypervisor-memory model.
 */
public record SystemSettings(String name, long lmbMb, ProcUnits hostReservedProcUnits, long hostReservedMemMb,
        long firmwareBaseMb, HptRatio defaultHptRatio, String description) {

    public SystemSettings {
        Names.poolName("name", name);
        if (lmbMb != 16 && lmbMb != 32 && lmbMb != 64 && lmbMb != 128 && lmbMb != 256 && lmbMb != 512
                && lmbMb != 1024 && lmbMb != 2048 && lmbMb != 4096) {
            throw new IllegalArgumentException("mem_region_size " + lmbMb);
        }
    }

    public SystemSettings withName(String n) {
        return new SystemSettings(n, lmbMb, hostReservedProcUnits, hostReservedMemMb, firmwareBaseMb,
                defaultHptRatio, description);
    }

    public SystemSettings withDescription(String d) {
        return new SystemSettings(name, lmbMb, hostReservedProcUnits, hostReservedMemMb, firmwareBaseMb,
                defaultHptRatio, d);
    }
}
