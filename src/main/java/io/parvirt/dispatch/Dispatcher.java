package io.parvirt.dispatch;

import io.parvirt.dispatch.Allocator.Claim;
import io.parvirt.dispatch.Allocator.Grant;
import io.parvirt.model.Allocation;
import io.parvirt.model.DispatchReport;
import io.parvirt.model.SharedProcessorPool;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatching interval: every interval it measures each running partition's vCPU threads
 * ({@link VcpuMeter}), places dedicated partitions on their cores ({@link DedicatedCores}),
 * estimates what each shared partition would use if nothing held it back ({@link DemandEstimate}),
 * runs the {@link Allocator}, turns the grants into quotas and weights ({@link QuotaPolicy}) that the
 * {@link CpuControl} applies, and keeps the cumulative counters lslparutil reports
 * ({@link PartitionCycles}, {@link PoolCycles}). The loop that runs it is {@link DispatchLoop}.
 *
 * <p>A dedicated partition's vCPU threads are pinned to whole cores; with a sharing mode other than
 * {@code keep_idle_procs} its idle cycles are lent to the shared pool, and its maximal weight takes
 * them back as soon as it runs.
 */
public final class Dispatcher implements AutoCloseable {
    /**
     * {@code interval}: how often to decide; {@code periodUs}: the CFS bandwidth period;
     * {@code watch}: how often the throttle counts are read between intervals, to decide at once
     * when a partition starts or stops working ({@link ThrottleWatch}; zero: not watched).
     */
    public record Config(Duration interval, int periodUs, Path cgroupRoot, String homeTag, boolean enforce,
            Duration watch, boolean homeCores) {
        /** Not watched between intervals: the tests that drive intervals themselves. */
        public Config(Duration interval, int periodUs, Path cgroupRoot, String homeTag, boolean enforce) {
            this(interval, periodUs, cgroupRoot, homeTag, enforce, Duration.ZERO, true);
        }
    }

    /**
     * One running partition as the dispatcher needs it; {@code paused}: its processors are stopped
     * (parvirt's pause), so it claims nothing and its entitlement is spare for the others.
     */
    public record Running(int lparId, String name, long pid, List<Long> vcpuThreads, Allocation allocation,
            boolean paused) {
        public Running(int lparId, String name, long pid, List<Long> vcpuThreads, Allocation allocation) {
            this(lparId, name, pid, vcpuThreads, allocation, false);
        }
    }

    /** What is dispatched now: the shared capacity (configurable cores), the pools, the partitions. */
    public record Snapshot(double configurableCores, List<SharedProcessorPool> pools, List<Running> partitions) {
    }

    /**
     * One partition's figures: over the last interval (cores used, granted, its quota, whether it
     * wanted more), and cumulative nanoseconds of core time since it started (lslparutil's cycles).
     */
    public record PartitionUsage(int lparId, String name, long pid, List<Long> vcpuThreads, int poolId,
            boolean dedicated, double usedCores,
            double grantedCores, double quotaCores, boolean wantsMore, String cpus, long timeNs, long entitledNs,
            long cappedNs, long uncappedNs, long idleNs, long usedNs) {
    }

    /**
     * A pool's cumulative figures: time, its size over time and what its partitions used. Pool id
     * -1 is the physical shared pool (every shared partition of every pool).
     */
    public record PoolUsage(int poolId, long timeNs, long totalNs, long utilizedNs, double usedCores,
            double sizeCores) {
    }

    /** Whether the decisions reach the host, how, and if not, why. */
    public record Enforcement(boolean enforced, String mechanism, String problem) {
    }

