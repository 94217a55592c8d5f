package io.parvirt.dispatch;

import io.parvirt.model.Allocation;
import io.parvirt.model.ProcUnits;

/**
 * Turns one partition's grant into what its vCPU threads are held to: the CFS quota (cores per
 * period) and the weight against other partitions. Processing units stay exact hundredths up to
 * here; {@link #cores} is where they become the enforcer's fractions of a core.
 *
 * <p>Capped partitions are held to their entitlement; an uncapped partition's quota is what it was
 * granted and never below its entitlement, so a partition that wakes up has its entitlement at
 * once. One that does not want more gets some headroom above what it uses. Quotas are rewritten only
 * when they move by more than {@link #HOLD}: every write refills the group's runtime.
 *
 * <p>A held partition's use differs from its quota by an amount learnt as cores per virtual
 * processor ({@link #overrun()}), not as a factor of the quota: it is what the kernel's accounting and
 * the host's other work add or take per running CPU, whatever the quota (see the package doc, "The
 * overrun"). The quota written is the target less that term.
 */
final class QuotaPolicy {
    /** v1 cpu.shares bounds; a lender's threads get the maximum so its cores come back at once. */
    static final int MAX_SHARES = 262144;
    static final int MIN_SHARES = 2;
    /** Quota changes smaller than this (cores) are not written unless the partition's policy changed. */
    static final double HOLD = 0.02;

    /** Bounds of the quota written for a held partition, as factors of its target (noise, not overrun). */
    static final double LEAST = 0.5;
    static final double MOST = 1.1;
    /** Seconds of held intervals the overrun is measured over before it is learnt anew. */
    static final double LEARN_SECONDS = 1.0;
    /**
     * Share of an interval its vCPUs must have had work (ran or waited, throttled waits included)
     * for the interval to be learnt from: one in which they ran out of work part of the time says
     * nothing of the overrun.
     */
    static final double WORKING = 0.9;

    private double quota;
    private double lastTarget;
    /** Cores per virtual processor by which a held partition's use exceeds its quota (negative: falls short). */
    private double overrun;
    private double windowSeconds;
    /** Over the window: Σ (used − quota in force) / VPs × seconds, and Σ (used − target) × seconds. */
    private double windowExcess;
    private double windowError;
    /** Whether the quota in force since the last decision holds a partition wanting more, and was not written then. */
    private boolean heldUnwritten;
    /** The target and overrun the quota in force was written for, and whether it held a partition wanting more. */
    private double writtenTarget;
    private double writtenOverrun;
    private boolean writtenHeld;
    private Allocation last;
    /** The weight last decided ({@link #weight}); -1: none yet. */
    private int weight = -1;
    private Allocation weighed;

    /** Processing units as the fraction of a core the enforcer and the allocator work in. */
    static double cores(ProcUnits units) {
        return units.hundredths() / 100.0;
    }

    /**
     * The partition's weight against the others on the cgroup v1 {@code cpu.shares} scale. A shared
     * partition's is its grant, never below its entitlement, in hundredths of a core × 1024: when the
     * host's cores are all taken (the grants add up to them), CFS gives each busy group turns in
     * proportion to its weight, and equal entitlement-sized weights left the thread granted half a
     * core waiting at the end of each period behind ten granted a tenth (bench/dispatch-ten.sh: V1
     * 0.44 and V2 0.37 for 0.49 and 0.41).
     */
    static int shares(Allocation a, double granted) {
        if (a.dedicated()) {
            return a.lendsIdleCores() ? MAX_SHARES : (int) Math.min(MAX_SHARES, 1024L * a.vcpus());
        }
        long hundredths = Math.max(a.procUnits().hundredths(), Math.round(granted * 100));
        long shares = (hundredths * 1024L + 50) / 100;
        return (int) Math.max(MIN_SHARES, Math.min(MAX_SHARES, shares));
    }

    /**
     * The partition's weight for the next interval: {@link #shares}, kept while it moves by less than
     * {@link #HOLD} of a core and the policy is the same (a grant of what an idle partition used
     * moves every interval, and each move would be a write).
     */
    int weight(Allocation a, double granted) {
        int next = shares(a, granted);
        if (weight < 0 || !a.equals(weighed) || Math.abs(next - weight) >= Math.round(HOLD * 1024)) {
            weight = next;
            weighed = a;
        }
        return weight;
    }

    /** A dedicated partition: no quota (its cpuset holds it to its cores). */
    double dedicated(Allocation a) {
        quota = 0;
        heldUnwritten = false;
        last = a;
        return quota;
    }

