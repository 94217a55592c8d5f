package io.parvirt.system;

import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.Partition;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.Profile;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.SystemSettings;

/**
 * The managed system's processor and memory capacity as the HMC shows it. Installed is the host;
 * configurable is what the host leaves to partitions; available is what activations have not taken.
 */
public record Capacity(ProcUnits installedProcUnits, ProcUnits configurableProcUnits, ProcUnits availProcUnits,
        long installedMemMb, long configurableMemMb, long firmwareMemMb, long availMemMb) {

    public static Capacity of(HostFacts host, SystemDefinition def) {
        SystemSettings s = def.settings();
        ProcUnits installed = ProcUnits.ofCores(host.cores());
        ProcUnits configurable = installed.minus(s.hostReservedProcUnits());
        long lmb = s.lmbMb();
        long installedMem = host.memoryMb() / lmb * lmb;
        long configurableMem = Math.max(0, installedMem - HypervisorMemory.roundUp(s.hostReservedMemMb(), lmb));
        long firmware = firmwareMb(def);
        // Nothing is active before partitions can be activated; activation subtracts here.
        return new Capacity(installed, configurable, configurable, installedMem, configurableMem, firmware,
                Math.max(0, configurableMem - firmware));
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
