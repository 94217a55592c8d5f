package io.parvirt.dispatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU time of a partition's vCPU threads, from {@code /proc/<pid>/task/<tid>/schedstat}: time
 * on a CPU and time spent runnable but waiting for one, in nanoseconds; and of its whole QEMU
 * process, from {@code /proc/<pid>/stat} (utime + stime, in the kernel's fixed 100 Hz clock ticks
 * of /proc), whose difference is what QEMU's other threads (device emulation, I/O) take. Reused
 * buffers: the dispatcher reads every vCPU of every partition each interval. The threads'
 * {@code schedstat} files are kept open and read at offset 0, where procfs renders them afresh:
 * 1–3 µs a read against 6–18 µs to open, read and close one on this host (20 partitions of two
 * vCPUs: 40 reads an interval). A file not read for {@link #SWEEP} readings of partitions is closed:
 * its thread or partition ended.
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

    /** Readings of partitions after which the files of threads not read since are closed. */
    static final int SWEEP = 1024;
    private final ByteBuffer buf = ByteBuffer.allocate(128);
    private final Map<Long, Schedstat> open = new HashMap<>();
    private long readings;
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
        readings++;
        for (long tid : tids) {
            try {
                Schedstat f = schedstat(pid, tid);
                buf.clear();
                f.channel.read(buf, 0); // one short line, rendered whole into one read
                f.readAt = readings;
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
                close(open.remove(tid)); // gone since it was opened, or unreadable now: counted as not read
            }
        }
        if (readings % SWEEP == 0) {
            open.values().removeIf(f -> f.readAt <= readings - SWEEP && close(f));
        }
        return new Reading(run, wait, read, process ? processNs(pid) : -1);
    }

    /** One thread's open {@code schedstat}, and the reading that last read it. */
    private static final class Schedstat {
        final long pid;
        final FileChannel channel;
        long readAt;

        Schedstat(long pid, FileChannel channel) {
            this.pid = pid;
            this.channel = channel;
        }
    }

    /** The thread's file, opened when it is not open yet (or was opened for another process of the same tid). */
    private Schedstat schedstat(long pid, long tid) throws IOException {
        Schedstat f = open.get(tid);
        if (f != null && f.pid == pid) {
            return f;
        }
        close(open.remove(tid));
        Path path = proc.resolve(Long.toString(pid)).resolve("task").resolve(Long.toString(tid)).resolve("schedstat");
        f = new Schedstat(pid, FileChannel.open(path, StandardOpenOption.READ));
        open.put(tid, f);
        return f;
    }

    /** Closes a file of {@link #open} (null: none); true, for removeIf. */
    private static boolean close(Schedstat f) {
        if (f != null) {
            try {
                f.channel.close();
            } catch (IOException e) {
                // a read-only procfs file: nothing to lose
            }
        }
        return true;
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
