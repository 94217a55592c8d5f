package io.parvirt.hmc;

import io.parvirt.dispatch.Dispatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * parvirt's own view of dispatching (not an HMC listing): whether it is enforced, what the
 * controller costs, and per partition what it used, was granted and is held to over the last
 * interval, with its QEMU pid and vCPU threads. Served by the API and {@code /metrics}.
 */
public record DispatchReport(boolean enforced, String mechanism, String problem, long intervals,
        double controllerCpuSeconds, List<Partition> partitions, List<Pool> pools) {

    /** One running partition over the last interval (cores) and since it started (seconds of core time). */
    public record Partition(int lparId, String name, long pid, List<Long> vcpuThreads, int poolId, boolean dedicated,
            double usedCores, double grantedCores, double quotaCores, boolean wantsMore, String cpus,
            double entitledSeconds, double cappedSeconds, double uncappedSeconds, double idleSeconds) {
    }

    /** A shared processor pool (id -1: the physical shared pool) over the last interval. */
    public record Pool(int poolId, double sizeCores, double usedCores, double utilizedSeconds) {
    }

    static DispatchReport of(Dispatcher d) {
        if (d == null) {
            return new DispatchReport(false, "none", "this HMC has no dispatcher", 0, 0, List.of(), List.of());
        }
        Dispatcher.Enforcement e = d.enforcement();
        List<Partition> parts = new ArrayList<>();
        for (Dispatcher.PartitionUsage u : d.usage().values()) {
            parts.add(new Partition(u.lparId(), u.name(), u.pid(), u.vcpuThreads(), u.poolId(), u.dedicated(),
                    u.usedCores(), u.grantedCores(), u.quotaCores(), u.wantsMore(), u.cpus(), u.entitledNs() / 1e9,
                    u.cappedNs() / 1e9, u.uncappedNs() / 1e9, u.idleNs() / 1e9));
        }
        List<Pool> pools = new ArrayList<>();
        for (Dispatcher.PoolUsage p : d.poolUsage().values()) {
            pools.add(new Pool(p.poolId(), p.sizeCores(), p.usedCores(), p.utilizedNs() / 1e9));
        }
        return new DispatchReport(e.enforced(), e.mechanism(), e.problem(), d.ticks(), d.selfCpuNs() / 1e9, parts,
                pools);
    }
}