    private final Supplier<Snapshot> source;
    private final Consumer<String> events;
    private final VcpuMeter.Source vcpuTimes;
    private final LongSupplier nanoTime;
    private final List<Integer> hostCpus;
    private final Map<Integer, Dispatched> partitions = new HashMap<>();
    private final PoolCycles poolCycles = new PoolCycles();
    private final Set<Integer> failing = new HashSet<>();
    private final CpuControl control;
    private final Enforcement enforcement;
    private final DispatchLoop loop;
    /** Null when {@code dispatch.home_cores=false}: the kernel places the shared vCPU threads. */
    /** The configured watch step ({@code dispatch.watch_ms}), ns; 0: not watched. */
    private final long watchEveryNs;
    /** Uncapped shared partitions running at the last interval: the ones a watch step reads. */
    private int watchedPartitions;
    /**
     * Up to this many watched partitions, the watch steps twice as often as configured. A partition
     * waking beside one that borrowed its idle entitlement was seen 17–43 ms late at 20 ms steps
     * (bench/dispatch.sh phase 4, traced: C's burst is seen at the first step after a bandwidth
     * period ends throttled), and the borrower kept the pool's rest meanwhile: B 0.06–0.07 over in
     * the 250 ms window that began at the wake. A step reads one {@code cpu.stat} per watched
     * partition (a few µs): with few partitions twice as many steps cost little, with 20 they
     * would take the controller over its 1 % (bench/dispatch-cost.sh).
     */
    static final int FEW_WATCHED = 4;
    /** The watch steps' time since the last traced interval (only while tracing). */
    private long watchNs;
    /** Each interval's decisions, for diagnosis only (see {@link #trace}). */
    private static final Logger TRACE = LoggerFactory.getLogger("io.parvirt.dispatch.trace");
    private final HomeCores homeCores;
    /** What each core spends outside the shared partitions' vCPUs, for the trace; null when not tracing. */
    private final CoreLoad coreLoad;
    private volatile Map<Integer, PartitionUsage> usage = Map.of();
    private volatile Map<Integer, PoolUsage> poolUsage = Map.of();
    /** Cores of the shared capacity that nothing used over the last interval (QEMU's own threads counted). */
    private double idleCores;
    /**
     * Idle cores below which a held partition's quiet is not taken for running out of work: on a
     * saturated host a partition goes unthrottled for want of a CPU (ten partitions on 2 cores: the
     * watch ran 1485 intervals early in 160 s, most for that, and changed nothing).
     */
    static final double WATCH_IDLE = 0.1;

    public Dispatcher(Config config, Supplier<Snapshot> source, Consumer<String> events) {
        this(config, source, events, new ThreadClock(), System::nanoTime, CpuList.online(), hostControl(config),
                new CoreLoad.ProcStat(Path.of("/proc/stat")));
    }

    /** With the vCPU times, the clock and the host CPUs given: for tests (no core is seen busy outside the vCPUs). */
    Dispatcher(Config config, Supplier<Snapshot> source, Consumer<String> events, VcpuMeter.Source vcpuTimes,
            LongSupplier nanoTime, List<Integer> hostCpus) {
        this(config, source, events, vcpuTimes, nanoTime, hostCpus, hostControl(config), CoreLoad.UNKNOWN);
    }

    /**
     * With the enforcer given as well ({@code control}: the enforcer, or the reason there is none):
     * the cgroup v2 test runs the dispatcher against a guest's cgroupfs.
     */
    Dispatcher(Config config, Supplier<Snapshot> source, Consumer<String> events, VcpuMeter.Source vcpuTimes,
            LongSupplier nanoTime, List<Integer> hostCpus, Enforcer control) {
        this(config, source, events, vcpuTimes, nanoTime, hostCpus, control, CoreLoad.UNKNOWN);
    }

