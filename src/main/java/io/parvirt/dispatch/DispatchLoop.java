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
 */
final class DispatchLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DispatchLoop.class);
    private final long intervalNs;
    private final Runnable tick;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Object wakeup = new Object();
    private boolean woken;
    private volatile boolean stopped;
    private volatile long selfCpuNs;
    private volatile long ticks;
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
            selfCpuNs += threads.getCurrentThreadCpuTime() - cpuBefore;
            ticks++;
            synchronized (wakeup) {
                long deadline = System.nanoTime() + intervalNs;
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
