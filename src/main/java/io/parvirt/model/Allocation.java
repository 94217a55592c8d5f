package io.parvirt.model;

/**
 * What an active partition holds of the system and how it is dispatched: memory, processing units
 * (its entitled capacity; whole cores for a dedicated partition), the virtual processors it runs
 * with, and the processor policy in force ({@code curr_*} on the HMC), which processor DLPAR changes
 * without touching the profile. {@code limits} are the activated profile's processor settings: the
 * minimum and maximum a DLPAR change must stay within; {@code minMemMb}/{@code maxMemMb} are its
 * memory's ({@code curr_min_mem}/{@code curr_max_mem}).
 */
public record Allocation(int lparId, long memMb, ProcUnits procUnits, int vcpus, boolean dedicated,
        SharingMode sharingMode, int uncapWeight, int poolId, ProcessorSettings limits, long minMemMb,
        long maxMemMb) {

    public Allocation {
        if (minMemMb == 0 && maxMemMb == 0) {
            // A run record written before memory DLPAR: the memory it runs with is all it may have.
            minMemMb = memMb;
            maxMemMb = memMb;
        }
        if (minMemMb > memMb || maxMemMb < memMb) {
            throw new IllegalArgumentException("memory " + memMb + " MB outside " + minMemMb + ".." + maxMemMb);
        }
    }

    /** Memory fixed at what it is (no memory DLPAR room): tests and run records older than memory DLPAR. */
    public Allocation(int lparId, long memMb, ProcUnits procUnits, int vcpus, boolean dedicated,
            SharingMode sharingMode, int uncapWeight, int poolId, ProcessorSettings limits) {
        this(lparId, memMb, procUnits, vcpus, dedicated, sharingMode, uncapWeight, poolId, limits, memMb, memMb);
    }

    /**
     * What activating {@code p} would take, given what is free in the system and in the profile's
     * shared processor pool: desired if it fits, else as much as is free down to the minimum, as
     * PowerVM does; empty when even the minimums do not fit.
     */
    public static java.util.Optional<Allocation> plan(int lparId, Profile p, long freeMemMb, ProcUnits freeUnits, ProcUnits freePoolUnits,
            long lmbMb) {
        MemorySettings m = p.memory();
        long mem = Math.min(m.desiredMb(), freeMemMb / lmbMb * lmbMb);
        if (mem < m.minMb()) {
            return java.util.Optional.empty();
        }
        ProcessorSettings c = p.processors();
        if (c.shared()) {
            ProcUnits free = freeUnits.compareTo(freePoolUnits) <= 0 ? freeUnits : freePoolUnits;
            ProcUnits units = free.compareTo(c.desiredUnits()) >= 0 ? c.desiredUnits() : free;
            if (units.compareTo(c.minUnits()) < 0) {
                return java.util.Optional.empty();
            }
            // Virtual processors stay as desired unless the units cannot back them (0.05 each).
            int vcpus = Math.min(c.desiredProcs(), units.hundredths() / ProcUnits.MIN_PER_VP.hundredths());
            return java.util.Optional.of(new Allocation(lparId, mem, units, Math.max(c.minProcs(), vcpus), false,
                    c.sharingMode(), c.uncapWeight(), c.poolId(), c, m.minMb(), Math.max(mem, m.maxMb())));
        }
        int cores = Math.min(c.desiredProcs(), freeUnits.hundredths() / 100);
        if (cores < c.minProcs()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Allocation(lparId, mem, ProcUnits.ofCores(cores), cores, true,
                c.sharingMode(), 0, SharedProcessorPool.DEFAULT_POOL_ID, c, m.minMb(), Math.max(mem, m.maxMb())));
    }

    public boolean capped() {
        return !dedicated && (sharingMode == SharingMode.CAP || uncapWeight == 0);
    }

    /** A dedicated partition whose idle cores the shared pool may use while it runs. */
    public boolean lendsIdleCores() {
        return dedicated && sharingMode != SharingMode.KEEP_IDLE_PROCS;
    }

    public Allocation withUnits(ProcUnits units) {
        return new Allocation(lparId, memMb, units, vcpus, dedicated, sharingMode, uncapWeight, poolId, limits,
                minMemMb, maxMemMb);
    }

    public Allocation withWeight(int weight) {
        return new Allocation(lparId, memMb, procUnits, vcpus, dedicated, sharingMode, weight, poolId, limits,
                minMemMb, maxMemMb);
    }

    public Allocation withSharingMode(SharingMode mode) {
        return new Allocation(lparId, memMb, procUnits, vcpus, dedicated, mode, uncapWeight, poolId, limits,
                minMemMb, maxMemMb);
    }

    public Allocation withPool(int pool) {
        return new Allocation(lparId, memMb, procUnits, vcpus, dedicated, sharingMode, uncapWeight, pool, limits,
                minMemMb, maxMemMb);
    }

    /** Processor DLPAR of virtual processors (shared) or cores (dedicated: the units follow the cores). */
    public Allocation withVcpus(int n) {
        return new Allocation(lparId, memMb, dedicated ? ProcUnits.ofCores(n) : procUnits, n, dedicated, sharingMode,
                uncapWeight, poolId, limits,
                minMemMb, maxMemMb);
    }

    /** Memory DLPAR. */
    public Allocation withMemMb(long mb) {
        return new Allocation(lparId, mb, procUnits, vcpus, dedicated, sharingMode, uncapWeight, poolId, limits,
                minMemMb, maxMemMb);
    }
}
