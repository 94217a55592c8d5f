package io.parvirt.vios.nbd;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one export. Requests and bytes count what was asked and done; errors count the
 * requests answered with an error, by {@link RequestError}; closes count ended connections, by
 * {@link CloseReason}. Nothing here is logged per request.
 *
 * <p>Several connections of one export count at once, each on its own thread, so the counts are
 * {@link LongAdder}s: an increment touches a cell of the thread's own, not one contended word.
 */
public final class ExportCounters {
    private static final RequestError[] ERRORS = RequestError.values();
    private static final CloseReason[] CLOSES = CloseReason.values();

    final LongAdder connections = new LongAdder();
    final AtomicInteger open = new AtomicInteger();
    final LongAdder reads = new LongAdder();
    final LongAdder writes = new LongAdder();
    final LongAdder flushes = new LongAdder();
    final LongAdder trims = new LongAdder();
    final LongAdder zeroes = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    final LongAdder bytesSpliced = new LongAdder();
    final LongAdder syncs = new LongAdder();
    private final LongAdder[] errors = adders(ERRORS.length);
    private final LongAdder[] closes = adders(CLOSES.length);

    ExportCounters() {
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    void error(RequestError e) {
        errors[e.ordinal()].increment();
    }

    void closed(CloseReason r) {
        closes[r.ordinal()].increment();
    }

    /** Connections accepted, refused ones included. */
    public long connections() {
        return connections.sum();
    }

    /** Connections open now. */
    public int openConnections() {
        return open.get();
    }

    public long reads() {
        return reads.sum();
    }

    public long writes() {
        return writes.sum();
    }

    public long flushes() {
        return flushes.sum();
    }

    public long trims() {
        return trims.sum();
    }

    public long writeZeroes() {
        return zeroes.sum();
    }

    /** Bytes sent to clients in successful READ replies. */
    public long bytesRead() {
        return bytesRead.sum();
    }

    /** Bytes of successful WRITEs. */
    public long bytesWritten() {
        return bytesWritten.sum();
    }

    /**
     * Bytes of successful WRITEs that went from the socket to the file by {@code splice}, not through
     * a connection's buffer (0 where the server's JVM cannot splice: {@link PayloadPipe}).
     */
    public long bytesSpliced() {
        return bytesSpliced.sum();
    }

    /** {@code fdatasync} calls: one per FLUSH and one per request with FUA. */
    public long syncs() {
        return syncs.sum();
    }

    public long errors(RequestError e) {
        return errors[e.ordinal()].sum();
    }

    public long closes(CloseReason r) {
        return closes[r.ordinal()].sum();
    }

    /** Every reason, in declaration order, zero counts included (a stable shape for /metrics). */
    public Map<RequestError, Long> errorsByReason() {
        Map<RequestError, Long> m = new EnumMap<>(RequestError.class);
        for (RequestError e : ERRORS) {
            m.put(e, errors(e));
        }
        return Collections.unmodifiableMap(m);
    }

    public Map<CloseReason, Long> closesByReason() {
        Map<CloseReason, Long> m = new EnumMap<>(CloseReason.class);
        for (CloseReason r : CLOSES) {
            m.put(r, closes(r));
        }
        return Collections.unmodifiableMap(m);
    }

    @Override
    public String toString() {
        return "connections " + connections() + " (open " + openConnections() + ") reads " + reads() + "/"
                + bytesRead() + "B writes " + writes() + "/" + bytesWritten() + "B (spliced " + bytesSpliced() + "B) flushes " + flushes() + " trims "
                + trims() + " zeroes " + writeZeroes() + " syncs " + syncs();
    }
}
