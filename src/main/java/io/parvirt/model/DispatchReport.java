package io.parvirt.model;

import java.util.List;

/**
 * parvirt's own view of dispatching (not an HMC listing): whether it is enforced, what the
 * controller costs, and per partition what it used, was granted and is held to over the last
 * interval, with its QEMU pid and vCPU threads; {@code watchedIntervals}: of the intervals, those
 * run early because the watch between intervals saw a partition start or stop working. Built by the dispatcher; served by the API and
 * {@code /metrics}.
 */
public record DispatchReport(boolean enforced, String mechanism, String problem, long intervals,
        long watchedIntervals, double controllerCpuSeconds, List<Partition> partitions, List<Pool> pools) {

    /** One running partition over the last interval (cores) and since it started (seconds of core time). */
    public record Partition(int lparId, String name, long pid, List<Long> vcpuThreads, int poolId, boolean dedicated,
            double usedCores, double grantedCores, double quotaCores, boolean wantsMore, String cpus,
            double entitledSeconds, double cappedSeconds, double uncappedSeconds, double idleSeconds) {
    }

    /** A shared processor pool (id -1: the physical shared pool) over the last interval. */
    public record Pool(int poolId, double sizeCores, double usedCores, double utilizedSeconds) {
    }
}