    /** With each CPU's idle time given too ({@code coreIdle}, read on {@code nanoTime}'s clock). */
    Dispatcher(Config config, Supplier<Snapshot> source, Consumer<String> events, VcpuMeter.Source vcpuTimes,
            LongSupplier nanoTime, List<Integer> hostCpus, Enforcer control, CoreLoad.Source coreIdle) {
        this.source = source;
        this.events = events;
        this.vcpuTimes = vcpuTimes;
        this.nanoTime = nanoTime;
        this.hostCpus = hostCpus;
        this.control = control.control();
        String problem = control.problem();
        enforcement = this.control != null ? new Enforcement(true, this.control.mechanism(), "")
                : new Enforcement(false, "none", problem);
        if (this.control == null) {
            events.accept("Dispatching is not enforced: " + problem + ". Partitions run, but entitlement, capping, "
                    + "weights and pool maxima are not applied; utilization is still measured.");
        }
        this.watchEveryNs = config.watch().toNanos();
        this.loop = new DispatchLoop(config.interval(), this::tick, this::watchStepNs, this::watch);
        this.homeCores = config.homeCores() ? new HomeCores() : null;
        this.coreLoad = TRACE.isDebugEnabled() ? new CoreLoad(coreIdle, hostCpus) : null;
    }

    /** How long until the next watch step: shorter while few partitions are watched ({@link #FEW_WATCHED}). */
    long watchStepNs() {
        return watchedPartitions <= FEW_WATCHED ? watchEveryNs / 2 : watchEveryNs;
    }

    /** The enforcer, or (null) the reason dispatching is not enforced. */
    record Enforcer(CpuControl control, String problem) {
    }

    private static Enforcer hostControl(Config config) {
        if (!config.enforce()) {
            return new Enforcer(null, "dispatch.enforce=false in parvirt.properties");
        }
        try {
            return new Enforcer(CpuControl.forHost(config.cgroupRoot(), config.homeTag(), config.periodUs()), "");
        } catch (IOException e) {
            return new Enforcer(null, e.getMessage());
        }
    }

    public void start() {
        loop.start();
    }

    /** Decide again now (a policy changed) instead of at the next interval. */
    public void wake() {
        loop.wake();
    }

    public Enforcement enforcement() {
        return enforcement;
    }

    public Map<Integer, PartitionUsage> usage() {
        return usage;
    }

    public Map<Integer, PoolUsage> poolUsage() {
        return poolUsage;
    }

    /** CPU time the dispatching loop itself has used, and how many intervals it ran. */
    public long selfCpuNs() {
        return loop.selfCpuNs();
    }

    public long ticks() {
        return loop.ticks();
    }

    /** Intervals decided early because the watch saw a partition start or stop working. */
    public long watchedTicks() {
        return loop.watched();
    }

    /** One interval: measure, place dedicated cores, decide, enforce, account. Package-private for tests. */
    synchronized void tick() {
        boolean tracing = TRACE.isDebugEnabled();
        long t0 = tracing ? System.nanoTime() : 0;
        Snapshot snap = source.get();
        long t1 = tracing ? System.nanoTime() : 0;
        Map<Integer, Running> running = new TreeMap<>();
        for (Running r : snap.partitions()) {
            if (!r.vcpuThreads().isEmpty()) {
                running.put(r.lparId(), r);
            }
        }
        forgetEnded(running);
        for (Running r : running.values()) {
            partitions.computeIfAbsent(r.lparId(), id -> new Dispatched(new VcpuMeter(vcpuTimes, nanoTime))).measure(r);
        }
        if (coreLoad != null) {
            for (Running r : running.values()) {
                Dispatched d = partitions.get(r.lparId());
                if (!r.allocation().dedicated() && d.meter.intervalNs() > 0) {
                    coreLoad.charge(d.cpuList, d.meter.ranNs());
                }
            }
            coreLoad.sample(nanoTime.getAsLong());
        }
        long t2 = tracing ? System.nanoTime() : 0;
        DedicatedCores.place(hostCpus, running.values(), partitions);
        double capacity = DedicatedCores.sharedCapacity(snap.configurableCores(), running.values(), partitions);
        List<Integer> sharedCores = DedicatedCores.sharedCpus(hostCpus, running.values(), partitions);
        String shared = CpuList.format(sharedCores);
        double hostWork = 0;
        for (Running r : running.values()) {
            hostWork += partitions.get(r.lparId()).meter.otherThreads();
        }
        int watched = 0;
        for (Running r : running.values()) {
            watched += r.paused() || r.allocation().dedicated() || r.allocation().capped() ? 0 : 1;
        }
        watchedPartitions = watched;
        List<Claim> claims = claims(running);
        Map<Integer, Grant> grants = Allocator.allocate(Math.max(0, capacity), hostWork, pools(snap), claims);
        long t3 = tracing ? System.nanoTime() : 0;
        Map<Integer, String> homes = homes(running, grants, sharedCores);
        long t4 = tracing ? System.nanoTime() : 0;
        Map<Integer, PartitionUsage> out = new TreeMap<>();
        for (Running r : running.values()) {
            Dispatched d = partitions.get(r.lparId());
            enforce(r, d, grants.get(r.lparId()), homes.getOrDefault(r.lparId(), shared));
            out.put(r.lparId(), usageOf(r, d));
        }
        if (tracing) {
            long t5 = System.nanoTime();
            trace(running, claims, capacity, hostWork, new long[] {t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4});
        }
        usage = Map.copyOf(out);
        idleCores = capacity - hostWork - accountPools(snap, running, capacity);
    }

