package io.parvirt.dispatch;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the dispatching interval on its own platform thread, every interval or at once when woken
 * (a policy changed) or when a watch step between intervals says a partition started or stopped
 * working, and counts what that costs: the loop's own CPU time (watch steps included) and the
 * intervals run.
 * A failing interval is logged and the next one runs: partitions must not lose their dispatching
 * to one bad reading.
 */
final class DispatchLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DispatchLoop.class);
    private final long intervalNs;
    private final Runnable tick;
    private final LongSupplier watchStepNs;
    private final BooleanSupplier watch;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Object wakeup = new Object();
    private boolean woken;
    private volatile boolean stopped;
    private volatile long selfCpuNs;
    private volatile long ticks;
    private volatile long watched;
    private Thread thread;

    /** {@code watchStepNs}: how long until {@code watch} runs again between intervals, asked each time (zero: never). */
    DispatchLoop(Duration interval, Runnable tick, LongSupplier watchStepNs, BooleanSupplier watch) {
        this.intervalNs = interval.toNanos();
        this.tick = tick;
        this.watchStepNs = watchStepNs;
        this.watch = watch;
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
            counted("interval", () -> {
                tick.run();
                return true;
            });
            ticks++;
            if (!waitForNextInterval()) {
                return;
            }
        }
    }

    /** Waits until the interval is over, the loop is woken, or a watch step asks; false when interrupted. */
    private boolean waitForNextInterval() {
        long deadline = System.nanoTime() + intervalNs;
        while (true) {
            synchronized (wakeup) {
                long left = deadline - System.nanoTime();
                if (woken || stopped || left <= 0) {
                    woken = false;
                    return true;
                }
                long watchNs = watchStepNs.getAsLong();
                long step = watchNs > 0 ? Math.min(left, watchNs) : left;
                try {
                    wakeup.wait(step / 1_000_000, (int) (step % 1_000_000));
                } catch (InterruptedException e) {
                    return false;
                }
                if (woken || stopped || watchNs <= 0 || deadline - System.nanoTime() <= 0) {
                    continue;
                }
            }
            if (counted("watch", watch)) {
                watched++;
                return true;
            }
        }
    }

    /**
     * Runs one step of the loop, its CPU time counted as the loop's own; a step that fails is logged
     * and answers false, and the loop goes on.
     */
    private boolean counted(String what, BooleanSupplier step) {
        long cpuBefore = threads.getCurrentThreadCpuTime();
        try {
            return step.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.error("dispatching {} failed", what, e);
            return false;
        } finally {
            selfCpuNs += threads.getCurrentThreadCpuTime() - cpuBefore;
        }
    }

    /** Intervals run early because a watch step saw a partition start or stop working. */
    long watched() {
        return watched;
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
