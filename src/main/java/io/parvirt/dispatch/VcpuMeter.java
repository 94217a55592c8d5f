package io.parvirt.dispatch;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * Measures one partition's vCPU threads from one reading to the next: the share of a core they
 * ran, the share they spent runnable but waiting for a CPU, and the nanoseconds they ran. The
 * clock is read just before the threads, per partition: on a busy host the dispatching thread can
 * be held between two partitions' readings, and each must be divided by its own interval.
 */
final class VcpuMeter {
    /** Where vCPU time comes from: {@link ThreadClock} ({@code schedstat}) on a host. */
    @FunctionalInterface
    interface Source {
        /** {@code process}: the whole process's time is wanted too. */
        ThreadClock.Reading read(long pid, List<Long> tids, boolean process);

        /**
         * Whether one of the threads is runnable now (running or waiting for a CPU). Tests' fake
         * clocks have no threads: their partitions are asleep whenever they look idle.
         */
        default boolean runnable(long pid, List<Long> tids) {
            return false;
        }
    }

    /**
     * How often the whole process's time is read: about once a second at the default interval. A
     * process's {@code stat} sums all its threads, and its 10 ms ticks say little over one interval.
     */
    static final long PROCESS_EVERY_NS = 1_000_000_000;

    private final Source source;
    private final LongSupplier nanoTime;
    private long lastRunNs = -1;
    private long lastWaitNs;
    private long lastAt;
    private long intervalNs;
    private long ranNs;
    private double used;
    private double waited;
    private long lastProcessNs = -1;
    private long lastProcessAt;
    private long ranSinceProcess;
    private double otherThreads;

    VcpuMeter(Source source, LongSupplier nanoTime) {
        this.source = source;
        this.nanoTime = nanoTime;
    }

    /** Whether none of the threads is runnable now: the partition is idle, not waiting for a CPU. */
    boolean asleep(long pid, List<Long> tids) {
        return !source.runnable(pid, tids);
    }

    /**
     * Reads the threads now. True when an interval was measured; false at the first reading or when
     * the clock did not move, and then the last interval's shares stay as they were.
     */
    boolean measure(long pid, List<Long> tids) {
        long at = nanoTime.getAsLong();
        ThreadClock.Reading rd = source.read(pid, tids, lastProcessNs < 0 || at - lastProcessAt >= PROCESS_EVERY_NS);
        intervalNs = 0;
        if (lastRunNs >= 0 && at > lastAt) {
            intervalNs = at - lastAt;
            // A thread that ended takes its time with it: the sum may go down, which is no negative use.
            ranNs = Math.max(0, rd.runNs() - lastRunNs);
            used = ranNs / (double) intervalNs;
            waited = Math.max(0, rd.waitNs() - lastWaitNs) / (double) intervalNs;
            ranSinceProcess += ranNs;
        }
        if (rd.processNs() >= 0) {
            if (lastProcessNs >= 0 && at > lastProcessAt) {
                otherThreads = Math.max(0, rd.processNs() - lastProcessNs - ranSinceProcess)
                        / (double) (at - lastProcessAt);
            }
            lastProcessNs = rd.processNs();
            lastProcessAt = at;
            ranSinceProcess = 0;
        }
        lastRunNs = rd.runNs();
        lastWaitNs = rd.waitNs();
        lastAt = at;
        return intervalNs > 0;
    }

    /** Whether the last {@link #measure} measured an interval. */
    boolean measured() {
        return intervalNs > 0;
    }

    /** Nanoseconds of the last measured interval; 0 when the last reading measured none. */
    long intervalNs() {
        return intervalNs;
    }

    double seconds() {
        return intervalNs / 1e9;
    }

    /** Nanoseconds of core time the vCPU threads ran over the last measured interval. */
    long ranNs() {
        return ranNs;
    }

    /** Cores used over the last measured interval. */
    double used() {
        return used;
    }

    /**
     * Cores the process's other threads (not the vCPUs) used over the last second or so (between
     * the last two readings of the process's time, {@link #PROCESS_EVERY_NS}); 0 when unknown.
     */
    double otherThreads() {
        return otherThreads;
    }

    /** Cores' worth of time the threads were runnable but waited for a CPU. */
    double waited() {
        return waited;
    }
}
