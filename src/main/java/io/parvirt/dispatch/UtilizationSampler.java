package io.parvirt.dispatch;

import io.parvirt.dispatch.Dispatcher.PartitionUsage;
import io.parvirt.dispatch.Dispatcher.PoolUsage;
import io.parvirt.model.Allocation;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.UtilizationSample;
import io.parvirt.model.UtilizationSample.ResourceType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects utilization data as an HMC does from its managed system: at the sample rate it turns
 * the dispatcher's cumulative counters into {@code lslparutil} samples (each running partition,
 * each shared processor pool in use, the physical shared pool, the system) and has them stored,
 * dropping samples older than the retention.
 */
public final class UtilizationSampler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UtilizationSampler.class);

    /** The managed system's figures a system sample reports, and its definition (pool names and maxima). */
    public record SystemFacts(SystemDefinition definition, ProcUnits configurableProcUnits, long configurableMemMb,
            ProcUnits availProcUnits, long availMemMb, long firmwareMemMb) {
    }

    /** Stores one round of samples and drops the samples older than {@code dropOlderThan}. */
    @FunctionalInterface
    public interface Sink {
        void store(List<UtilizationSample> samples, Instant dropOlderThan);
    }

    private final Dispatcher dispatcher;
    private final Supplier<SystemFacts> system;
    private final Supplier<List<Allocation>> running;
    private final Sink sink;
    private final IntSupplier sampleSeconds;
    private final Duration retention;
    private volatile boolean stopped;
    private Thread loop;

    /**
     * @param running       what the running partitions hold now
     * @param sampleSeconds the sample rate, read before each wait (chlparutil changes it)
     */
    public UtilizationSampler(Dispatcher dispatcher, Supplier<SystemFacts> system, Supplier<List<Allocation>> running,
            Sink sink, IntSupplier sampleSeconds, Duration retention) {
        this.dispatcher = dispatcher;
        this.system = system;
        this.running = running;
        this.sink = sink;
        this.sampleSeconds = sampleSeconds;
        this.retention = retention;
    }

    public void start() {
        loop = Thread.ofPlatform().daemon().name("utilization").start(() -> {
            while (!stopped) {
                try {
                    Thread.sleep(sampleSeconds.getAsInt() * 1000L);
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    record(Instant.now());
                } catch (RuntimeException e) {
                    LOG.warn("utilization sample not stored: {}", e.getMessage());
                }
            }
        });
    }

    /** Takes one round of samples at {@code now} and stores it, dropping what is older than the retention. */
    public void record(Instant now) {
        sink.store(sample(now), now.minus(retention));
    }

    /**
     * A {@code config_change} event of partition {@code lparId} (a DLPAR): its sample at {@code now},
     * with what it holds after the change, stored at once beside the periodic ones. Nothing when the
     * dispatcher has not measured it yet.
     */
    public void configChanged(int lparId, Instant now) {
        List<UtilizationSample> event = sample(now).stream()
                .filter(s -> s.resourceType() == ResourceType.LPAR && s.resourceId() == lparId)
                .map(s -> new UtilizationSample(s.time(), s.resourceType(), s.resourceId(), CONFIG_CHANGE,
                        s.attributes()))
                .toList();
        if (!event.isEmpty()) {
            sink.store(event, now.minus(retention));
        }
    }

    /** The event type of a DLPAR. */
    static final String CONFIG_CHANGE = "config_change";

    /** One round of samples at {@code now}. */
    public List<UtilizationSample> sample(Instant now) {
        SystemFacts sys = system.get();
        List<Allocation> active = new ArrayList<>();
        for (Allocation a : running.get()) {
            if (a != null) {
                active.add(a);
            }
        }
        Map<Integer, PoolUsage> pools = dispatcher.poolUsage();
        List<UtilizationSample> out = new ArrayList<>();
        out.add(system(now, sys));
        PoolUsage physical = pools.get(PoolCycles.PHYSICAL);
        if (physical != null) {
            out.add(physicalPool(now, sys, active, physical));
        }
        for (SharedProcessorPool pool : sys.definition().pools()) {
            PoolUsage u = pools.get(pool.id());
            if (u != null) {
                out.add(pool(now, pool, u));
            }
        }
        Map<Integer, PartitionUsage> usage = dispatcher.usage();
        for (Allocation a : active) {
            PartitionUsage u = usage.get(a.lparId());
            if (u != null) {
                out.add(partition(now, sys.definition(), a, u));
            }
        }
        return out;
    }

    private static UtilizationSample system(Instant now, SystemFacts sys) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("state", "Operating");
        s.put("configurable_sys_proc_units", sys.configurableProcUnits().toString());
        s.put("configurable_sys_mem", Long.toString(sys.configurableMemMb()));
        s.put("curr_avail_sys_proc_units", sys.availProcUnits().toString());
        s.put("curr_avail_sys_mem", Long.toString(sys.availMemMb()));
        s.put("sys_firmware_mem", Long.toString(sys.firmwareMemMb()));
        s.put("proc_cycles_per_second", Long.toString(UtilizationSample.CYCLES_PER_SECOND));
        return new UtilizationSample(now, ResourceType.SYS, 0, UtilizationSample.SAMPLE, s);
    }

    /** The physical shared pool: the configurable units not held by dedicated partitions, plus what they lend. */
    private static UtilizationSample physicalPool(Instant now, SystemFacts sys, List<Allocation> active, PoolUsage u) {
        ProcUnits dedicated = ProcUnits.ZERO;
        for (Allocation a : active) {
            if (a.dedicated()) {
                dedicated = dedicated.plus(a.procUnits());
            }
        }
        ProcUnits configurable = sys.configurableProcUnits().minus(dedicated);
        double borrowed = Math.max(0, u.sizeCores() - QuotaPolicy.cores(configurable));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("time_cycles", Long.toString(u.timeNs()));
        p.put("total_pool_cycles", Long.toString(u.totalNs()));
        p.put("utilized_pool_cycles", Long.toString(u.utilizedNs()));
        p.put("configurable_pool_proc_units", configurable.toString());
        p.put("borrowed_pool_proc_units", new ProcUnits((int) Math.round(borrowed * 100)).toString());
        p.put("curr_avail_pool_proc_units", sys.availProcUnits().toString());
        return new UtilizationSample(now, ResourceType.POOL, 0, UtilizationSample.SAMPLE, p);
    }

    private static UtilizationSample pool(Instant now, SharedProcessorPool pool, PoolUsage u) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("time_cycles", Long.toString(u.timeNs()));
        p.put("shared_proc_pool_id", Integer.toString(pool.id()));
        p.put("shared_proc_pool_name", pool.name());
        p.put("total_pool_cycles", Long.toString(u.totalNs()));
        p.put("utilized_pool_cycles", Long.toString(u.utilizedNs()));
        p.put("max_pool_proc_units", pool.isDefault() ? "null" : ProcUnits.ofCores(pool.maxPoolProcUnits()).toString());
        return new UtilizationSample(now, ResourceType.PROCPOOL, pool.id(), UtilizationSample.SAMPLE, p);
    }

    private static UtilizationSample partition(Instant now, SystemDefinition def, Allocation a, PartitionUsage u) {
        // A lender's idle cycles went to the shared pool: shared while active, donated.
        long lent = a.lendsIdleCores() ? u.idleNs() : 0;
        Map<String, String> p = new LinkedHashMap<>();
        p.put("time_cycles", Long.toString(u.timeNs()));
        p.put("lpar_name", u.name());
        p.put("lpar_id", Integer.toString(a.lparId()));
        p.put("curr_proc_mode", a.dedicated() ? "ded" : "shared");
        p.put("curr_proc_units", a.procUnits().toString());
        p.put("curr_procs", Integer.toString(a.vcpus()));
        p.put("curr_sharing_mode", a.sharingMode().hmcName());
        p.put("curr_uncap_weight", Integer.toString(a.dedicated() ? 0 : a.uncapWeight()));
        p.put("curr_shared_proc_pool_name", a.dedicated() ? "" : def.pool(a.poolId()).map(SharedProcessorPool::name)
                .orElse(""));
        p.put("curr_shared_proc_pool_id", a.dedicated() ? "" : Integer.toString(a.poolId()));
        p.put("mem_mode", "ded");
        p.put("curr_mem", Long.toString(a.memMb()));
        p.put("entitled_cycles", Long.toString(u.entitledNs()));
        p.put("capped_cycles", Long.toString(u.cappedNs()));
        p.put("uncapped_cycles", Long.toString(u.uncappedNs()));
        p.put("shared_cycles_while_active", Long.toString(lent));
        p.put("idle_cycles", Long.toString(u.idleNs()));
        p.put("donated_cycles", Long.toString(lent));
        return new UtilizationSample(now, ResourceType.LPAR, a.lparId(), UtilizationSample.SAMPLE, p);
    }

    @Override
    public void close() {
        stopped = true;
        if (loop != null) {
            loop.interrupt();
        }
    }
}
