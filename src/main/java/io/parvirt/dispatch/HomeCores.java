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
 * <p>A partition gets a core per vCPU, as many as there are shared cores at most, its grant split
 * evenly among them. But when the grants fill the shared cores (over {@link #FULL} of them, until
 * they are under {@link #ROOMY}) it gets only as many as its grant needs (one per whole core
 * granted, at least one) and its vCPUs share them: a partition granted 0.16 with two vCPUs spread
 * over both cores had its threads moved between them by the kernel's load balancer, up to 0.08
 * core at a time, and in the quarter of the windows in which it took the most from V1's and V2's
 * core those two were 0.064 short in all (12 of 20 windows on target, against 17 of 17 when it
 * took 0.02–0.05 there). With room on the cores, the kernel's balancing costs nobody anything and
 * a partition's vCPUs run side by side as its virtual processors would. The cores are the least
 * granted at the time, larger grants per core placed first (greedy bin packing).
 *
 * <p>Placements are then kept: moving threads costs their caches, the CFS bandwidth state they had
 * on their CPU and a cpuset write, and grants move a little every interval. Redoing the whole
 * packing whenever it was 0.1 core better, or taking the exact best split of the single-core
 * partitions, moved threads again and again on the grants' noise. Instead, while the most and the
 * least granted cores differ by more than {@link #SLACK}, one change per interval evens them out:
 * partitions with a single home core move from the first to the second, or some on them swap (four
 * at most), whichever leaves them closest with the fewest moved, and only if it narrows the
 * difference by {@link #GAIN} at least. No single move evens out two partitions granted 0.49 and
 * 0.41 that share a core while the other has many small ones (0.08–0.09 apart in the quiet pass):
 * a swap of one of them for two or three small ones does. So many ways to change made the grants'
 * noise move threads (160 changes in a simulated minute of grants jittering ±0.02 around an even
 * split), so placement reads a steadier figure than the interval's grant: its exponential average
 * ({@link #SMOOTHING}); a grant more than {@link #JUMP} away from it leaves it as it is, unless it
 * stays away for {@link #PERSIST} intervals, and then replaces it (a partition went idle or woke:
 * an average ramping towards it made a dozen changes where one or two do; taken at once, the
 * grants of a loaded host, which dropped to nothing and back for an interval or two every few
 * seconds, moved threads twice a second). A new partition, one whose cores are no longer shared (a
 * dedicated partition took them back) and one whose grant now needs another number of cores are
 * placed on the kept placement's loads.
 *
 * <p>A change is made only once the cores have stayed uneven for {@link #PATIENCE} intervals on
 * end (about a second), or with partitions that are placed anew, and the count starts again after
 * it: grants that a disturbance moves for half a second move no thread. Replayed through the grants of every interval of a ten-partition
 * run (bench/dispatch-ten.sh with DISPATCH_TRACE) in which something else took one core for 100–200
 * ms twice, placement changed 15 times in the 40 s after the loops started, and 7 times with this
 * rule; the rest of those changes went with the demand estimate's fix of that run
 * ({@link DemandEstimate}: a starved partition is not out of work).
 */
final class HomeCores {
    /** Difference between the most and the least granted core (cores) up to which nothing moves. */
    static final double SLACK = 0.05;
    /** How much (cores) a change must narrow that difference by. */
    static final double GAIN = 0.03;
    /** How much an interval's grant moves the figure placement reads (about 1 s at 100 ms intervals). */
    static final double SMOOTHING = 0.1;
    /** A grant this far (cores) from that figure for {@link #PERSIST} intervals running replaces it: a step. */
    static final double JUMP = 0.1;
    static final int PERSIST = 5;
    /** Share of the shared cores granted in all above which partitions are packed, and below which no longer. */
    static final double FULL = 0.8;
    static final double ROOMY = 0.7;
    /** A partition on more cores than its grant needs keeps them until it needs SPARE core less. */
    static final double SPARE = 0.1;
    /** The most partitions one change moves, and the most from one core. */
    private static final int CHANGE = 4;
    private static final int GROUP = 3;
    /** What a change's each moved partition costs in its comparison with others (cores). */
    private static final double MOVE_COST = 0.01;
    /** Intervals on end the cores must stay uneven (by the figures placement reads) before a change. */
    static final int PATIENCE = 10;

    /**
     * What placement needs of one shared partition: its vCPU count and what it takes of its cores:
     * its grant and its QEMU's other threads, which run there too (cores).
     */
    record Load(int vcpus, double grant) {
    }

    private final Map<Integer, List<Integer>> homes = new HashMap<>();
    private final Map<Integer, Steady> steady = new HashMap<>();
    /** Whether the grants fill the cores: partitions are then on only as many cores as their grants need. */
    private boolean packed;
    /** Intervals on end in which the cores were uneven. */
    private int uneven;

    /**
     * Each partition's cores among {@code shared}, as a CPU list. With fewer than two shared cores
     * there is nothing to choose: every partition gets them all.
     */
    Map<Integer, String> place(List<Integer> shared, Map<Integer, Load> partitions) {
        homes.keySet().retainAll(partitions.keySet());
        steady.keySet().retainAll(partitions.keySet());
        Map<Integer, Load> smoothed = new HashMap<>();
        partitions.forEach((id, l) -> smoothed.put(id, new Load(l.vcpus(),
                steady.computeIfAbsent(id, k -> new Steady(l.grant())).next(l.grant()))));
        Map<Integer, String> out = new TreeMap<>();
        if (shared.size() < 2) {
            homes.clear();
            partitions.keySet().forEach(id -> out.put(id, CpuList.format(shared)));
            return out;
        }
        double granted = smoothed.values().stream().mapToDouble(Load::grant).sum();
        packed = granted > (packed ? ROOMY : FULL) * shared.size();
        Map<Integer, List<Integer>> kept = new HashMap<>();
        homes.forEach((id, cores) -> {
            Load l = smoothed.get(id);
            if (cores.size() >= cores(l, shared.size(), 0) && cores.size() <= cores(l, shared.size(), SPARE)
                    && shared.containsAll(cores)) {
                kept.put(id, cores);
            }
        });
        Map<Integer, List<Integer>> chosen = greedy(shared, smoothed, kept);
        // Partitions placed anew move anyway: the change that evens the cores out can go with them.
        boolean placedAnew = kept.size() < smoothed.size();
        if (rebalance(shared, smoothed, chosen, ++uneven >= PATIENCE || placedAnew)) {
            uneven = 0;
        }
        homes.clear();
        homes.putAll(chosen);
        chosen.forEach((id, cores) -> out.put(id, CpuList.format(cores.stream().sorted().toList())));
        return out;
    }

    /** The figure placement reads for one partition's grant. */
    private static final class Steady {
        double figure;
        /** Intervals running in which the grant was over {@link #JUMP} from the figure. */
        int away;

        Steady(double grant) {
            figure = grant;
        }

        /** An interval's grant far from the figure leaves it as it is, unless it stays far. */
        double next(double grant) {
            if (Math.abs(grant - figure) <= JUMP) {
                away = 0;
                figure += SMOOTHING * (grant - figure);
            } else if (++away >= PERSIST) {
                away = 0;
                figure = grant;
            }
            return figure;
        }
    }

    /**
     * How many cores a partition gets: one per vCPU, within the shared cores, or, {@link #packed},
     * no more than its grant (plus {@code spare}) needs.
     */
    private int cores(Load l, int shared, double spare) {
        int most = Math.min(Math.max(1, l.vcpus()), shared);
        return packed ? Math.max(1, Math.min(most, (int) Math.ceil(l.grant() + spare - 1e-9))) : most;
    }

    /**
     * Makes at most one change between the most and the least granted core, when they differ by
     * more than {@link #SLACK}: single-core partitions, one to three from the first, swapped for
     * none to three from the second, four at most in all; the change that leaves them closest
     * (each moved partition counted as {@link #MOVE_COST}), if it narrows the difference by
     * {@link #GAIN}; only when {@code due}. True when the cores are even or a change was made (the
     * count of uneven intervals starts again), false when they stay uneven.
     */
    private static boolean rebalance(List<Integer> shared, Map<Integer, Load> partitions,
            Map<Integer, List<Integer>> placed, boolean due) {
        Map<Integer, Double> load = loads(shared, partitions, placed);
        int hi = shared.stream().max(Comparator.comparingDouble((Integer c) -> load.get(c))).orElseThrow();
        int lo = shared.stream().min(Comparator.comparingDouble((Integer c) -> load.get(c))).orElseThrow();
        double diff = load.get(hi) - load.get(lo);
        if (diff <= SLACK) {
            return true;
        }
        if (!due) {
            return false;
        }
        List<Integer> high = new ArrayList<>();
        List<Integer> low = new ArrayList<>();
        new TreeMap<>(placed).forEach((id, cores) -> {
            if (cores.equals(List.of(hi))) {
                high.add(id);
            } else if (cores.equals(List.of(lo))) {
                low.add(id);
            }
        });
        // For each group from the low core, the best from the high one is the one whose grants
        // come nearest to its own plus half the difference: a search among those of each size.
        List<List<Group>> up = new ArrayList<>();
        for (int size = 0; size <= GROUP; size++) {
            up.add(new ArrayList<>());
        }
        groups(high, partitions).forEach(g -> up.get(g.ids().size()).add(g));
        up.forEach(l -> l.sort(Comparator.comparingDouble(Group::grant)));
        Group bestUp = null;
        Group bestDown = null;
        double bestScore = Double.MAX_VALUE;
        for (Group down : groups(low, partitions)) {
            for (int size = 1; size <= Math.min(GROUP, CHANGE - down.ids().size()); size++) {
                List<Group> sized = up.get(size);
                int at = nearest(sized, down.grant() + diff / 2);
                for (int i = Math.max(0, at - 1); i <= Math.min(sized.size() - 1, at); i++) {
                    Group g = sized.get(i);
                    double after = Math.abs(diff - 2 * (g.grant() - down.grant()));
                    double score = after + MOVE_COST * (size + down.ids().size());
                    if (after <= diff - GAIN && score < bestScore) {
                        bestUp = g;
                        bestDown = down;
                        bestScore = score;
                    }
                }
            }
        }
        if (bestUp != null) {
            bestUp.ids().forEach(id -> placed.put(id, List.of(lo)));
            bestDown.ids().forEach(id -> placed.put(id, List.of(hi)));
            return true;
        }
        return false;
    }

    /** Some partitions on one core and their grants in all. */
    private record Group(List<Integer> ids, double grant) {
    }

    /** The index of the first group in {@code sorted} (by grant) whose grant is at least {@code target}. */
    private static int nearest(List<Group> sorted, double target) {
        int lo = 0;
        int hi = sorted.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted.get(mid).grant() < target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Every group of none to {@link #GROUP} of {@code ids}, smaller ones first. */
    private static List<Group> groups(List<Integer> ids, Map<Integer, Load> partitions) {
        List<Group> out = new ArrayList<>();
        out.add(new Group(List.of(), 0));
        for (int size = 1; size <= GROUP; size++) {
            int n = out.size();
            for (int k = 0; k < n; k++) {
                Group g = out.get(k);
                if (g.ids().size() != size - 1) {
                    continue;
                }
                int from = g.ids().isEmpty() ? 0 : ids.indexOf(g.ids().getLast()) + 1;
                for (int i = from; i < ids.size(); i++) {
                    List<Integer> more = new ArrayList<>(g.ids());
                    more.add(ids.get(i));
                    out.add(new Group(List.copyOf(more), g.grant() + partitions.get(ids.get(i)).grant()));
                }
            }
        }
        return out;
    }

    /** Places every partition not in {@code kept} on the cores least granted so far, largest grant per core first. */
    private Map<Integer, List<Integer>> greedy(List<Integer> shared, Map<Integer, Load> partitions,
            Map<Integer, List<Integer>> kept) {
        Map<Integer, Double> load = loads(shared, partitions, kept);
        Map<Integer, List<Integer>> placed = new HashMap<>(kept);
        List<Map.Entry<Integer, Load>> order = new ArrayList<>(partitions.entrySet());
        order.removeIf(e -> kept.containsKey(e.getKey()));
        order.sort(Comparator.comparingDouble((Map.Entry<Integer, Load> e) -> -perCore(e.getValue(), shared))
                .thenComparing(Map.Entry::getKey));
        for (Map.Entry<Integer, Load> e : order) {
            int n = cores(e.getValue(), shared.size(), 0);
            List<Integer> cores = shared.stream().sorted(Comparator.comparingDouble((Integer c) -> load.get(c))
                    .thenComparing(c -> c)).limit(n).toList();
            double each = e.getValue().grant() / n;
            cores.forEach(c -> load.merge(c, each, Double::sum));
            placed.put(e.getKey(), cores);
        }
        return placed;
    }

    private double perCore(Load l, List<Integer> shared) {
        return l.grant() / cores(l, shared.size(), 0);
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
