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
    /** Where vCPU time comes from: {@link ThreadClock#read} ({@code schedstat}) on a host. */
    @FunctionalInterface
    interface Source {
        ThreadClock.Reading read(long pid, List<Long> tids);
    }

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
    private double otherThreads;

    VcpuMeter(Source source, LongSupplier nanoTime) {
        this.source = source;
        this.nanoTime = nanoTime;
    }

    /**
     * Reads the threads now. True when an interval was measured; false at the first reading or when
     * the clock did not move, and then the last interval's shares stay as they were.
     */
    boolean measure(long pid, List<Long> tids) {
        long at = nanoTime.getAsLong();
        ThreadClock.Reading rd = source.read(pid, tids);
        intervalNs = 0;
        if (lastRunNs >= 0 && at > lastAt) {
            intervalNs = at - lastAt;
            // A thread that ended takes its time with it: the sum may go down, which is no negative use.
            ranNs = Math.max(0, rd.runNs() - lastRunNs);
            used = ranNs / (double) intervalNs;
            waited = Math.max(0, rd.waitNs() - lastWaitNs) / (double) intervalNs;
            otherThreads = lastProcessNs >= 0 && rd.processNs() >= 0
                    ? Math.max(0, rd.processNs() - lastProcessNs - ranNs) / (double) intervalNs : 0;
        }
        lastProcessNs = rd.processNs();
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
     * Cores the process's other threads (not the vCPUs) used over the last interval: coarse, the
     * process's time is counted in 10 ms ticks; 0 when unknown.
     */
    double otherThreads() {
        return otherThreads;
    }

    /** Cores' worth of time the threads were runnable but waited for a CPU. */
    double waited() {
        return waited;
    }
}
