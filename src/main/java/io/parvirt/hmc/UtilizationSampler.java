package io.parvirt.hmc;

import io.parvirt.dispatch.Dispatcher;
import io.parvirt.dispatch.Dispatcher.PartitionUsage;
import io.parvirt.dispatch.Dispatcher.PoolUsage;
import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.PartitionStatus;
import io.parvirt.model.Allocation;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.UtilizationSample;
import io.parvirt.model.UtilizationSample.ResourceType;
import io.parvirt.system.Capacity;
import io.parvirt.system.ManagedSystem;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects utilization data as an HMC does from its managed system: at the sample rate it turns
 * the dispatcher's cumulative counters into {@code lslparutil} samples (each running partition,
 * each shared processor pool in use, the physical shared pool, the system) and stores them,
 * dropping samples older than the retention.
 */
public final class UtilizationSampler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UtilizationSampler.class);
    private final ManagedSystem sys;
    private final Hypervisor hypervisor;
    private final Dispatcher dispatcher;
    private final Duration retention;
    private volatile boolean stopped;
    private Thread loop;

    public UtilizationSampler(ManagedSystem sys, Hypervisor hypervisor, Dispatcher dispatcher, Duration retention) {
        this.sys = sys;
        this.hypervisor = hypervisor;
        this.dispatcher = dispatcher;
        this.retention = retention;
    }

    public void start() {
        loop = Thread.ofPlatform().daemon().name("utilization").start(() -> {
            while (!stopped) {
                try {
                    Thread.sleep(sys.utilizationSampleSeconds() * 1000L);
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    Instant now = Instant.now();
                    sys.recordUtilization(sample(now), now.minus(retention));
                } catch (RuntimeException e) {
                    LOG.warn("utilization sample not stored: {}", e.getMessage());
                }
            }
        });
    }

    /** One round of samples at {@code now}. */
    public List<UtilizationSample> sample(Instant now) {
        SystemDefinition def = sys.definition();
        Capacity cap = sys.capacity();
        Map<Integer, PartitionUsage> usage = dispatcher.usage();
        List<UtilizationSample> out = new ArrayList<>();
        Map<String, String> s = new LinkedHashMap<>();
        s.put("state", "Operating");
        s.put("configurable_sys_proc_units", cap.configurableProcUnits().toString());
        s.put("configurable_sys_mem", Long.toString(cap.configurableMemMb()));
        s.put("curr_avail_sys_proc_units", cap.availProcUnits().toString());
        s.put("curr_avail_sys_mem", Long.toString(cap.availMemMb()));
        s.put("sys_firmware_mem", Long.toString(cap.firmwareMemMb()));
        s.put("proc_cycles_per_second", Long.toString(UtilizationSample.CYCLES_PER_SECOND));
        out.add(new UtilizationSample(now, ResourceType.SYS, 0, UtilizationSample.SAMPLE, s));
        Map<Integer, PoolUsage> pools = dispatcher.poolUsage();
        ProcUnits dedicated = ProcUnits.ZERO;
        for (Allocation a : sys.activeAllocations()) {
            if (a.dedicated()) {
                dedicated = dedicated.plus(a.procUnits());
            }
        }
        PoolUsage physical = pools.get(-1);
        if (physical != null) {
            ProcUnits configurable = cap.configurableProcUnits().minus(dedicated);
            double borrowed = Math.max(0, physical.sizeCores() - configurable.hundredths() / 100.0);
            Map<String, String> p = new LinkedHashMap<>();
            p.put("time_cycles", Long.toString(physical.timeNs()));
            p.put("total_pool_cycles", Long.toString(physical.totalNs()));
            p.put("utilized_pool_cycles", Long.toString(physical.utilizedNs()));
            p.put("configurable_pool_proc_units", configurable.toString());
            p.put("borrowed_pool_proc_units", new ProcUnits((int) Math.round(borrowed * 100)).toString());
            p.put("curr_avail_pool_proc_units", cap.availProcUnits().toString());
            out.add(new UtilizationSample(now, ResourceType.POOL, 0, UtilizationSample.SAMPLE, p));
        }
        for (SharedProcessorPool pool : def.pools()) {
            PoolUsage u = pools.get(pool.id());
            if (u == null) {
                continue;
            }
            Map<String, String> p = new LinkedHashMap<>();
            p.put("time_cycles", Long.toString(u.timeNs()));
            p.put("shared_proc_pool_id", Integer.toString(pool.id()));
            p.put("shared_proc_pool_name", pool.name());
            p.put("total_pool_cycles", Long.toString(u.totalNs()));
            p.put("utilized_pool_cycles", Long.toString(u.utilizedNs()));
            p.put("max_pool_proc_units", pool.isDefault() ? "null" : ProcUnits.ofCores(pool.maxPoolProcUnits())
                    .toString());
            out.add(new UtilizationSample(now, ResourceType.PROCPOOL, pool.id(), UtilizationSample.SAMPLE, p));
        }
        for (PartitionStatus st : hypervisor.running()) {
            PartitionUsage u = usage.get(st.lparId());
            Allocation a = st.allocation();
            if (u == null || a == null) {
                continue;
            }
            boolean lends = a.lendsIdleCores();
            Map<String, String> p = new LinkedHashMap<>();
            p.put("time_cycles", Long.toString(u.timeNs()));
            p.put("lpar_name", u.name());
            p.put("lpar_id", Integer.toString(st.lparId()));
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
            p.put("shared_cycles_while_active", Long.toString(lends ? u.idleNs() : 0));
            p.put("idle_cycles", Long.toString(u.idleNs()));
            p.put("donated_cycles", Long.toString(lends ? u.idleNs() : 0));
            out.add(new UtilizationSample(now, ResourceType.LPAR, st.lparId(), UtilizationSample.SAMPLE, p));
        }
        return out;
    }

    @Override
    public void close() {
        stopped = true;
        if (loop != null) {
            loop.interrupt();
        }
    }
}
