package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Issue 18: shared partitions' home cores by grant, kept while near the best placement. */
@Tag("unit")
class HomeCoresTest {
    final HomeCores homes = new HomeCores();

    /** bench/dispatch-ten.sh's grants on the 1.88 cores QEMU's threads leave (W1, id 7, has two vCPUs). */
    static Map<Integer, HomeCores.Load> ten() {
        Map<Integer, HomeCores.Load> m = new TreeMap<>();
        double[] grants = {0.23, 0.13, 0.10, 0.10, 0.49, 0.41, 0.16, 0.16, 0.10};
        for (int i = 0; i < grants.length; i++) {
            m.put(i + 1, new HomeCores.Load(i == 6 ? 2 : 1, grants[i]));
        }
        return m;
    }

    static Map<Integer, Double> coreGrants(Map<Integer, String> placed, Map<Integer, HomeCores.Load> loads) {
        Map<Integer, Double> per = new HashMap<>();
        placed.forEach((id, cpus) -> {
            List<Integer> cores = CpuList.parse(cpus);
            cores.forEach(c -> per.merge(c, loads.get(id).grant() / cores.size(), Double::sum));
        });
        return per;
    }

    static double spread(Map<Integer, String> placed, Map<Integer, HomeCores.Load> loads) {
        Map<Integer, Double> per = coreGrants(placed, loads);
        return Math.abs(per.getOrDefault(0, 0.0) - per.getOrDefault(1, 0.0));
    }

    /** Placed on {@code loads}, then on {@code grants} of each of {@code intervals}: the partitions moved in all. */
    private long movesOver(Map<Integer, HomeCores.Load> loads, int intervals,
            java.util.function.IntFunction<Map<Integer, HomeCores.Load>> grants) {
        Map<Integer, String> before = homes.place(List.of(0, 1), loads);
        long moves = 0;
        for (int i = 0; i < intervals; i++) {
            Map<Integer, String> now = homes.place(List.of(0, 1), grants.apply(i));
            moves += moved(before, now);
            before = now;
        }
        return moves;
    }

    static long moved(Map<Integer, String> before, Map<Integer, String> after) {
        return after.keySet().stream().filter(id -> before.containsKey(id) && !after.get(id).equals(before.get(id)))
                .count();
    }

    @Test
    void tenPartitionsAreSplitSoThatEachCoresGrantsAddUpToAboutHalf() {
        Map<Integer, HomeCores.Load> loads = ten();
        Map<Integer, String> placed = homes.place(List.of(0, 1), loads);
        assertThat(placed).hasSize(9);
        assertThat(placed.get(5)).as("V1 first: the largest grant per core").isEqualTo("0");
        assertThat(placed.get(6)).as("V2 on the other core").isEqualTo("1");
        Map<Integer, Double> per = coreGrants(placed, loads);
        assertThat(per.get(0)).isCloseTo(0.94, offset(0.06));
        assertThat(per.get(1)).isCloseTo(0.94, offset(0.06));
    }

