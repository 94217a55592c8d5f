package io.parvirt.dispatch;

import io.parvirt.dispatch.Dispatcher.PoolUsage;
import io.parvirt.model.SharedProcessorPool;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pools' cumulative lslparutil cycles: each usable shared processor pool's time, its size over
 * time and what its partitions used, and the same for the physical shared pool ({@link #PHYSICAL},
 * every shared partition of every pool, sized by the shared capacity).
 */
final class PoolCycles {
    /** The pool id lslparutil {@code -r pool} reports under: the physical shared pool. */
    static final int PHYSICAL = -1;

    private static final class Counter {
        long timeNs;
        double sizeCores;
        long totalNs;
        long utilizedNs;
        double usedCores;

        void add(double size, double used, long intervalNs) {
            sizeCores = size;
            usedCores = used;
            timeNs += intervalNs;
            totalNs += Math.round(size * intervalNs);
            utilizedNs += Math.round(used * intervalNs);
        }
    }

    private final Map<Integer, Counter> counters = new TreeMap<>();

    /**
     * Adds one interval.
     *
     * @param usedByPool cores the shared partitions of each pool used (pools absent: none)
     * @param physical   cores all shared partitions used
     * @param capacity   cores of the physical shared pool (the default pool's size)
     * @return every pool's figures so far, by pool id
     */
    Map<Integer, PoolUsage> add(Iterable<SharedProcessorPool> pools, Map<Integer, Double> usedByPool, double physical,
            double capacity, long intervalNs) {
        for (SharedProcessorPool p : pools) {
            if (p.usable()) {
                double size = p.isDefault() ? capacity : p.maxPoolProcUnits();
                counters.computeIfAbsent(p.id(), id -> new Counter())
                        .add(size, usedByPool.getOrDefault(p.id(), 0.0), intervalNs);
            }
        }
        counters.computeIfAbsent(PHYSICAL, id -> new Counter()).add(capacity, physical, intervalNs);
        Map<Integer, PoolUsage> out = new TreeMap<>();
        for (var e : counters.entrySet()) {
            Counter c = e.getValue();
            out.put(e.getKey(), new PoolUsage(e.getKey(), c.timeNs, c.totalNs, c.utilizedNs, c.usedCores, c.sizeCores));
        }
        return Map.copyOf(out);
    }
}
