package io.parvirt.dispatch;

import io.parvirt.model.Allocation;

/**
 * One partition's cumulative lslparutil cycles, in nanoseconds of core time: the time it has been
 * measured, its entitlement over that time, what it used within its entitlement (capped) and beyond
 * it (uncapped), and a dedicated partition's idle time. The entitlement is counted in exact
 * hundredths: ten intervals of 0.1 s at 0.35 units are 0.35 s, not a sum of rounded doubles.
 */
final class PartitionCycles {
    private long timeNs;
    private long entitledNs;
    private long cappedNs;
    private long uncappedNs;
    private long idleNs;
    private long usedNs;

    /** Adds one interval of {@code intervalNs} in which the vCPU threads ran {@code ranNs}. */
    void add(Allocation a, long intervalNs, long ranNs) {
        timeNs += intervalNs;
        usedNs += ranNs;
        if (a.dedicated()) {
            // Its cores are its own whether it runs or not: all entitled, what it did not run idle.
            long all = intervalNs * a.vcpus();
            entitledNs += all;
            cappedNs += all;
            idleNs += Math.max(0, all - ranNs);
            return;
        }
        long entitled = (intervalNs * a.procUnits().hundredths() + 50) / 100;
        entitledNs += entitled;
        cappedNs += Math.min(ranNs, entitled);
        uncappedNs += Math.max(0, ranNs - entitled);
    }

    long timeNs() {
        return timeNs;
    }

    long entitledNs() {
        return entitledNs;
    }

    long cappedNs() {
        return cappedNs;
    }

    long uncappedNs() {
        return uncappedNs;
    }

    long idleNs() {
        return idleNs;
    }

    long usedNs() {
        return usedNs;
    }
}