    /**
     * W1 (0.16, two vCPUs) spread over both cores had its threads moved between them by the
     * kernel, up to 0.08 core at a time, and V1 and V2 on one of them lost their windows when it
     * took much there (bench/RESULTS.md, issue 18): when the grants fill the cores, a grant that
     * fits one core gets one; with room, a core per vCPU.
     */
    @Test
    void partitionsWithSeveralVcpusGetTheCoresTheirGrantNeedsWhenTheGrantsFillTheCores() {
        Map<Integer, HomeCores.Load> roomy = new TreeMap<>(Map.of(5, new HomeCores.Load(1, 0.49),
                7, new HomeCores.Load(2, 0.16)));
        assertThat(homes.place(List.of(0, 1), roomy).get(7)).as("0.65 of 2 cores granted: room").isEqualTo("0,1");
        Map<Integer, HomeCores.Load> loads = ten();
        assertThat(homes.place(List.of(0, 1), loads).get(7)).as("W1's 0.16: one core for both vCPUs")
                .matches("[01]");
        loads.put(7, new HomeCores.Load(2, 1.3));
        for (int i = 0; i < 60; i++) {
            homes.place(List.of(0, 1), loads);
        }
        assertThat(homes.place(List.of(0, 1), loads).get(7)).as("1.3 cores need two").isEqualTo("0,1");
        loads.put(7, new HomeCores.Load(2, 0.95));
        for (int i = 0; i < 60; i++) {
            assertThat(homes.place(List.of(0, 1), loads).get(7)).as("0.95: within the spare of two").isEqualTo("0,1");
        }
        loads.put(7, new HomeCores.Load(2, 0.5));
        for (int i = 0; i < 60; i++) {
            homes.place(List.of(0, 1), loads);
        }
        assertThat(homes.place(List.of(0, 1), loads).get(7)).as("0.5: one core again").matches("[01]");
        assertThat(new HomeCores().place(List.of(0, 1, 2), Map.of(1, new HomeCores.Load(4, 2.5))).get(1))
                .as("2.5 cores of a four-vCPU partition: three cores").isEqualTo("0,1,2");
    }

    /**
     * The quiet pass's stuck placement: V1 (0.49) and V2 (0.41), placed on one core while they
     * booted, the other partitions on the other core, 0.08 more; no move of one partition
     * narrowed that, a swap of V2 for three small ones does, in one change.
     */
    @Test
    void twoLargePartitionsOnOneCoreAreEvenedOutBySwappingOneForSmallerOnes() {
        Map<Integer, HomeCores.Load> booting = new TreeMap<>(Map.of(1, new HomeCores.Load(1, 0.9),
                5, new HomeCores.Load(1, 0.45), 6, new HomeCores.Load(1, 0.45)));
        Map<Integer, String> before = homes.place(List.of(0, 1), booting);
        assertThat(before.get(5)).as("V1 and V2 together while booting").isEqualTo(before.get(6));
        Map<Integer, HomeCores.Load> loads = ten();
        int changes = 0;
        for (int i = 0; i < 100; i++) {
            Map<Integer, String> now = homes.place(List.of(0, 1), loads);
            long m = moved(before, now);
            assertThat(m).as("one change, of at most four partitions, per interval").isLessThanOrEqualTo(4);
            changes += m > 0 ? 1 : 0;
            before = now;
        }
        assertThat(spread(before, loads)).as(before.toString()).isLessThanOrEqualTo(HomeCores.SLACK);
        assertThat(before.get(5)).as("V1 and V2 apart").isNotEqualTo(before.get(6));
        assertThat(changes).isBetween(1, 2);
        assertThat(homes.place(List.of(0, 1), loads)).as("then kept").isEqualTo(before);
    }

    /** Grants move a few hundredths every interval: placement reads their average and stays put. */
    @Test
    void grantsThatJitterEveryIntervalMoveNoThread() {
        Map<Integer, HomeCores.Load> loads = ten();
        Random random = new Random(18);
        long moves = movesOver(loads, 600, i -> { // a minute of 100 ms intervals
            Map<Integer, HomeCores.Load> noisy = new TreeMap<>();
            loads.forEach((id, l) -> noisy.put(id, new HomeCores.Load(l.vcpus(),
                    Math.max(0, l.grant() + (random.nextDouble() - 0.5) * 0.06))));
            return noisy;
        });
        assertThat(moves).as("threads moved on noise").isZero();
    }

    /**
     * On a loaded host the grants dropped to nothing and back for an interval or two every few
     * seconds (a partition seen idle, its share given to others): taken at once, they moved
     * threads twice a second.
     */
    @Test
    void grantsThatDropToNothingForAnIntervalOrTwoMoveNoThread() {
        Map<Integer, HomeCores.Load> loads = ten();
        long moves = movesOver(loads, 300, i -> {
            Map<Integer, HomeCores.Load> now = new TreeMap<>(loads);
            if (i % 10 < 2) { // V1 seen idle, its share to V2
                now.put(5, new HomeCores.Load(1, 0.0));
                now.put(6, new HomeCores.Load(1, 0.90));
            }
            if (i % 20 == 5) { // U1 and U2 seen idle, W1 takes their share
                now.put(1, new HomeCores.Load(1, 0.0));
                now.put(2, new HomeCores.Load(1, 0.0));
                now.put(7, new HomeCores.Load(2, 0.52));
            }
            return now;
        });
        assertThat(moves).as("threads moved on spikes").isZero();
    }

