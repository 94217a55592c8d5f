package io.parvirt.dispatch;

/**
 * A partition's CFS bandwidth as the kernel takes it: {@code quotaUs} of CPU time per
 * {@code periodUs} (v1 {@code cpu.cfs_quota_us}/{@code cpu.cfs_period_us}, v2 {@code cpu.max});
 * quota -1: unlimited.
 *
 * <p>The period is PowerVM's 10 ms dispatch window by default, and longer only where the kernel
 * needs it: it refuses a quota under 1 ms, so a partition held to less than 0.1 core gets the
 * shortest multiple of the base period that holds 1 ms of it (0.05 core: 20 ms). Why short:
 * a group held at quota q that runs at r cores while it may uses its q·P of each period in a burst
 * and then waits, so a measuring window of W that cuts a period sees up to q·P·(1 − q/r) more or
 * less than q·W. With B of the acceptance scenario (0.8 core on 2 vCPUs) that is 0.089 core in a
 * 250 ms window at P = 50 ms, and 0.018 at 10 ms; in 100 ms windows 0.22 against 0.044. See
 * {@link #windowSpread}.
 */
record CfsBandwidth(long quotaUs, long periodUs) {
    /** The kernel's smallest quota and period ({@code min_cfs_quota_period}). */
    static final long MIN_US = 1000;
    /** The kernel's largest period. */
    static final long MAX_PERIOD_US = 1_000_000;

    static final CfsBandwidth UNLIMITED = new CfsBandwidth(-1, 0);

    /** {@code cores} (≤ 0: unlimited) per a period of {@code basePeriodUs}, or the shortest multiple of it that holds 1 ms. */
    static CfsBandwidth of(double cores, long basePeriodUs) {
        if (cores <= 0) {
            return new CfsBandwidth(-1, basePeriodUs);
        }
        long need = (long) Math.ceil(MIN_US / cores - 1e-6);
        long period = basePeriodUs * Math.max(1, (need + basePeriodUs - 1) / basePeriodUs);
        period = Math.min(MAX_PERIOD_US, period);
        return new CfsBandwidth(Math.max(MIN_US, Math.round(cores * period)), period);
    }

    boolean unlimited() {
        return quotaUs < 0;
    }

    /**
     * The largest difference, in cores, between what a group held at {@code cores} uses in a
     * window of {@code windowUs} and {@code cores}, when its threads run at {@code runCores} while
     * they may: q·P·(1 − q/r) / W (one period cut by the window's edge), plus one scheduler tick
     * per running CPU ({@code tickUs}: CFS charges a busy thread's time, and so throttles it, at
     * ticks).
     */
    static double windowSpread(double cores, double runCores, long periodUs, long windowUs, long tickUs) {
        double r = Math.max(cores, runCores);
        double cut = cores * periodUs * (1 - cores / r);
        return (cut + tickUs * Math.ceil(r)) / windowUs;
    }
}
