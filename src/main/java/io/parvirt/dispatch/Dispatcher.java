package io.parvirt.dispatch;

import io.parvirt.dispatch.Allocator.Claim;
import io.parvirt.dispatch.Allocator.Grant;
import io.parvirt.model.Allocation;
import io.parvirt.model.SharedProcessorPool;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatching loop: every interval it reads the CPU time of each running partition's vCPU
 * threads, estimates what each would use if nothing held it back, runs the {@link Allocator}, and
 * has the {@link CpuControl} apply the result as per-period CPU bandwidth. It keeps the cumulative
 * counters lslparutil reports (entitled, capped, uncapped, idle cycles).
 *
 * <p>Demand is estimated from the last interval: a partition that used (nearly) all its quota
 * wants more (up to its virtual processors); one that used less wants what it used. An uncapped
 * partition's quota is never below its entitlement, so a partition that wakes up gets its
 * entitlement at once, as on PowerVM; the spare capacity it had ceded comes back to it at the next
 * interval. Capped partitions' quota is their entitlement. The entitlement is also each
 * partition's weight against the others ({@code cpu.shares}), which holds the guarantee when the
 * host itself runs short. A dedicated partition's vCPU threads are pinned to whole cores; with a
 * sharing mode other than {@code keep_idle_procs} its idle cycles are lent to the shared pool, and
 * its maximal weight takes them back as soon as it runs.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** v1 cpu.shares bounds; a lender's threads get the maximum so its cores come back at once. */
    static final int MAX_SHARES = 262144;
    private static final int MIN_SHARES = 2;
    /** Quota changes smaller than this (cores) are not written unless the partition's policy changed. */
    private static final double HOLD = 0.02;
    /** Intervals a partition must stay well below its target before it no longer counts as wanting more. */
    private static final int CALM = 4;
    /** Intervals a partition must be held below its entitlement by the host before its guarantee is restored. */
    private static final int STARVED = 3;

    /** {@code interval}: how often to decide; {@code periodUs}: the CFS bandwidth period. */
    public record Config(Duration interval, int periodUs, Path cgroupRoot, String homeTag, boolean enforce) {
    }

    /** One running partition as the dispatcher needs it. */
    public record Running(int lparId, String name, long pid, List<Long> vcpuThreads, Allocation allocation) {
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

    private final Config config;
    private final Supplier<Snapshot> source;
    private final Consumer<String> events;
    private final ThreadClock clock = new ThreadClock();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final List<Integer> hostCpus;
    private final Map<Integer, Tracked> tracked = new HashMap<>();
    private final Map<Integer, PoolCounter> poolCounters = new TreeMap<>();
    private final Set<Integer> failing = new HashSet<>();
    private volatile Map<Integer, PartitionUsage> usage = Map.of();
    private volatile Map<Integer, PoolUsage> poolUsage = Map.of();
    private volatile Enforcement enforcement;
    private volatile long selfCpuNs;
    private volatile long ticks;
    private final CpuControl control;
    private final Object wakeup = new Object();
    private boolean woken;
    private volatile boolean stopped;
    private Thread loop;

    private static final class Tracked {
        long lastRunNs = -1;
        long lastWaitNs;
        long lastAt;
        double dtSeconds;
        double waited;
        double quota;
        double lastTarget;
        double correction = 1;
        double windowSeconds;
        double windowUsed;
        Allocation lastAllocation;
        Allocation current;
        double used;
        double granted;
        boolean wantsMore = true;
        int calm;
        int starved;
        long lastThrottled = -1;
        String cpus = "";
        List<Integer> cores = List.of();
        long timeNs;
        long entitledNs;
        long cappedNs;
        long uncappedNs;
        long idleNs;
        long usedNs;
    }

    private static final class PoolCounter {
        long timeNs;
        double sizeCores;
        long totalNs;
        long utilizedNs;
        double usedCores;
    }

    public Dispatcher(Config config, Supplier<Snapshot> source, Consumer<String> events) {
        this.config = config;
        this.source = source;
        this.events = events;
        this.hostCpus = onlineCpus();
        CpuControl c = null;
        String problem;
        try {
            if (config.enforce()) {
                c = CpuControl.forHost(config.cgroupRoot(), config.homeTag(), config.periodUs());
            }
            problem = config.enforce() ? "" : "dispatch.enforce=false in parvirt.properties";
        } catch (IOException e) {
            problem = e.getMessage();
        }
        this.control = c;
        enforcement = c != null ? new Enforcement(true, c.mechanism(), "") : new Enforcement(false, "none", problem);
        if (c == null) {
            events.accept("Dispatching is not enforced: " + problem + ". Partitions run, but entitlement, capping, "
                    + "weights and pool maxima are not applied; utilization is still measured.");
        }
    }

    public void start() {
        loop = Thread.ofPlatform().daemon().name("dispatcher").start(this::run);
    }

    /** Decide again now (a policy changed) instead of at the next interval. */
    public void wake() {
        synchronized (wakeup) {
            woken = true;
            wakeup.notifyAll();
        }
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
        return selfCpuNs;
    }

    public long ticks() {
        return ticks;
    }

    private void run() {
        long interval = config.interval().toNanos();
        while (!stopped) {
            long cpuBefore = threads.getCurrentThreadCpuTime();
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.error("dispatching interval failed", e);
            }
            selfCpuNs += threads.getCurrentThreadCpuTime() - cpuBefore;
            ticks++;
            synchronized (wakeup) {
                long deadline = System.nanoTime() + interval;
                while (!woken && !stopped) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        wakeup.wait(left / 1_000_000, (int) (left % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                woken = false;
            }
        }
    }

    /** One interval: measure, place dedicated cores, decide, enforce, account. Package-private for tests. */
    synchronized void tick() {
        Snapshot snap = source.get();
        Map<Integer, Running> running = new TreeMap<>();
        for (Running r : snap.partitions()) {
            if (!r.vcpuThreads().isEmpty()) {
                running.put(r.lparId(), r);
            }
        }
        forgetEnded(running);
        measure(running);
        placeDedicated(running);
        List<Integer> sharedCpus = new ArrayList<>(hostCpus);
        double capacity = snap.configurableCores();
        for (Running r : running.values()) {
            Allocation a = r.allocation();
            if (a.dedicated()) {
                capacity -= a.vcpus();
                if (a.lendsIdleCores()) {
                    capacity += Math.max(0, a.vcpus() - tracked.get(r.lparId()).used);
                } else {
                    sharedCpus.removeAll(tracked.get(r.lparId()).cores);
                }
            }
        }
        if (sharedCpus.isEmpty()) {
            sharedCpus = new ArrayList<>(hostCpus); // never leave shared partitions nowhere to run
        }
        Map<Integer, Grant> grants = Allocator.allocate(Math.max(0, capacity), pools(snap), claims(running));
        String shared = cpuList(sharedCpus);
        Map<Integer, PartitionUsage> out = new TreeMap<>();
        for (Running r : running.values()) {
            Tracked t = tracked.get(r.lparId());
            enforce(r, t, r.allocation().dedicated() ? null : grants.get(r.lparId()), shared);
            // Not enforced: no quota exists, whatever the allocator decided.
            out.put(r.lparId(), new PartitionUsage(r.lparId(), r.name(), r.pid(), r.vcpuThreads(),
                    r.allocation().poolId(), r.allocation().dedicated(), t.used, t.granted,
                    control == null ? 0 : t.quota, t.wantsMore,
                    t.cpus, t.timeNs, t.entitledNs, t.cappedNs, t.uncappedNs, t.idleNs, t.usedNs));
        }
        usage = Map.copyOf(out);
        accountPools(snap, running, capacity);
    }

    private void forgetEnded(Map<Integer, Running> running) {
        for (Integer gone : new ArrayList<>(tracked.keySet())) {
            if (!running.containsKey(gone)) {
                tracked.remove(gone);
                failing.remove(gone);
                if (control != null) {
                    control.release(gone);
                }
            }
        }
    }

    /** The CPU time of each partition's vCPU threads since the last interval. */
    private void measure(Map<Integer, Running> running) {
        for (Running r : running.values()) {
            Tracked t = tracked.computeIfAbsent(r.lparId(), id -> new Tracked());
            // Each partition's own instant: on a busy host this thread can be held between two reads.
            long at = System.nanoTime();
            ThreadClock.Reading rd = clock.read(r.pid(), r.vcpuThreads());
            t.dtSeconds = 0;
            if (t.lastRunNs >= 0 && at > t.lastAt) {
                long dt = at - t.lastAt;
                long ran = Math.max(0, rd.runNs() - t.lastRunNs);
                t.used = ran / (double) dt;
                t.waited = Math.max(0, rd.waitNs() - t.lastWaitNs) / (double) dt;
                t.dtSeconds = dt / 1e9;
                account(t, r.allocation(), dt, ran);
            }
            t.lastRunNs = rd.runNs();
            t.lastWaitNs = rd.waitNs();
            t.lastAt = at;
        }
    }

    /** Dedicated cores: stable per partition, taken from the highest-numbered CPUs. */
    private void placeDedicated(Map<Integer, Running> running) {
        Set<Integer> taken = new TreeSet<>();
        for (Running r : running.values()) {
            Tracked t = tracked.get(r.lparId());
            if (r.allocation().dedicated() && t.cores.size() == r.allocation().vcpus() && !overlaps(t.cores, taken)) {
                taken.addAll(t.cores);
            }
        }
        for (Running r : running.values()) {
            Tracked t = tracked.get(r.lparId());
            if (r.allocation().dedicated() && !(t.cores.size() == r.allocation().vcpus() && taken.containsAll(t.cores))) {
                List<Integer> cores = new ArrayList<>();
                for (int i = hostCpus.size() - 1; i >= 0 && cores.size() < r.allocation().vcpus(); i--) {
                    if (!taken.contains(hostCpus.get(i))) {
                        cores.add(hostCpus.get(i));
                    }
                }
                t.cores = List.copyOf(cores);
                taken.addAll(cores);
            }
        }
    }

    private static List<Allocator.Pool> pools(Snapshot snap) {
        List<Allocator.Pool> pools = new ArrayList<>();
        for (SharedProcessorPool p : snap.pools()) {
            if (p.isDefault()) {
                pools.add(new Allocator.Pool(p.id(), Double.POSITIVE_INFINITY, 0));
            } else if (p.usable()) {
                pools.add(new Allocator.Pool(p.id(), p.maxPoolProcUnits(), p.reservedPoolProcUnits().hundredths() / 100.0));
            }
        }
        return pools;
    }

    /**
     * What each shared partition would use if nothing held it back. The kernel's throttling count
     * is the sure sign that it was held; without it, usage near its target. Once held back, a
     * partition counts as wanting more until it has stayed well below its target for
     * {@link #CALM} intervals: the estimate must not flip with the noise of one interval.
     */
    private List<Claim> claims(Map<Integer, Running> running) {
        List<Claim> claims = new ArrayList<>();
        for (Running r : running.values()) {
            Allocation a = r.allocation();
            if (a.dedicated()) {
                continue;
            }
            Tracked t = tracked.get(r.lparId());
            double ec = a.procUnits().hundredths() / 100.0;
            double target = a.capped() ? ec : t.lastTarget;
            double tolerance = Math.max(0.01, 0.1 * target);
            long throttledNow = control == null ? -1 : control.throttled(r.lparId());
            boolean throttled = throttledNow >= 0 && t.lastThrottled >= 0 && throttledNow > t.lastThrottled;
            t.lastThrottled = throttledNow;
            if (t.dtSeconds == 0 || throttled || t.used >= target - tolerance) {
                t.calm = 0;
                t.wantsMore = true;
            } else if (t.used < target - 2 * tolerance && ++t.calm >= CALM) {
                t.wantsMore = false;
            }
            double demand = t.wantsMore ? a.vcpus() : t.used;
            // Runnable but held below its entitlement by a busy host, interval after interval (an idle
            // partition's brief wake-ups also wait a little, once): restore its guarantee.
            boolean starved = !t.wantsMore && t.used < ec && t.waited >= Math.max(0.05, 0.5 * (ec - t.used));
            t.starved = starved ? t.starved + 1 : 0;
            if (t.starved >= STARVED) {
                demand = ec;
            }
            claims.add(new Claim(r.lparId(), a.poolId(), ec, a.vcpus(), a.capped(), a.uncapWeight(), demand));
        }
        return claims;
    }

    /** Turns a partition's grant into the quota, weight and CPUs of its vCPU threads, and applies them. */
    private void enforce(Running r, Tracked t, Grant g, String sharedCpus) {
        Allocation a = r.allocation();
        double ec = a.procUnits().hundredths() / 100.0;
        int shares;
        if (a.dedicated()) {
            t.quota = 0;
            t.granted = a.vcpus();
            shares = a.lendsIdleCores() ? MAX_SHARES : (int) Math.min(MAX_SHARES, 1024L * a.vcpus());
            t.cpus = cpuList(t.cores);
        } else {
            t.granted = g.total();
            double target;
            if (a.capped()) {
                target = ec;
            } else if (t.wantsMore) {
                target = Math.max(ec, g.total());
            } else {
                target = Math.max(ec, g.total() + Math.max(0.05, 0.25 * t.used));
            }
            target = Math.min(target, a.vcpus());
            boolean steady = a.equals(t.lastAllocation) && t.lastTarget > 0 && Math.abs(t.lastTarget - target) < HOLD;
            t.current = a;
            correct(t, target, steady);
            t.lastTarget = target;
            double quota = Math.max(0.01, target * (t.wantsMore ? t.correction : 1));
            // Writing a CFS quota refills the group's runtime at once. A partition held at its quota
            // gets a new one only when the correction moved it (at most once a second); one below
            // its quota has headroom, and small drifts are not written.
            if (steady && t.quota > 0 && Math.abs(quota - t.quota) < (t.wantsMore ? 0.005 : HOLD)) {
                quota = t.quota;
            }
            t.quota = quota;
            shares = (int) Math.max(MIN_SHARES, Math.min(MAX_SHARES, Math.round(ec * 1024)));
            t.cpus = sharedCpus;
        }
        t.lastAllocation = a;
        if (control == null) {
            return;
        }
        try {
            control.apply(new CpuLimits(r.lparId(), r.pid(), r.vcpuThreads(), t.quota, shares, t.cpus));
            failing.remove(r.lparId());
        } catch (IOException e) {
            if (failing.add(r.lparId())) {
                events.accept("Dispatching of partition " + r.name() + " (id " + r.lparId() + ") is not enforced: "
                        + e.getMessage());
            }
        }
    }

    /**
     * CFS lets a group run past its quota by up to a bandwidth slice per CPU each period, and a
     * quota write refills it; so what a partition held at its quota really uses is measured over at
     * least a second of unchanged target, and the quota written is scaled by target / used.
     */
    private static void correct(Tracked t, double target, boolean steady) {
        if (t.lastAllocation != null && !t.lastAllocation.equals(t.current)) {
            t.correction = 1; // a new policy (units, weight, mode, pool): learn its overrun afresh
        }
        if (!t.wantsMore || t.dtSeconds == 0 || !steady) {
            t.windowSeconds = 0;
            t.windowUsed = 0;
            return;
        }
        t.windowSeconds += t.dtSeconds;
        t.windowUsed += t.used * t.dtSeconds;
        if (t.windowSeconds >= 1.0) {
            double used = t.windowUsed / t.windowSeconds;
            if (Math.abs(target - used) >= 0.01 && used > 0) {
                // The overrun grows with the quota, so the correction is a factor, kept across targets.
                t.correction = Math.max(0.5, Math.min(1.1, t.correction * target / used));
            }
            t.windowSeconds = 0;
            t.windowUsed = 0;
        }
    }

    /** lslparutil's cycles for one interval, in nanoseconds of core time. */
    private static void account(Tracked t, Allocation a, long dt, long ran) {
        t.timeNs += dt;
        t.usedNs += ran;
        if (a.dedicated()) {
            long all = dt * a.vcpus();
            t.entitledNs += all;
            t.cappedNs += all;
            t.idleNs += Math.max(0, all - ran);
            return;
        }
        long entitled = Math.round(dt * a.procUnits().hundredths() / 100.0);
        t.entitledNs += entitled;
        t.cappedNs += Math.min(ran, entitled);
        t.uncappedNs += Math.max(0, ran - entitled);
    }

    private void accountPools(Snapshot snap, Map<Integer, Running> running, double capacity) {
        double dt = 0;
        for (Running r : running.values()) {
            dt = Math.max(dt, tracked.get(r.lparId()).dtSeconds);
        }
        Map<Integer, Double> used = new HashMap<>();
        double physical = 0;
        for (Running r : running.values()) {
            if (!r.allocation().dedicated()) {
                double u = tracked.get(r.lparId()).used;
                used.merge(r.allocation().poolId(), u, Double::sum);
                physical += u;
            }
        }
        for (SharedProcessorPool p : snap.pools()) {
            if (!p.usable()) {
                continue;
            }
            PoolCounter c = poolCounters.computeIfAbsent(p.id(), id -> new PoolCounter());
            double size = p.isDefault() ? capacity : p.maxPoolProcUnits();
            c.usedCores = used.getOrDefault(p.id(), 0.0);
            c.sizeCores = size;
            c.timeNs += Math.round(dt * 1e9);
            c.totalNs += Math.round(size * dt * 1e9);
            c.utilizedNs += Math.round(c.usedCores * dt * 1e9);
        }
        // -1: the physical shared pool (lslparutil -r pool), all shared partitions of every pool.
        PoolCounter all = poolCounters.computeIfAbsent(-1, id -> new PoolCounter());
        all.usedCores = physical;
        all.sizeCores = capacity;
        all.timeNs += Math.round(dt * 1e9);
        all.totalNs += Math.round(capacity * dt * 1e9);
        all.utilizedNs += Math.round(physical * dt * 1e9);
        Map<Integer, PoolUsage> out = new TreeMap<>();
        for (var e : poolCounters.entrySet()) {
            PoolCounter c = e.getValue();
            out.put(e.getKey(), new PoolUsage(e.getKey(), c.timeNs, c.totalNs, c.utilizedNs, c.usedCores, c.sizeCores));
        }
        poolUsage = Map.copyOf(out);
    }

    private static boolean overlaps(List<Integer> a, Set<Integer> b) {
        for (int x : a) {
            if (b.contains(x)) {
                return true;
            }
        }
        return false;
    }

    /** A kernel CPU list ("0,1,3") of the given CPUs. */
    public static String cpuList(List<Integer> cpus) {
        StringBuilder sb = new StringBuilder();
        for (int c : new TreeSet<>(cpus)) {
            sb.append(sb.isEmpty() ? "" : ",").append(c);
        }
        return sb.toString();
    }

    /** The host CPUs this daemon may use ({@code /sys/devices/system/cpu/online}). */
    public static List<Integer> onlineCpus() {
        try {
            return parseCpuList(Files.readString(Path.of("/sys/devices/system/cpu/online")).strip());
        } catch (IOException | RuntimeException e) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                all.add(i);
            }
            return all;
        }
    }

    /** Parses a kernel CPU list such as "0-3,8". */
    public static List<Integer> parseCpuList(String s) {
        List<Integer> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] r = part.strip().split("-");
            int from = Integer.parseInt(r[0]);
            int to = r.length > 1 ? Integer.parseInt(r[1]) : from;
            for (int i = from; i <= to; i++) {
                out.add(i);
            }
        }
        return List.copyOf(out);
    }

    @Override
    public void close() {
        stopped = true;
        wake();
        if (loop != null) {
            try {
                loop.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (control != null) {
            control.close();
        }
    }
}
