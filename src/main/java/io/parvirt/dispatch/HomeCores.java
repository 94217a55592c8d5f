package io.parvirt.dispatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shared cores each shared partition's vCPU threads run on: its home cores, as PowerVM's
 * hypervisor dispatches a virtual processor on its home processor. The kernel's load balancer
 * evens out load (runnable threads weighted by {@code cpu.shares}), not grants: with every thread
 * of ten partitions burning on two cores, a partition granted half a core shared its CPU with
 * threads granted 0.4–0.6 in all on some windows and 0.2 on others, and was on target in 16 of 18
 * windows in the first case and 4 of 18 in the other (bench/RESULTS.md, issue 18). Placing the
 * threads by grant makes each core's grants add up to what the core can give, so CFS bandwidth
 * delivers each quota on its own core.
 *
 * <p>A partition with as many vCPUs as there are shared cores (or more) runs on all of them, its
 * grant counted evenly on each; one with fewer gets that many cores, the least granted at the
 * time, its grant split evenly among its vCPUs, larger grants per vCPU placed first (greedy bin
 * packing). Placements are then kept: moving threads costs their caches, the CFS bandwidth state
 * they had on their CPU and a cpuset write, and grants move a little every interval. Redoing the
 * whole packing whenever it was 0.1 core better moved most partitions several times in 20 s of the
 * ten-partition scenario, whose grants did not change. Instead, while the most and the least
 * granted cores differ by more than {@link #SLACK}, one partition with a single home core moves
 * per interval from the first to the second, the one that evens them out best, and only if that
 * narrows the difference by {@link #GAIN} at least (so that a partition does not go back and forth
 * on the grants' noise). A new partition, or one whose cores are no longer shared (a dedicated
 * partition took them back), is placed on the kept placement's loads.
 */
final class HomeCores {
    /** Difference between the most and the least granted core (cores) up to which nothing moves. */
    static final double SLACK = 0.05;
    /** How much (cores) a move must narrow that difference by. */
    static final double GAIN = 0.03;

    /** What placement needs of one shared partition: its vCPU count and its grant (cores). */
    record Load(int vcpus, double grant) {
    }

    private final Map<Integer, List<Integer>> homes = new HashMap<>();

    /**
     * Each partition's cores among {@code shared}, as a CPU list. With fewer than two shared cores
     * there is nothing to choose: every partition gets them all.
     */
    Map<Integer, String> place(List<Integer> shared, Map<Integer, Load> partitions) {
        homes.keySet().retainAll(partitions.keySet());
        Map<Integer, String> out = new TreeMap<>();
        if (shared.size() < 2) {
            homes.clear();
            partitions.keySet().forEach(id -> out.put(id, CpuList.format(shared)));
            return out;
        }
        Map<Integer, List<Integer>> kept = new HashMap<>();
        homes.forEach((id, cores) -> {
            Load l = partitions.get(id);
            if (cores.size() == Math.min(l.vcpus(), shared.size()) && shared.containsAll(cores)) {
                kept.put(id, cores);
            }
        });
        Map<Integer, List<Integer>> chosen = greedy(shared, partitions, kept);
        rebalance(shared, partitions, chosen);
        homes.clear();
        homes.putAll(chosen);
        chosen.forEach((id, cores) -> out.put(id, CpuList.format(cores.stream().sorted().toList())));
        return out;
    }

    /**
     * Moves at most one partition with a single home core from the most granted core to the least,
     * the one that leaves them closest, when they differ by more than {@link #SLACK} and the move
     * narrows that by {@link #GAIN}.
     */
    private static void rebalance(List<Integer> shared, Map<Integer, Load> partitions,
            Map<Integer, List<Integer>> placed) {
        Map<Integer, Double> load = loads(shared, partitions, placed);
        int hi = shared.stream().max(Comparator.comparingDouble((Integer c) -> load.get(c))).orElseThrow();
        int lo = shared.stream().min(Comparator.comparingDouble((Integer c) -> load.get(c))).orElseThrow();
        double diff = load.get(hi) - load.get(lo);
        if (diff <= SLACK) {
            return;
        }
        Integer best = null;
        double bestDiff = diff - GAIN;
        for (Map.Entry<Integer, List<Integer>> e : new TreeMap<>(placed).entrySet()) {
            if (e.getValue().equals(List.of(hi))) {
                double after = Math.abs(diff - 2 * partitions.get(e.getKey()).grant());
                if (after < bestDiff) {
                    best = e.getKey();
                    bestDiff = after;
                }
            }
        }
        if (best != null) {
            placed.put(best, List.of(lo));
        }
    }

    /** Places every partition not in {@code kept} on the cores least granted so far, largest grant per vCPU first. */
    private static Map<Integer, List<Integer>> greedy(List<Integer> shared, Map<Integer, Load> partitions,
            Map<Integer, List<Integer>> kept) {
        Map<Integer, Double> load = loads(shared, partitions, kept);
        Map<Integer, List<Integer>> placed = new HashMap<>(kept);
        List<Map.Entry<Integer, Load>> order = new ArrayList<>(partitions.entrySet());
        order.removeIf(e -> kept.containsKey(e.getKey()));
        order.sort(Comparator.comparingDouble((Map.Entry<Integer, Load> e) -> -perVcpu(e.getValue(), shared))
                .thenComparing(Map.Entry::getKey));
        for (Map.Entry<Integer, Load> e : order) {
            int n = Math.min(Math.max(1, e.getValue().vcpus()), shared.size());
            List<Integer> cores = shared.stream().sorted(Comparator.comparingDouble((Integer c) -> load.get(c))
                    .thenComparing(c -> c)).limit(n).toList();
            double each = e.getValue().grant() / n;
            cores.forEach(c -> load.merge(c, each, Double::sum));
            placed.put(e.getKey(), cores);
        }
        return placed;
    }

    private static double perVcpu(Load l, List<Integer> shared) {
        return l.grant() / Math.min(Math.max(1, l.vcpus()), shared.size());
    }

    /** Each shared core's grants under {@code placed} (partitions not in it count nowhere). */
    private static Map<Integer, Double> loads(List<Integer> shared, Map<Integer, Load> partitions,
            Map<Integer, List<Integer>> placed) {
        Map<Integer, Double> load = new HashMap<>();
        shared.forEach(c -> load.put(c, 0.0));
        placed.forEach((id, cores) -> {
            double each = partitions.get(id).grant() / cores.size();
            cores.forEach(c -> load.merge(c, each, Double::sum));
        });
        return load;
    }
}
