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
 * on a CPU and time spent runnable but waiting for one, in nanoseconds. One reused buffer: the
 * dispatcher reads every vCPU of every partition each interval.
 */
final class ThreadClock {
    /** Cumulative nanoseconds over the threads that could be read. */
    record Reading(long runNs, long waitNs, int threadsRead) {
    }

    private final ByteBuffer buf = ByteBuffer.allocate(128);
    private final Path proc;

    ThreadClock() {
        this(Path.of("/proc"));
    }

    ThreadClock(Path proc) {
        this.proc = proc;
    }

    Reading read(long pid, List<Long> tids) {
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
        return new Reading(run, wait, read);
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
