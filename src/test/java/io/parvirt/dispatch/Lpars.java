package io.parvirt.dispatch;

import io.parvirt.model.Allocation;
import io.parvirt.model.ProcMode;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.ProcessorSettings;
import io.parvirt.model.SharingMode;

/** Allocations for the dispatching unit tests. */
final class Lpars {
    private Lpars() {
    }

    static Allocation shared(int id, String units, int vps, SharingMode mode, int weight) {
        return DispatcherTest.shared(id, units, vps, mode, weight);
    }

    static Allocation uncapped(int id, String units, int vps) {
        return shared(id, units, vps, SharingMode.UNCAP, 128);
    }

    static Allocation capped(int id, String units, int vps) {
        return shared(id, units, vps, SharingMode.CAP, 0);
    }

    static Allocation dedicated(int id, int cores, SharingMode mode) {
        ProcUnits u = ProcUnits.ofCores(cores);
        ProcessorSettings limits = new ProcessorSettings(ProcMode.DED, 1, cores, cores, u, u, u, mode, 0, 0);
        return new Allocation(id, 256, u, cores, true, mode, 0, 0, limits);
    }
}
