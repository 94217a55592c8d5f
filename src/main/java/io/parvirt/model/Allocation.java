package io.parvirt.model;

/**
 * What an active partition holds of the system: memory, processing units (whole cores for a
 * dedicated partition) and the virtual processors it runs with.
 */
public record Allocation(int lparId, long memMb, ProcUnits procUnits, int vcpus, boolean dedicated) {

    /**
     * What activating {@code p} would take, given what is free: desired if it fits, else as much
     * as is free down to the minimum, as PowerVM does; null when even the minimums do not fit.
     */
    public static Allocation plan(int lparId, Profile p, long freeMemMb, ProcUnits freeUnits, long lmbMb) {
        MemorySettings m = p.memory();
        long mem = Math.min(m.desiredMb(), freeMemMb / lmbMb * lmbMb);
        if (mem < m.minMb()) {
            return null;
        }
        ProcessorSettings c = p.processors();
        if (c.shared()) {
            ProcUnits units = freeUnits.compareTo(c.desiredUnits()) >= 0 ? c.desiredUnits() : freeUnits;
            if (units.compareTo(c.minUnits()) < 0) {
                return null;
            }
            // Virtual processors stay as desired unless the units cannot back them (0.05 each).
            int vcpus = Math.min(c.desiredProcs(), units.hundredths() / ProcUnits.MIN_PER_VP.hundredths());
            return new Allocation(lparId, mem, units, Math.max(c.minProcs(), vcpus), false);
        }
        int cores = Math.min(c.desiredProcs(), freeUnits.hundredths() / 100);
        if (cores < c.minProcs()) {
            return null;
        }
        return new Allocation(lparId, mem, ProcUnits.ofCores(cores), cores, true);
    }
}