    /**
     * Something else took V1's core for a while: V1's grant fell and its spare went to V2 long
     * enough for placement's figures to take the step ({@link HomeCores#PERSIST} intervals), and
     * back as long after the grants came back: the cores were uneven by those figures for as many
     * intervals as the disturbance lasted, fewer than {@link HomeCores#PATIENCE}. No thread moves.
     */
    @Test
    void coresUnevenForLessThanTheirPatienceMoveNoThread() {
        Map<Integer, HomeCores.Load> loads = ten();
        Map<Integer, HomeCores.Load> disturbed = new TreeMap<>(loads);
        disturbed.put(5, new HomeCores.Load(1, 0.10));
        disturbed.put(6, new HomeCores.Load(1, 0.80));
        int span = 9; // intervals: under a second
        long moves = movesOver(loads, 200, i -> i >= 50 && i < 50 + span ? disturbed : loads);
        assertThat(moves).as("threads moved for a disturbance of %d intervals", span).isZero();
        assertThat(new HomeCoresTest().movesOver(loads, 200, i -> i >= 50 && i < 50 + span + 30 ? disturbed : loads))
                .as("the same disturbance held on: it is evened out").isPositive();
    }

    @Test
    void aPlacementIsKeptWhileGrantsMoveALittleAndEvenedOutOneChangeAtATimeWhenTheyMoveALot() {
        Map<Integer, HomeCores.Load> loads = ten();
        Map<Integer, String> first = homes.place(List.of(0, 1), loads);
        loads.put(6, new HomeCores.Load(1, 0.42)); // V2 +0.01: within the slack
        loads.put(1, new HomeCores.Load(1, 0.22)); // U1 -0.01
        for (int i = 0; i < 30; i++) {
            assertThat(homes.place(List.of(0, 1), loads)).isEqualTo(first);
        }
        loads.put(5, new HomeCores.Load(1, 0.05)); // V1 went idle: its core now has 0.44 less
        loads.put(6, new HomeCores.Load(1, 0.80));
        Map<Integer, String> before = first;
        int changes = 0;
        for (int i = 0; i < 100; i++) {
            Map<Integer, String> now = homes.place(List.of(0, 1), loads);
            long m = moved(before, now);
            assertThat(m).as("one change per interval").isLessThanOrEqualTo(4);
            changes += m > 0 ? 1 : 0;
            before = now;
        }
        assertThat(changes).isBetween(1, 5);
        assertThat(spread(before, loads)).as(before.toString()).isLessThanOrEqualTo(HomeCores.SLACK);
        assertThat(homes.place(List.of(0, 1), loads)).as("then kept").isEqualTo(before);
    }

    @Test
    void partitionsOnCoresNoLongerSharedMoveAndFewerThanTwoCoresPlaceNothing() {
        Map<Integer, HomeCores.Load> loads = new TreeMap<>(Map.of(1, new HomeCores.Load(1, 0.3),
                2, new HomeCores.Load(1, 0.3), 3, new HomeCores.Load(1, 0.3)));
        homes.place(List.of(0, 1, 2), loads);
        Map<Integer, String> two = homes.place(List.of(0, 1), loads); // core 2 taken by a dedicated partition
        assertThat(two.values()).allMatch(c -> c.equals("0") || c.equals("1"));
        assertThat(homes.place(List.of(1), loads).values()).containsOnly("1");
        loads.remove(3);
        assertThat(homes.place(List.of(0, 1), loads)).containsOnlyKeys(1, 2);
    }
}
