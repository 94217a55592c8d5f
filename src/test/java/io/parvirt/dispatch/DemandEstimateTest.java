package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.parvirt.model.Allocation;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class DemandEstimateTest {
    /** The partition's vCPUs are asleep whenever the estimate asks. */
    static final BooleanSupplier ASLEEP = () -> true;

    /** One measured interval: cores used and waited, the kernel's throttle count, the last target. */
    record Interval(double used, double waited, long throttled, double lastTarget) {
    }

    static Interval using(double used, double lastTarget) {
        return new Interval(used, 0, -1, lastTarget);
    }

    /** The demands estimated over a run of intervals (the first one measured). */
    static List<Double> run(Allocation a, Interval... intervals) {
        DemandEstimate e = new DemandEstimate();
        return java.util.Arrays.stream(intervals)
                .map(i -> e.estimate(a, true, i.used(), i.waited(), i.throttled(), i.lastTarget(), false, 0, ASLEEP)).toList();
    }

    @Test
    void beforeAnythingIsMeasuredAPartitionWantsAllItsVirtualProcessors() {
        DemandEstimate e = new DemandEstimate();
        assertThat(e.estimate(Lpars.uncapped(1, "0.5", 3), false, 0, 0, -1, 0, false, 0, ASLEEP)).isEqualTo(3);
        assertThat(e.wantsMore()).isTrue();
    }

    @Test
    void wellBelowItsTargetForFourCalmIntervalsItWantsWhatItUses() {
        Interval calm = using(0.3, 1.0);
        assertThat(run(Lpars.uncapped(1, "0.5", 2), calm, calm, calm, calm, calm))
                .containsExactly(2.0, 2.0, 2.0, 0.3, 0.3);
    }

    @Test
    void oneBusyIntervalRestartsTheCalmCount() {
        Interval calm = using(0.3, 1.0);
        Interval busy = using(0.95, 1.0); // within 10 % of its target
        assertThat(run(Lpars.uncapped(1, "0.5", 2), calm, calm, calm, busy, calm, calm, calm, calm))
                .containsExactly(2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 0.3);
    }

    @Test
    void usageJustBelowTheTargetIsNeitherBusyNorCalm() {
        // target 1.0, tolerance 0.1: 0.85 is below target - tolerance but not below target - 2 × tolerance.
        Interval between = using(0.85, 1.0);
        assertThat(run(Lpars.uncapped(1, "0.5", 2), between, between, between, between, between))
                .containsOnly(2.0);
    }

    @Test
    void throttlingByTheKernelMeansItWasHeldThoughBelowItsTarget() {
        Allocation a = Lpars.uncapped(1, "0.5", 2);
        // Waiting for a CPU (0.2 cores' worth) throughout: below its target for want of cycles, so calm
        // only by CALM. Calm for intervals 2 and 3, throttled in two periods at 4 (count 10 → 12), calm
        // again from 5: no fourth calm yet.
        List<Double> demands = run(a, new Interval(0.6, 0.2, 10, 1.0), new Interval(0.6, 0.2, 10, 1.0),
                new Interval(0.6, 0.2, 10, 1.0), new Interval(0.6, 0.2, 12, 1.0), new Interval(0.6, 0.2, 12, 1.0),
                new Interval(0.6, 0.2, 12, 1.0), new Interval(0.6, 0.2, 12, 1.0));
        assertThat(demands).containsOnly(2.0);
    }

    @Test
    void anIntervalNeverThrottledNorWaitingEndsTheClaimAtOnce() {
        // A guest that bursts: held at 0.4 (throttled, count 20 → 30), then idle. The first interval with
        // no throttled period and no wait lets its busy neighbour have the spare back.
        Allocation a = Lpars.uncapped(1, "0.2", 2);
        List<Double> demands = run(a, new Interval(0.4, 0, 20, 0.4), new Interval(0.4, 0, 30, 0.4),
                new Interval(0.03, 0, 30, 0.4), new Interval(0.02, 0, 30, 0.25), new Interval(0.2, 0, 34, 0.25));
        assertThat(demands).containsExactly(2.0, 2.0, 0.03, 0.02, 2.0);
    }

    @Test
    void aBusyHostsWaitKeepsTheClaimForCalmIntervals() {
        // Below its target for want of CPU (waited 0.3) without being throttled: not out of work.
        Allocation a = Lpars.uncapped(1, "0.2", 2);
        Interval short_ = new Interval(0.4, 0.3, 20, 0.8);
        assertThat(run(a, new Interval(0.8, 0, 20, 0.8), short_, short_, short_, short_))
                .containsExactly(2.0, 2.0, 2.0, 2.0, 0.4);
    }

    @Test
    void anIdleGuestsThrottledWakeUpsAreNotMoreWork() {
        // An idle TCG guest at a tenth of its 0.20: its timer work overran 2 ms in three periods of an interval.
        Allocation a = Lpars.uncapped(1, "0.2", 2);
        List<Double> demands = run(a, new Interval(0.02, 0, 5, 0.2), new Interval(0.02, 0, 6, 0.2),
                new Interval(0.02, 0, 7, 0.2), new Interval(0.02, 0, 8, 0.2), new Interval(0.03, 0, 11, 0.2),
                new Interval(0.02, 0, 14, 0.2));
        assertThat(demands).containsExactly(2.0, 2.0, 2.0, 0.02, 0.03, 0.02);
    }

    @Test
    void oneThrottledPeriodIsAWakeUpNotMoreWork() {
        // An idle partition's timer work overran its 3 ms of one 10 ms period once in an interval, twice over four.
        Allocation a = Lpars.uncapped(1, "0.3", 2);
        List<Double> demands = run(a, new Interval(0.02, 0, 5, 0.3), new Interval(0.02, 0, 6, 0.3),
                new Interval(0.02, 0, 7, 0.3), new Interval(0.02, 0, 8, 0.3), new Interval(0.02, 0, 9, 0.3));
        assertThat(demands).containsExactly(2.0, 2.0, 2.0, 0.02, 0.02);
    }

    @Test
    void anUnknownThrottleCountIsNotThrottling() {
        Interval calm = new Interval(0.3, 0, -1, 1.0);
        assertThat(run(Lpars.uncapped(1, "0.5", 2), calm, calm, calm, calm)).last().isEqualTo(0.3);
    }

    @Test
    void aCappedPartitionsTargetIsItsEntitlementNotTheLastQuota() {
        // Using 0.46 of an entitlement of 0.5 is busy (tolerance 0.05) although the last target said 2.
        Interval nearEntitlement = using(0.46, 2.0);
        assertThat(run(Lpars.capped(1, "0.5", 2), nearEntitlement, nearEntitlement, nearEntitlement, nearEntitlement,
                nearEntitlement)).containsOnly(2.0);
    }

    @Test
    void heldBelowItsEntitlementByABusyHostForThreeIntervalsItClaimsItsEntitlement() {
        Allocation a = Lpars.uncapped(1, "0.5", 2);
        Interval calm = using(0.1, 1.0);
        Interval starved = new Interval(0.1, 0.3, -1, 1.0); // waited 0.3 ≥ max(0.05, 0.5 × (0.5 - 0.1))
        List<Double> demands = run(a, calm, calm, calm, calm, starved, starved, starved, calm);
        assertThat(demands.subList(3, 8)).containsExactly(0.1, 0.1, 0.1, 0.5, 0.1);
    }

    @Test
    void anIdlePartitionsBriefWaitsAreNotStarvation() {
        Allocation a = Lpars.uncapped(1, "0.5", 2);
        Interval calm = using(0.1, 1.0);
        Interval waitedLittle = new Interval(0.1, 0.1, -1, 1.0); // below 0.5 × (0.5 - 0.1)
        List<Double> demands = run(a, calm, calm, calm, calm, waitedLittle, waitedLittle, waitedLittle);
        assertThat(demands.getLast()).isCloseTo(0.1, within(1e-12));
    }

    /**
     * Issue 18, bench/dispatch.sh phase 4: C held at 0.40 stops 40 ms into a 100 ms interval, and
     * the watch sees it quiet for the last 60: it used 0.4 × 0.4 + 0.01 × 0.6 = 0.166. It claims what
     * it uses now, not the interval's mean with its busy start in it (that left B 0.17 short of the
     * pool's rest until the next interval, whose new grant was a second quota write).
     */
    @Test
    void aBurstThatEndedWithinTheIntervalClaimsWhatTheQuietPartUsed() {
        Allocation c = Lpars.uncapped(3, "0.2", 2);
        DemandEstimate e = new DemandEstimate();
        // Idle for five intervals (0.02 its idle use), then held at 0.40 for three.
        for (int i = 0; i < 5; i++) {
            e.estimate(c, true, 0.02, 0, 100, 0.2, false, 0, ASLEEP);
        }
        assertThat(e.wantsMore()).isFalse();
        e.estimate(c, true, 0.2, 0.6, 110, 0.2, true, 0, ASLEEP);
        for (int i = 0; i < 2; i++) {
            assertThat(e.estimate(c, true, 0.4, 1.6, 120 + 10 * i, 0.4, false, 0, ASLEEP)).isEqualTo(2.0);
        }
        double demand = e.estimate(c, true, 0.166, 0.4, 134, 0.4, false, 0.6, ASLEEP);
        assertThat(e.wantsMore()).isFalse();
        assertThat(demand).isCloseTo(0.02, within(0.002));
        // The next interval, all of it quiet: its mean again.
        assertThat(e.estimate(c, true, 0.015, 0, 134, 0.2, false, 1.0, ASLEEP)).isCloseTo(0.015, within(1e-12));
    }

    @Test
    void aPartitionThatSlowsDownClaimsWhatItUsesAfterTheBurst() {
        // Held at 0.8, then working at 0.3 for the last 60 ms of the interval: 0.8 × 0.4 + 0.3 × 0.6 = 0.5.
        Allocation a = Lpars.uncapped(1, "0.2", 2);
        DemandEstimate e = new DemandEstimate();
        e.estimate(a, true, 0.8, 1.2, 10, 0.8, false, 0, ASLEEP);
        e.estimate(a, true, 0.8, 1.2, 20, 0.8, false, 0, ASLEEP);
        assertThat(e.estimate(a, true, 0.5, 0.4, 24, 0.8, false, 0.6, ASLEEP)).isCloseTo(0.3, within(1e-9));
    }

    /**
     * Issue 18, bench/dispatch-ten.sh: a busy partition whose core something else took for 100-200 ms
     * had a 20 ms interval without use, throttling or wait (its thread never ran in it) and was then
     * quiet for the watch; taken for out of work, it lost its claim and its spare went to others. Its
     * vCPU was runnable all along: it keeps its claim. Asleep, the same interval ends it.
     */
    @Test
    void anIntervalWithoutUseEndsTheClaimOnlyWhenTheVcpusAreAsleep() {
        Allocation a = Lpars.uncapped(1, "0.1", 1);
        DemandEstimate starved = new DemandEstimate();
        DemandEstimate idle = new DemandEstimate();
        for (DemandEstimate e : List.of(starved, idle)) { // held at its target of 0.49
            e.estimate(a, true, 0.45, 0.55, 10, 0.49, false, 0, ASLEEP);
            e.estimate(a, true, 0.45, 0.55, 20, 0.49, false, 0, ASLEEP);
        }
        assertThat(starved.estimate(a, true, 0, 0, 20, 0.49, false, 0, () -> false)).isEqualTo(1);
        assertThat(idle.estimate(a, true, 0, 0, 20, 0.49, false, 0, ASLEEP)).isZero();
        assertThat(starved.estimate(a, true, 0.12, 0.75, 21, 0.49, false, 0.6, () -> false))
                .as("quiet for the watch, runnable").isEqualTo(1);
        assertThat(starved.wantsMore()).isTrue();
        // Idle, it claims nothing: its threads are not read again, interval after interval.
        int[] asked = {0};
        for (int i = 0; i < 5; i++) {
            idle.estimate(a, true, 0.01, 0, 20, 0.1, false, 1.0, () -> ++asked[0] > 0);
        }
        assertThat(asked[0]).as("reads of an idle partition's threads").isZero();
    }
}