    /**
     * One line per interval for diagnosis (logger {@code io.parvirt.dispatch.trace} at DEBUG): the
     * interval, the shared capacity and the host's work, then per shared partition what it used and
     * waited, the demand claimed, the grant, the quota and its cores; last, the µs the interval took
     * to get the snapshot, measure, decide, place, and enforce.
     */
    private void trace(Map<Integer, Running> running, List<Claim> claims, double capacity, double hostWork,
            long[] phasesNs) {
        StringBuilder b = new StringBuilder(64 + 48 * claims.size());
        long intervalNs = 0;
        for (Dispatched d : partitions.values()) {
            intervalNs = Math.max(intervalNs, d.meter.intervalNs());
        }
        b.append(intervalNs / 1_000_000).append("ms cap=").append(String.format("%.3f", capacity))
                .append(" host=").append(String.format("%.3f", hostWork));
        for (Claim c : claims) {
            Dispatched d = partitions.get(c.lparId());
            b.append(' ').append(running.get(c.lparId()).name()).append('=')
                    .append(String.format("%.3f/%.3f/%.2f/%.3f/%.3f@%s", d.meter.used(), d.meter.waited(), c.demand(),
                            d.granted, d.policy.quota(), d.cpus));
        }
        if (coreLoad != null) {
            b.append(" outside=");
            for (int c : hostCpus) {
                b.append(c == hostCpus.getFirst() ? "" : "/").append(String.format("%.3f", coreLoad.outside(c)));
            }
        }
        b.append(" watch_us=").append(watchNs / 1000).append(" us=");
        watchNs = 0;
        for (int i = 0; i < phasesNs.length; i++) {
            b.append(i == 0 ? "" : "/").append(phasesNs[i] / 1000);
        }
        TRACE.debug(b.toString());
    }

    /** The shared partitions' home cores ({@link HomeCores}); empty when placement is left to the kernel. */
    private Map<Integer, String> homes(Map<Integer, Running> running, Map<Integer, Grant> grants,
            List<Integer> sharedCores) {
        if (homeCores == null || control == null) { // not enforced: the kernel places them
            return Map.of();
        }
        Map<Integer, HomeCores.Load> loads = new TreeMap<>();
        for (Running r : running.values()) {
            if (!r.allocation().dedicated()) {
                // QEMU's other threads run on the partition's cores too (CpuControl#SWEEP_EVERY).
                loads.put(r.lparId(), new HomeCores.Load(r.vcpuThreads().size(),
                        grants.get(r.lparId()).total() + partitions.get(r.lparId()).meter.otherThreads()));
            }
        }
        return homeCores.place(sharedCores, loads);
    }