    /**
     * The quota of a shared partition for the next interval.
     *
     * @param granted   cores the allocator granted
     * @param wantsMore the demand estimate's verdict
     * @param used      cores used over the last interval, which lasted {@code seconds} (0: not measured)
     * @param runnable  cores' worth of time its vCPUs had work over the last interval: ran, or were
     *                  runnable and waited (for a CPU or, throttled, for the next period)
     */
    double decide(Allocation a, double granted, boolean wantsMore, double used, double runnable, double seconds) {
        double ec = cores(a.procUnits());
        double target;
        if (a.capped()) {
            target = ec;
        } else if (wantsMore) {
            target = Math.max(ec, granted);
        } else {
            target = Math.max(ec, granted + Math.max(0.05, 0.25 * used));
        }
        target = Math.min(target, a.vcpus());
        boolean steady = a.equals(last) && lastTarget > 0 && Math.abs(lastTarget - target) < HOLD;
        learn(wantsMore && heldUnwritten && last != null && runnable >= WORKING * last.vcpus(), used, seconds);
        double next = wantsMore ? held(target, a.vcpus()) : target;
        // Writing a CFS quota refills the group's runtime at once: a held (throttled) group gets up to
        // a whole period's quota more, 0.08 core over a 100 ms interval at 0.8. A partition held at
        // its quota gets a new one when its target moved by HOLD from the one written, or the
        // overrun learnt moved (at most once a second): the target of a busy partition beside an idle
        // one moves with the idle one's use, a hundredth or two every interval, and rewritten for
        // each move of 0.005, B of bench/dispatch.sh phase 4 ran up to 0.05 over the pool's rest late
        // in C's idle halves. One below its quota has headroom, and small drifts are not written.
        boolean keep = wantsMore
                ? a.equals(last) && quota > 0 && writtenHeld && Math.abs(target - writtenTarget) < HOLD
                        && overrun == writtenOverrun
                : steady && quota > 0 && Math.abs(next - quota) < HOLD;
        if (keep) {
            next = quota;
        } else {
            writtenTarget = target;
            writtenOverrun = overrun;
            writtenHeld = wantsMore;
        }
        heldUnwritten = wantsMore && next == quota;
        lastTarget = target;
        quota = next;
        last = a;
        return quota;
    }

    /** The quota that holds a partition wanting more at {@code target}: the target less the overrun of its VPs. */
    private double held(double target, int vcpus) {
        double q = target - vcpus * overrun;
        return Math.max(0.01, Math.max(LEAST * target, Math.min(MOST * target, q)));
    }

    /**
     * Measures the overrun over held intervals whose quota was not rewritten at their start (a write
     * refills the runtime, up to a period's quota more) and in which every vCPU had work throughout
     * ({@link #WORKING}). They need not be consecutive nor at one target: a partition whose target
     * changes every few hundred ms (bench/dispatch.sh phase 4) learns from the stretches between the
     * changes. The interval measured is the one since the last decision, under the quota and VPs
     * decided then. The interval in which a burst ends still counts as held (the demand estimate
     * learns of the end after it), with its vCPUs idle for part of it: learnt from, those intervals
     * gave the bursting C of phase 4 an overrun of −0.01 core per vCPU (a quota of 0.42 for 0.40),
     * where its busy intervals show +0.005 (0.43 used on average while busy). Whether the
     * vCPUs had work is the meter's run + wait, not the use against the quota: a use well below the
     * quota is also what a busy partition without a CPU shows.
     */
    private void learn(boolean held, double used, double seconds) {
        if (!held || seconds <= 0) {
            return;
        }
        windowSeconds += seconds;
        windowExcess += (used - quota) / last.vcpus() * seconds;
        windowError += (used - lastTarget) * seconds;
        if (windowSeconds >= LEARN_SECONDS) {
            // Within 0.01 core of the target already: noise, not a new overrun.
            if (Math.abs(windowError / windowSeconds) >= 0.01) {
                overrun = windowExcess / windowSeconds;
            }
            windowSeconds = 0;
            windowExcess = 0;
            windowError = 0;
        }
    }

    /** The quota last decided (cores; 0: none). */
    double quota() {
        return quota;
    }

    /** The target of the last interval, before the overrun is taken off. */
    double lastTarget() {
        return lastTarget;
    }

    /** The overrun learnt, cores per virtual processor. */
    double overrun() {
        return overrun;
    }
}
