package io.parvirt.dispatch;

/**
 * One partition's throttle count between intervals, read every watch step (20 ms; 10 ms while few
 * partitions are watched: {@link Dispatcher#FEW_WATCHED}) so that a
 * partition that starts or stops working is seen within a few bandwidth periods, not at the next
 * 100 ms interval and then one more (bench/dispatch.sh phase 4: a guest busy 500 ms and idle 500 ms
 * got its share of the spare, and gave it back, 100–200 ms late on every edge).
 *
 * <p>A <b>burst</b> is the kernel throttling the partition in {@link #BURST_PERIODS} periods within
 * {@link #BURST_NS}: more work than its quota for 30 ms on end. An idle TCG guest's wake-ups (timer
 * work and agent, up to 4 ms at once) overrun a 2–2.5 ms quota in at most two periods. <b>Quiet</b>
 * is no throttled period for {@link #QUIET_NS} by a partition that was held in its last interval:
 * four periods in which its quota was not used up.
 *
 * <p>A burst is also seen sooner, by the time its CPUs spent throttled: {@link #FAST_THROTTLED_NS}
 * or more within {@link #FAST_NS} (one watch step), in at least one throttled period. A partition
 * whose vCPUs all work at a quota of a few ms a period is throttled for most of every period on
 * every CPU it runs on (C of bench/dispatch.sh phase 4, 2 vCPUs at 2 ms a period: about 18 ms in
 * each 10 ms period), where an idle guest's wake-up (up to 4 ms of work on one vCPU) leaves one
 * CPU throttled for less than a period. The count of periods needs three period ends (20–30 ms of
 * work, then up to a watch step more: 30–50 ms, in which the busy neighbour kept the pool's rest
 * and the pool ran at up to 1.47 of its maximum); the time, one or two.
 */
final class ThrottleWatch {
    static final int BURST_PERIODS = 3;
    static final long BURST_NS = 45_000_000;
    static final long QUIET_NS = 40_000_000;
    static final long FAST_NS = 25_000_000;
    static final long FAST_THROTTLED_NS = 10_000_000;
    /** Readings kept: enough to look back {@link #BURST_NS} at the shortest watch step (10 ms). */
    private static final int KEPT = 6;
    private final long[] counts = new long[KEPT];
    private final long[] times = new long[KEPT];
    private final long[] at = new long[KEPT];
    private int seen;
    private long lastRiseAt;

    /**
     * A reading of the count ({@code nr_throttled}; -1: unknown, ignored) and of the throttled time so
     * far ({@code timeNs}, summed over CPUs; -1: unknown) at {@code now} ns.
     */
    void see(long count, long timeNs, long now) {
        if (count < 0) {
            return;
        }
        if (seen > 0 && count != counts[(seen - 1) % KEPT]) {
            lastRiseAt = now;
        } else if (seen == 0) {
            lastRiseAt = now;
        }
        counts[seen % KEPT] = count;
        times[seen % KEPT] = timeNs;
        at[seen % KEPT] = now;
        seen++;
    }

    /**
     * Throttled in at least {@link #BURST_PERIODS} periods over the last {@link #BURST_NS}, or for
     * {@link #FAST_THROTTLED_NS} over the last {@link #FAST_NS}.
     */
    boolean burst(long now) {
        if (seen < 2) {
            return false;
        }
        long latest = counts[(seen - 1) % KEPT];
        long latestTime = times[(seen - 1) % KEPT];
        for (int k = 2; k <= Math.min(seen, KEPT); k++) {
            int i = (seen - k) % KEPT;
            if (now - at[i] > BURST_NS) {
                break;
            }
            if (latest - counts[i] >= BURST_PERIODS) {
                return true;
            }
            if (now - at[i] <= FAST_NS && latest > counts[i] && times[i] >= 0 && latestTime >= 0
                    && latestTime - times[i] >= FAST_THROTTLED_NS) {
                return true;
            }
        }
        return false;
    }

    /** No throttled period for {@link #QUIET_NS} or longer (false before two readings). */
    boolean quiet(long now) {
        return seen >= 2 && now - lastRiseAt >= QUIET_NS;
    }

    /**
     * The share of an interval of {@code intervalNs} since the reading that first saw the last
     * throttled period, at most 1 (1 when the interval's length is not known yet).
     */
    double quietShare(long now, long intervalNs) {
        return intervalNs > 0 ? Math.min(1, (now - lastRiseAt) / (double) intervalNs) : 1;
    }
}
