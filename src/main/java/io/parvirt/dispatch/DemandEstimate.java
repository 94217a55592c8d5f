package io.parvirt.dispatch;

import io.parvirt.model.Allocation;

/**
 * What one shared partition would use over the next interval if nothing held it back, decided
 * afresh every interval from that interval alone, so that a donor's wake-up is seen, and its
 * donation taken back, at the next interval (see the package doc for the rule and why).
 *
 * <ul>
 * <li><b>Held</b>: it used its target (within 10 %), or the kernel throttled its vCPU group in at
 *     least {@link #HELD_PERIODS} bandwidth periods of the interval. It then claims all its virtual
 *     processors and the allocator gives it its entitlement and its weight's share of the spare.
 *     One throttled period is a short wake-up (a 10 ms period holds an entitlement of 0.20 to
 *     2 ms, which a guest's timer work can take), not a partition that wants more; two are the
 *     whole of a 20 ms interval.</li>
 * <li><b>Donor</b>: otherwise it claims what it used, in steps of {@link #STEP} rounded down and
 *     kept while its use stays within two steps above: the noise of an idle partition must not move
 *     its neighbours' grants (each quota write costs them, see {@link QuotaPolicy}), and what it
 *     uses beyond its claim is covered by the headroom of its quota, which never falls below its
 *     entitlement.</li>
 * <li>A donor kept below its entitlement by a busy host (runnable, waiting) for {@link #STARVED}
 *     intervals claims its entitlement again.</li>
 * </ul>
 */
final class DemandEstimate {
    /** Throttled bandwidth periods in one interval that mean more work than the quota, not a wake-up. */
    static final int HELD_PERIODS = 2;
    /** A donor's claim moves in steps of this (cores: hundredths of a core, as processing units). */
    static final double STEP = 0.05;
    private static final int STEP_HUNDREDTHS = 5;
    /** Intervals a partition must be held below its entitlement by the host before its guarantee is restored. */
    static final int STARVED = 3;

    private boolean wantsMore = true;
    private double donated = -1;
    private int starved;
    private long lastThrottled = -1;

    /**
     * @param measured   whether the last interval was measured (not the first reading)
     * @param used       cores the partition used over the last interval
     * @param waited     cores' worth of time its vCPUs were runnable but waiting
     * @param throttled  the kernel's {@code nr_throttled} of its vCPU group now, -1 when unknown
     * @param lastTarget the quota target of the last interval (an uncapped partition's)
     * @return the demand in cores
     */
    double estimate(Allocation a, boolean measured, double used, double waited, long throttled, double lastTarget) {
        double ec = QuotaPolicy.cores(a.procUnits());
        double target = a.capped() ? ec : lastTarget;
        double tolerance = Math.max(0.01, 0.1 * target);
        long heldPeriods = throttled >= 0 && lastThrottled >= 0 ? throttled - lastThrottled : 0;
        lastThrottled = throttled;
        wantsMore = !measured || heldPeriods >= HELD_PERIODS || used >= target - tolerance;
        double demand;
        if (wantsMore) {
            donated = -1;
            demand = a.vcpus();
        } else {
            if (donated < 0 || used < donated || used >= donated + 2 * STEP) {
                donated = Math.floor(used * 100 / STEP_HUNDREDTHS + 1e-9) * STEP_HUNDREDTHS / 100.0;
            }
            demand = donated;
        }
        // Runnable but held below its entitlement by a busy host, interval after interval (an idle
        // partition's brief wake-ups also wait a little, once): restore its guarantee.
        boolean kept = !wantsMore && used < ec && waited >= Math.max(0.05, 0.5 * (ec - used));
        starved = kept ? starved + 1 : 0;
        return starved >= STARVED ? ec : demand;
    }

    /** Whether the partition counts as wanting more than it was given. */
    boolean wantsMore() {
        return wantsMore;
    }
}
