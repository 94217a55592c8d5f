package io.parvirt.dispatch;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the dispatching interval on its own platform thread, every interval or at once when woken
 * (a policy changed), and counts what that costs: the loop's own CPU time and the intervals run.
 * A failing interval is logged and the next one runs: partitions must not lose their dispatching
 * to one bad reading.
 *
 * <p>The loop holds itself to {@link #CPU_BUDGET} of one core: when an interval costs more CPU
 * than that share of the interval (many partitions: each costs ~15 µs of file reads), the next
 * one waits longer (issue 18: the 20 ms interval with 20 partitions of 2 vCPUs becomes ~30 ms).
 */
final class DispatchLoop implements AutoCloseable {
    /** The share of one core the dispatching loop may use. */
    static final double CPU_BUDGET = 0.01;
    private static final Logger LOG = LoggerFactory.getLogger(DispatchLoop.class);
    private final long intervalNs;
    private final Runnable tick;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Object wakeup = new Object();
    private boolean woken;
    private volatile boolean stopped;
    private volatile long selfCpuNs;
    private volatile long ticks;
    /** CPU time of recent intervals, smoothed (ns). */
    private long costNs;
    private Thread thread;

    DispatchLoop(Duration interval, Runnable tick) {
        this.intervalNs = interval.toNanos();
        this.tick = tick;
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("dispatcher").start(this::run);
    }

    void wake() {
        synchronized (wakeup) {
            woken = true;
            wakeup.notifyAll();
        }
    }

    long selfCpuNs() {
        return selfCpuNs;
    }

    long ticks() {
        return ticks;
    }

    private void run() {
        while (!stopped) {
            long cpuBefore = threads.getCurrentThreadCpuTime();
            try {
                tick.run();
            } catch (RuntimeException e) {
                LOG.error("dispatching interval failed", e);
            }
            long cost = threads.getCurrentThreadCpuTime() - cpuBefore;
            selfCpuNs += cost;
            ticks++;
            costNs = costNs == 0 ? cost : (7 * costNs + cost) / 8;
            synchronized (wakeup) {
                long deadline = System.nanoTime() + waitNs(intervalNs, costNs);
                while (!woken && !stopped) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        wakeup.wait(left / 1_000_000, (int) (left % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                woken = false;
            }
        }
    }

    /** How long to wait after an interval that cost {@code costNs} of CPU: the interval, or longer to keep the budget. */
    static long waitNs(long intervalNs, long costNs) {
        return Math.max(intervalNs, (long) (costNs / CPU_BUDGET));
    }

    @Override
    public void close() {
        stopped = true;
        wake();
        if (thread != null) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