    private void forgetEnded(Map<Integer, Running> running) {
        for (Integer gone : new ArrayList<>(partitions.keySet())) {
            if (!running.containsKey(gone)) {
                partitions.remove(gone);
                failing.remove(gone);
                if (control != null) {
                    control.release(gone);
                }
            }
        }
    }

    private static List<Allocator.Pool> pools(Snapshot snap) {
        List<Allocator.Pool> pools = new ArrayList<>();
        for (SharedProcessorPool p : snap.pools()) {
            if (p.isDefault()) {
                pools.add(new Allocator.Pool(p.id(), Double.POSITIVE_INFINITY, 0));
            } else if (p.usable()) {
                pools.add(new Allocator.Pool(p.id(), p.maxPoolProcUnits(), QuotaPolicy.cores(p.reservedPoolProcUnits())));
            }
        }
        return pools;
    }

    /** Each shared partition's policy and estimated demand, for the allocator. */
    private List<Claim> claims(Map<Integer, Running> running) {
        List<Claim> claims = new ArrayList<>();
        for (Running r : running.values()) {
            Allocation a = r.allocation();
            if (a.dedicated()) {
                continue;
            }
            Dispatched d = partitions.get(r.lparId());
            long throttled = control == null ? -1 : control.throttled(r.lparId());
            long now = nanoTime.getAsLong();
            d.throttle.see(throttled, control == null ? -1 : control.throttledNs(r.lparId()), now);
            double quietShare = d.throttle.quiet(now) && idleCores >= WATCH_IDLE
                    ? d.throttle.quietShare(now, d.meter.intervalNs()) : 0;
            double demand = r.paused() ? 0 : d.demand.estimate(a, d.meter.measured(), d.meter.used(),
                    d.meter.waited(), throttled, d.policy.lastTarget(), d.throttle.burst(now), quietShare, d.asleep);
            claims.add(new Claim(r.lparId(), a.poolId(), QuotaPolicy.cores(a.procUnits()), a.vcpus(), a.capped(),
                    a.uncapWeight(), demand));
        }
        return claims;
    }

    /**
     * One watch step between intervals: reads the throttle count of each uncapped shared partition
     * and says whether one that did not want more was throttled in a burst (it woke: its share of
     * the spare is due now), or one that was held has not been throttled for 40 ms while the host
     * had idle cores and none of its vCPU threads is runnable (it ran out of work, rather than a
     * CPU: its spare is due to the others). Capped partitions get no spare and are left to the
     * interval. Package-private for tests.
     */
    synchronized boolean watch() {
        if (control == null) {
            return false;
        }
        long started = TRACE.isDebugEnabled() ? System.nanoTime() : 0;
        long now = nanoTime.getAsLong();
        boolean changed = false;
        for (Map.Entry<Integer, Dispatched> e : partitions.entrySet()) {
            Dispatched d = e.getValue();
            Running r = d.running;
            if (r == null || r.paused() || r.allocation().dedicated() || r.allocation().capped()) {
                continue;
            }
            d.throttle.see(control.throttled(e.getKey()), control.throttledNs(e.getKey()), now);
            boolean wants = d.demand.wantsMore();
            changed |= !wants && d.throttle.burst(now)
                    || wants && idleCores >= WATCH_IDLE && d.demand.heldLately() && d.throttle.quiet(now)
                    && d.asleep.getAsBoolean();
        }
        if (started != 0) {
            watchNs += System.nanoTime() - started;
        }
        return changed;
    }

