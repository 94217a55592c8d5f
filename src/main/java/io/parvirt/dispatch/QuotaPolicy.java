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
 * once. One that does not want more gets some headroom above what it uses. CFS lets a group
 * overrun its quota by a slice per CPU and refills the quota on every write: a held partition's
 * quota is corrected by a factor learned over at least a second of unchanged target, and quotas are
 * rewritten only when they move by more than {@link #HOLD}.
 */
final class QuotaPolicy {
    /** v1 cpu.shares bounds; a lender's threads get the maximum so its cores come back at once. */
    static final int MAX_SHARES = 262144;
    static final int MIN_SHARES = 2;
    /** Quota changes smaller than this (cores) are not written unless the partition's policy changed. */
    static final double HOLD = 0.02;

    private double quota;
    private double lastTarget;
    private double correction = 1;
    private double windowSeconds;
    private double windowUsed;
    private Allocation last;

    /** Processing units as the fraction of a core the enforcer and the allocator work in. */
    static double cores(ProcUnits units) {
        return units.hundredths() / 100.0;
    }

    /** The partition's weight against the others on the cgroup v1 {@code cpu.shares} scale. */
    static int shares(Allocation a) {
        if (a.dedicated()) {
            return a.lendsIdleCores() ? MAX_SHARES : (int) Math.min(MAX_SHARES, 1024L * a.vcpus());
        }
        // round(units × 1024) in integers: the entitlement, exact, as a weight.
        long shares = (a.procUnits().hundredths() * 1024L + 50) / 100;
        return (int) Math.max(MIN_SHARES, Math.min(MAX_SHARES, shares));
    }

    /** A dedicated partition: no quota (its cpuset holds it to its cores). */
    double dedicated(Allocation a) {
        quota = 0;
        last = a;
        return quota;
    }

    /**
     * The quota of a shared partition for the next interval.
     *
     * @param granted   cores the allocator granted
     * @param wantsMore the demand estimate's verdict
     * @param used      cores used over the last interval, which lasted {@code seconds} (0: not measured)
     */
    double decide(Allocation a, double granted, boolean wantsMore, double used, double seconds) {
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
        if (last != null && !last.equals(a)) {
            correction = 1; // a new policy (units, weight, mode, pool): learn its overrun afresh
        }
        correct(target, steady && wantsMore && seconds > 0, used, seconds);
        lastTarget = target;
        double next = Math.max(0.01, target * (wantsMore ? correction : 1));
        // Writing a CFS quota refills the group's runtime at once. A partition held at its quota
        // gets a new one only when the correction moved it (at most once a second); one below its
        // quota has headroom, and small drifts are not written.
        if (steady && quota > 0 && Math.abs(next - quota) < (wantsMore ? 0.005 : HOLD)) {
            next = quota;
        }
        quota = next;
        last = a;
        return quota;
    }

    /**
     * What a partition held at its quota really uses is measured over at least a second of
     * unchanged target, and the quota written is scaled by target / used. The overrun grows with
     * the quota, so the correction is a factor, kept across targets.
     */
    private void correct(double target, boolean held, double used, double seconds) {
        if (!held) {
            windowSeconds = 0;
            windowUsed = 0;
            return;
        }
        windowSeconds += seconds;
        windowUsed += used * seconds;
        if (windowSeconds >= 1.0) {
            double measured = windowUsed / windowSeconds;
            if (Math.abs(target - measured) >= 0.01 && measured > 0) {
                correction = Math.max(0.5, Math.min(1.1, correction * target / measured));
            }
            windowSeconds = 0;
            windowUsed = 0;
        }
    }

    /** The quota last decided (cores; 0: none). */
    double quota() {
        return quota;
    }

    /** The target of the last interval, before the overrun correction. */
    double lastTarget() {
        return lastTarget;
    }

    double correction() {
        return correction;
    }
}
