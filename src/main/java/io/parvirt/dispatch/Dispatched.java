package io.parvirt.dispatch;

import io.parvirt.dispatch.Dispatcher.Running;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The dispatcher's state of one running partition, kept from interval to interval: its meter,
 * demand estimate, quota policy and cycle counters, and what it was last given.
 */
final class Dispatched {
    final VcpuMeter meter;
    final DemandEstimate demand = new DemandEstimate();
    final QuotaPolicy policy = new QuotaPolicy();
    final PartitionCycles cycles = new PartitionCycles();
    final ThrottleWatch throttle = new ThrottleWatch();
    /** The partition as of the last interval. */
    Running running;
    /** Cores granted over the next interval (a dedicated partition: its cores). */
    double granted;
    /** A dedicated partition's cores; stable while it runs. */
    List<Integer> cores = List.of();
    /** The CPU list its vCPU threads may run on, as written and as numbers. */
    String cpus = "";
    List<Integer> cpuList = List.of();
    /** Whether its vCPU threads are all asleep now: made once, asked by the demand estimate when it must know. */
    final BooleanSupplier asleep = this::asleep;

    Dispatched(VcpuMeter meter) {
        this.meter = meter;
    }

    private boolean asleep() {
        return running != null && meter.asleep(running.pid(), running.vcpuThreads());
    }

    /** Sets the CPUs its vCPU threads may run on (parsed only when they change). */
    void runOn(String list) {
        if (!list.equals(cpus)) {
            cpus = list;
            cpuList = CpuList.parse(list);
        }
    }

    /** Reads the vCPU threads and counts the interval's cycles. */
    void measure(Running r) {
        running = r;
        if (meter.measure(r.pid(), r.vcpuThreads())) {
            cycles.add(r.allocation(), meter.intervalNs(), meter.ranNs());
        }
    }
}