    /** Turns a partition's grant into the quota, weight and CPUs of its vCPU threads, and applies them. */
    private void enforce(Running r, Dispatched d, Grant g, String sharedCpus) {
        Allocation a = r.allocation();
        if (a.dedicated()) {
            d.granted = a.vcpus();
            d.policy.dedicated(a);
            d.runOn(CpuList.format(d.cores));
        } else {
            d.granted = g.total();
            d.policy.decide(a, g.total(), d.demand.wantsMore(), d.meter.used(),
                    d.meter.used() + d.meter.waited(), d.meter.seconds());
            d.runOn(sharedCpus);
        }
        if (control == null) {
            return;
        }
        try {
            control.apply(new CpuLimits(r.lparId(), r.pid(), r.vcpuThreads(), d.policy.quota(),
                    d.policy.weight(a, d.granted), d.cpus));
            failing.remove(r.lparId());
        } catch (IOException e) {
            if (failing.add(r.lparId())) {
                events.accept("Dispatching of partition " + r.name() + " (id " + r.lparId() + ") is not enforced: "
                        + e.getMessage());
            }
        }
    }

    private PartitionUsage usageOf(Running r, Dispatched d) {
        PartitionCycles c = d.cycles;
        // Not enforced: no quota exists, whatever the policy decided.
        return new PartitionUsage(r.lparId(), r.name(), r.pid(), r.vcpuThreads(), r.allocation().poolId(),
                r.allocation().dedicated(), d.meter.used(), d.granted, control == null ? 0 : d.policy.quota(),
                d.demand.wantsMore(), d.cpus, c.timeNs(), c.entitledNs(), c.cappedNs(), c.uncappedNs(), c.idleNs(),
                c.usedNs());
    }

    /** Adds the interval to the pools' counters; returns the cores the shared partitions used in all. */
    private double accountPools(Snapshot snap, Map<Integer, Running> running, double capacity) {
        long intervalNs = 0;
        Map<Integer, Double> used = new HashMap<>();
        double physical = 0;
        for (Running r : running.values()) {
            VcpuMeter m = partitions.get(r.lparId()).meter;
            intervalNs = Math.max(intervalNs, m.intervalNs());
            if (!r.allocation().dedicated()) {
                used.merge(r.allocation().poolId(), m.used(), Double::sum);
                physical += m.used();
            }
        }
        poolUsage = poolCycles.add(snap.pools(), used, physical, capacity, intervalNs);
        return physical;
    }

    /** What is dispatched now, as the API and {@code /metrics} show it; partitions and pools by id. */
    public DispatchReport report() {
        List<DispatchReport.Partition> parts = new ArrayList<>();
        for (PartitionUsage u : new TreeMap<>(usage).values()) {
            parts.add(new DispatchReport.Partition(u.lparId(), u.name(), u.pid(), u.vcpuThreads(), u.poolId(),
                    u.dedicated(), u.usedCores(), u.grantedCores(), u.quotaCores(), u.wantsMore(), u.cpus(),
                    u.entitledNs() / 1e9, u.cappedNs() / 1e9, u.uncappedNs() / 1e9, u.idleNs() / 1e9));
        }
        List<DispatchReport.Pool> pools = new ArrayList<>();
        for (PoolUsage p : new TreeMap<>(poolUsage).values()) {
            pools.add(new DispatchReport.Pool(p.poolId(), p.sizeCores(), p.usedCores(), p.utilizedNs() / 1e9));
        }
        Enforcement e = enforcement;
        return new DispatchReport(e.enforced(), e.mechanism(), e.problem(), ticks(), watchedTicks(), selfCpuNs() / 1e9,
                List.copyOf(parts), List.copyOf(pools));
    }

    /** A kernel CPU list ("0,1,3") of the given CPUs. */
    public static String cpuList(List<Integer> cpus) {
        return CpuList.format(cpus);
    }

    /** The host CPUs this daemon may use ({@code /sys/devices/system/cpu/online}). */
    public static List<Integer> onlineCpus() {
        return CpuList.online();
    }

    /** Parses a kernel CPU list such as "0-3,8". */
    public static List<Integer> parseCpuList(String s) {
        return CpuList.parse(s);
    }

    @Override
    public void close() {
        loop.close();
        if (control != null) {
            control.close();
        }
    }
}
