package io.parvirt.dispatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * {@code nr_throttled} of each partition's vCPU group, and the time its CPUs spent throttled
 * ({@code throttled_time} in ns under v1, {@code throttled_usec} under v2), read from its
 * {@code cpu.stat} kept open: the watch reads every shared partition's count every 20 ms, and on
 * this host opening a cgroupfs file and reading it whole costs ~45 µs where a read at offset 0 of
 * an open one (cgroupfs renders the file afresh at offset 0) costs ~3 µs. Parsed from bytes,
 * without a String per reading.
 */
final class ThrottleCounts implements AutoCloseable {
    private static final byte[] FIELD = "nr_throttled ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] TIME_NS = "throttled_time ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] TIME_US = "throttled_usec ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private final Map<Integer, FileChannel> open = new HashMap<>();
    /** The throttled time (ns) of each partition's last reading, in a holder made once (no boxing per read); absent: unknown. */
    private final Map<Integer, long[]> timeNs = new HashMap<>();
    private final ByteBuffer buf = ByteBuffer.allocate(1024);

    /**
     * The count in the {@code cpu.stat} of partition {@code lparId} ({@code cpuStat} names it, asked
     * only when it is not open: building the path cost as much as the read); -1 when the file is
     * not there (yet).
     */
    synchronized long read(int lparId, IntFunction<Path> cpuStat) {
        FileChannel ch = open.get(lparId);
        try {
            if (ch == null) {
                ch = FileChannel.open(cpuStat.apply(lparId));
                open.put(lparId, ch);
            }
            buf.clear();
            // One read: cgroupfs renders the whole file (a few lines, far under the buffer) into it;
            // reading on to the end of file doubled the system calls of every watch step.
            ch.read(buf, 0);
            long us = parse(buf.array(), buf.position(), TIME_US);
            long ns = us >= 0 ? us * 1000 : parse(buf.array(), buf.position(), TIME_NS);
            timeNs.computeIfAbsent(lparId, k -> new long[1])[0] = ns;
            return parse(buf.array(), buf.position());
        } catch (IOException e) {
            forget(lparId); // group not created yet, or removed: open afresh next time
            return -1;
        }
    }

    /** The throttled time (ns) that the last {@link #read} of the partition found; -1 when unknown. */
    synchronized long timeNs(int lparId) {
        long[] t = timeNs.get(lparId);
        return t == null ? -1 : t[0];
    }

    /** The value of the {@code nr_throttled} line in the first {@code n} bytes, -1 when absent. */
    static long parse(byte[] b, int n) {
        return parse(b, n, FIELD);
    }

    /** The value of the line that starts with {@code field} ("name ") in the first {@code n} bytes, -1 when absent. */
    static long parse(byte[] b, int n, byte[] field) {
        outer:
        for (int i = 0; i + field.length <= n; i++) {
            if (i > 0 && b[i - 1] != '\n') {
                continue;
            }
            for (int k = 0; k < field.length; k++) {
                if (b[i + k] != field[k]) {
                    continue outer;
                }
            }
            long v = 0;
            int j = i + field.length;
            if (j >= n || b[j] < '0' || b[j] > '9') {
                return -1;
            }
            for (; j < n && b[j] >= '0' && b[j] <= '9'; j++) {
                v = v * 10 + (b[j] - '0');
            }
            return v;
        }
        return -1;
    }

    /** Closes the partition's file (it ended, or its group went away). */
    synchronized void forget(int lparId) {
        timeNs.remove(lparId);
        FileChannel ch = open.remove(lparId);
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing a read-only cgroupfs file: nothing to lose
            }
        }
    }

    @Override
    public synchronized void close() {
        for (int id : Map.copyOf(open).keySet()) {
            forget(id);
        }
    }
}
