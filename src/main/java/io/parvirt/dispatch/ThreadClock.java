package io.parvirt.dispatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The CPU time of a partition's vCPU threads, from {@code /proc/<pid>/task/<tid>/schedstat}: time
 * on a CPU and time spent runnable but waiting for one, in nanoseconds; and of its whole QEMU
 * process, from {@code /proc/<pid>/stat} (utime + stime, in the kernel's fixed 100 Hz clock ticks
 * of /proc), whose difference is what QEMU's other threads (device emulation, I/O) take. Reused
 * buffers: the dispatcher reads every vCPU of every partition each interval.
 */
final class ThreadClock implements VcpuMeter.Source {
    /** /proc's clock ticks per second ({@code USER_HZ}): 100 on every Linux architecture parvirt runs on. */
    private static final long NS_PER_PROC_TICK = 10_000_000;

    /**
     * Cumulative nanoseconds over the threads that could be read; {@code processNs}: the whole
     * process's CPU time, -1 when unknown.
     */
    record Reading(long runNs, long waitNs, int threadsRead, long processNs) {
        /** Without the process's time (fake clocks of tests that do not look at it). */
        Reading(long runNs, long waitNs, int threadsRead) {
            this(runNs, waitNs, threadsRead, -1);
        }
    }

    private final ByteBuffer buf = ByteBuffer.allocate(128);
    private final ByteBuffer stat = ByteBuffer.allocate(1024);
    private final Path proc;

    ThreadClock() {
        this(Path.of("/proc"));
    }

    ThreadClock(Path proc) {
        this.proc = proc;
    }

    /** {@code process}: also read the whole process's time (costlier: the kernel sums every thread). */
    @Override
    public Reading read(long pid, List<Long> tids, boolean process) {
        long run = 0;
        long wait = 0;
        int read = 0;
        for (long tid : tids) {
            Path f = proc.resolve(Long.toString(pid)).resolve("task").resolve(Long.toString(tid)).resolve("schedstat");
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                buf.clear();
                while (ch.read(buf) > 0 && buf.hasRemaining()) {
                    // schedstat is one short line
                }
                buf.flip();
                long onCpu = number();
                long waiting = number();
                if (onCpu >= 0 && waiting >= 0) {
                    run += onCpu;
                    wait += waiting;
                    read++;
                }
            } catch (NoSuchFileException e) {
                // the thread (or QEMU) is gone: the partition is ending
            } catch (IOException e) {
                // unreadable now; counted as not read
            }
        }
        return new Reading(run, wait, read, process ? processNs(pid) : -1);
    }

    /**
     * Whether one of the threads is in state R (running, or runnable and waiting for a CPU, or held
     * by CFS bandwidth control) by {@code /proc/<pid>/task/<tid>/stat}. An idle guest's vCPU thread
     * sleeps (S) in QEMU's wait for an interrupt. A thread that cannot be read is not runnable.
     */
    @Override
    public boolean runnable(long pid, List<Long> tids) {
        for (long tid : tids) {
            Path f = proc.resolve(Long.toString(pid)).resolve("task").resolve(Long.toString(tid)).resolve("stat");
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                stat.clear();
                while (stat.hasRemaining() && ch.read(stat) > 0) {
                    // one line of a few hundred bytes
                }
                if (state(stat.array(), stat.position()) == 'R') {
                    return true;
                }
            } catch (IOException e) {
                // gone or unreadable: not runnable
            }
        }
        return false;
    }

    /** The state letter (field 3) of a {@code stat} line, counted from the last ')'; 0 when there is none. */
    static char state(byte[] b, int n) {
        int i = n - 1;
        while (i >= 0 && b[i] != ')') {
            i--;
        }
        return i >= 0 && i + 2 < n ? (char) b[i + 2] : 0;
    }

    /** utime + stime of the whole process in ns, -1 when it cannot be read. */
    long processNs(long pid) {
        try (FileChannel ch = FileChannel.open(proc.resolve(Long.toString(pid)).resolve("stat"),
                StandardOpenOption.READ)) {
            stat.clear();
            while (stat.hasRemaining() && ch.read(stat) > 0) {
                // one line of a few hundred bytes
            }
            return parseStat(stat.array(), stat.position());
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * utime + stime (fields 14 and 15) of a {@code /proc/<pid>/stat} line in ns. The command name
     * (field 2) may hold spaces and parentheses: fields are counted from the last ')'.
     */
    static long parseStat(byte[] b, int n) {
        int i = n - 1;
        while (i >= 0 && b[i] != ')') {
            i--;
        }
        if (i < 0) {
            return -1;
        }
        int field = 2;
        long utime = -1;
        for (i++; i < n; i++) {
            if (b[i] == ' ') {
                field++;
                continue;
            }
            if (field == 14 || field == 15) {
                long v = 0;
                for (; i < n && b[i] >= '0' && b[i] <= '9'; i++) {
                    v = v * 10 + (b[i] - '0');
                }
                i--;
                if (field == 14) {
                    utime = v;
                } else {
                    return (utime + v) * NS_PER_PROC_TICK;
                }
            }
        }
        return -1;
    }

    /** The next decimal number in the buffer, or -1 when there is none. */
    private long number() {
        while (buf.hasRemaining()) {
            byte b = buf.get(buf.position());
            if (b >= '0' && b <= '9') {
                break;
            }
            buf.get();
        }
        if (!buf.hasRemaining()) {
            return -1;
        }
        long acc = 0;
        while (buf.hasRemaining()) {
            byte b = buf.get(buf.position());
            if (b < '0' || b > '9') {
                break;
            }
            acc = acc * 10 + (buf.get() - '0');
        }
        return acc;
    }
}
