package io.parvirt.system;

import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.Allocation;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.Profile;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.SystemSettings;
import java.util.List;

/**
 * The managed system's processor and memory capacity as the HMC shows it. Installed is the host;
 * configurable is what the host leaves to partitions; available is what activations have not taken.
 */
public record Capacity(ProcUnits installedProcUnits, ProcUnits configurableProcUnits, ProcUnits availProcUnits,
        long installedMemMb, long configurableMemMb, long firmwareMemMb, long availMemMb) {

    public static Capacity of(HostFacts host, SystemDefinition def) {
        return of(host, def, List.of(), 0);
    }

    /**
     * With active partitions: each holds its memory and processing units, and its QEMU's own memory
     * ({@code overheadMb} each, beyond guest memory) is the hypervisor's and counts in sys_firmware_mem.
     */
    public static Capacity of(HostFacts host, SystemDefinition def, List<Allocation> active, long overheadMb) {
        SystemSettings s = def.settings();
        ProcUnits installed = ProcUnits.ofCores(host.cores());
        ProcUnits configurable = configurableProcUnits(host, s);
        long lmb = s.lmbMb();
        long installedMem = host.memoryMb() / lmb * lmb;
        long configurableMem = Math.max(0, installedMem - HypervisorMemory.roundUp(s.hostReservedMemMb(), lmb));
        long firmware = HypervisorMemory.roundUp(firmwareMb(def) + overheadMb * active.size(), lmb);
        // A user pool's reserved units are guaranteed to that pool, so they are not available elsewhere.
        ProcUnits usedUnits = ProcUnits.ZERO;
        for (SharedProcessorPool p : def.pools()) {
            usedUnits = usedUnits.plus(p.reservedPoolProcUnits());
        }
        long usedMem = 0;
        for (Allocation a : active) {
            usedUnits = usedUnits.plus(a.procUnits());
            usedMem += a.memMb();
        }
        return new Capacity(installed, configurable, configurable.minus(usedUnits), installedMem, configurableMem,
                firmware, Math.max(0, configurableMem - firmware - usedMem));
    }

    /**
     * The entitlement a partition could still take in pool {@code poolId}: for a user pool its
     * maximum less its reserved units and its active partitions' entitlements; the default pool
     * is bounded by the system only.
     */
    public static ProcUnits poolRoom(SystemDefinition def, List<Allocation> active, int poolId) {
        SharedProcessorPool pool = def.pool(poolId).orElseThrow();
        if (pool.isDefault()) {
            return ProcUnits.ofCores(100_000);
        }
        ProcUnits held = pool.reservedPoolProcUnits();
        for (Allocation a : active) {
            if (!a.dedicated() && a.poolId() == poolId) {
                held = held.plus(a.procUnits());
            }
        }
        return ProcUnits.ofCores(pool.maxPoolProcUnits()).minus(held);
    }

    /** Host cores less what the host keeps: without the memory model, for callers that need only this. */
    public static ProcUnits configurableProcUnits(HostFacts host, SystemSettings s) {
        return ProcUnits.ofCores(host.cores()).minus(s.hostReservedProcUnits());
    }

    public static long firmwareMb(SystemDefinition def) {
        HypervisorMemory.Reserve r = new HypervisorMemory.Reserve(def.settings().firmwareBaseMb(), def.lmbMb());
        for (Partition p : def.partitions()) {
            Profile prof = def.defaultProfile(p);
            r.add(prof.memory().maxMb(), prof.memory().hptRatio());
        }
        return r.totalMb();
    }
}
