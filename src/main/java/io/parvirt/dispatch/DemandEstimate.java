package io.parvirt.dispatch;

import io.parvirt.model.Allocation;
import java.util.function.BooleanSupplier;

/**
 * What one shared partition would use over the next interval if nothing held it back. The kernel's
 * throttling count is the sure sign that it was held, when it throttled the partition in at least
 * {@link #HELD_PERIODS} bandwidth periods of the interval while the partition used at least
 * {@link #HELD_SHARE} of its target; without it, usage near its target. A throttled period or two in
 * an interval of little use is an idle guest's wake-ups (timer work and agent take up to 4 ms at
 * once under TCG, and a 10 ms period holds an entitlement of 0.20 to 2 ms), not more work than its
 * quota: counted as held, it made an idle partition using a tenth of its quota claim all its
 * virtual processors and take its spare back from a busy neighbour for {@link #CALM} intervals,
 * several times in ten seconds (DispatchScenarioTest: the busy B 0.06 below its share). Once held
 * back, a partition counts as wanting more (up to its virtual processors) until it has stayed well
 * below its target for {@link #CALM} intervals (the estimate must not flip with the noise of one
 * interval), or for one interval in which the kernel never throttled it and it never waited for a
 * CPU: then it ran out of work, which is no noise. A partition that is runnable but kept below its
 * entitlement by a busy host for {@link #STARVED} intervals claims its entitlement again.
 */
final class DemandEstimate {
    /** Intervals a partition must stay well below its target before it no longer counts as wanting more. */
    static final int CALM = 4;
    /** Intervals a partition must be held below its entitlement by the host before its guarantee is restored. */
    static final int STARVED = 3;
    /** Throttled bandwidth periods in one interval that mean more work than the quota, not a wake-up. */
    static final int HELD_PERIODS = 2;
    /** Share of its target a throttled partition must have used for the throttling to mean more work. */
    static final double HELD_SHARE = 0.5;

    private boolean wantsMore = true;
    private int calm;
    private int starved;
    private long lastThrottled = -1;
    private boolean heldLately;
    /** What it used in the last interval in which it neither wanted more nor had just stopped (0: none yet). */
    private double idleUse;

    /**
     * @param measured   whether the last interval was measured (not the first reading)
     * @param used       cores the partition used over the last interval
     * @param waited     cores' worth of time its vCPUs were runnable but waiting
     * @param throttled  the kernel's {@code nr_throttled} of its vCPU group now, -1 when unknown
     * @param lastTarget the quota target of the last interval (an uncapped partition's)
     * @param burst      the watch saw it throttled in {@link ThrottleWatch#BURST_PERIODS} periods just now
     * @param quietShare the share of the last interval at whose end the watch saw no throttled period, when
     *                   that lasted {@link ThrottleWatch#QUIET_NS} or more while the host had idle cores (so not for
     *                   want of a CPU); 0: not quiet
     * @param asleep     whether no vCPU thread of the partition is runnable now: asked only when the interval
     *                   looks as if it ran out of work
     * @return the demand in cores
     */
    double estimate(Allocation a, boolean measured, double used, double waited, long throttled, double lastTarget,
            boolean burst, double quietShare, BooleanSupplier asleep) {
        boolean quiet = quietShare > 0;
        boolean wanted = wantsMore;
        double ec = QuotaPolicy.cores(a.procUnits());
        double target = a.capped() ? ec : lastTarget;
        double tolerance = Math.max(0.01, 0.1 * target);
        long periods = throttled >= 0 && lastThrottled >= 0 ? throttled - lastThrottled : -1;
        // Throttled in the interval, but quiet at its end: the throttling was the busy start of a
        // burst that has ended (one that ended past the interval's middle kept its claim another step).
        boolean held = periods >= HELD_PERIODS && used >= HELD_SHARE * target && !quiet || burst;
        // Quota left in every period and a CPU whenever it was runnable, yet well below its target:
        // the partition ran out of work, not of cycles. Its claim goes at once, so that a busy
        // neighbour gets the spare back in one interval instead of CALM (a guest that bursts 500 ms
        // and idles 500 ms held it for 400 ms of each idle half). Without the kernel's count, CALM
        // intervals decide. Quiet for the watch (no throttled period for 40 ms, idle cores on the
        // host) is enough by itself: the interval's wait then is the throttled wait of its busy
        // start, and asked to be small it kept the claim of a burst that ended within the interval
        // to the next interval (bench/dispatch.sh phase 4: B held at half the pool up to 200 ms after
        // C stopped, where the watch can see C quiet after 40-60).
        // Either way its vCPUs must be asleep now: neither sign tells a partition out of work from one
        // that could not run. A thread that waited a whole short interval for a CPU shows no use, no
        // throttling and no wait yet (schedstat adds the wait when it runs); a partition whose core
        // something else took for 100-200 ms is not throttled either, and the host-wide idle cores
        // that the watch asks for were on the other core (bench/dispatch-ten.sh: the busy V1's claim
        // went, its spare to V2, and the placement moved five times in 1.2 s).
        // (Asked last, and only of a partition that still claims: it reads /proc, and an idle one's
        // every interval looks like this; 20 idle partitions' reads were a third of the interval's cost.)
        boolean outOfWorkSigns = periods == 0 && waited < tolerance || quiet && !burst;
        heldLately = periods > 0;
        lastThrottled = throttled;
        if (!measured || held || used >= target - tolerance) {
            calm = 0;
            wantsMore = true;
        } else if (used < target - 2 * tolerance
                && (++calm >= CALM || wantsMore && outOfWorkSigns && asleep.getAsBoolean())) {
            wantsMore = false;
        }
        double demand = wantsMore ? a.vcpus() : wanted && quiet ? endedBurst(used, target, quietShare) : used;
        if (!wantsMore && !wanted) {
            idleUse = used;
        }
        // Runnable but held below its entitlement by a busy host, interval after interval (an idle
        // partition's brief wake-ups also wait a little, once): restore its guarantee.
        boolean kept = !wantsMore && used < ec && waited >= Math.max(0.05, 0.5 * (ec - used));
        starved = kept ? starved + 1 : 0;
        return starved >= STARVED ? ec : demand;
    }

    /**
     * What a partition whose burst the watch saw end uses now: the interval's mean holds the burst's
     * busy start at its quota ({@code target}), and claimed whole it left a busy neighbour without
     * part of the spare until the next interval, whose new grant was a second quota write and with
     * it a second refill (bench/dispatch.sh phase 4: B 0.57-0.79 in the 50 ms sample 100-150 ms after
     * C stopped, then 0.89-1.08 in the next, after 12 of 18 stops). The quiet part's use is what is
     * left of the mean beyond the quota over the rest; the quiet is counted from the watch step that
     * saw the last throttled period, up to a step late, so this is low, and the use of the last idle
     * interval, when there was one, is the floor.
     */
    private double endedBurst(double used, double target, double quietShare) {
        double s = Math.min(1, quietShare);
        double quietUse = Math.max(0, used - target * (1 - s)) / s;
        return Math.min(used, Math.max(quietUse, idleUse));
    }

    /** Whether the kernel throttled the partition in the last interval. */
    boolean heldLately() {
        return heldLately;
    }

    /** Whether the partition counts as wanting more than it was given. */
    boolean wantsMore() {
        return wantsMore;
    }
}
