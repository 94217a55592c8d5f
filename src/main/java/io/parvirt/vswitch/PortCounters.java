package io.parvirt.vswitch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Live counters of one port. rx: frames and bytes the switch received from the port (dropped ones
 * included); tx: frames and bytes delivered to it (as delivered, so an inserted tag counts); drops
 * by {@link DropReason}, on the port that sent the frame or, for QUEUE_FULL and PORT_FAILED, the
 * port that could not take it.
 *
 * <p>There is one writer, the thread that runs the switch; anyone may read. So a count is a plain
 * {@code long} written with opaque (not volatile) stores: no lock and no fence on the forwarding
 * path, yet a reader never sees a torn value and sees every update eventually. A
 * {@link java.util.concurrent.atomic.LongAdder} would pay for many writers that never exist.
 */
public final class PortCounters {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final DropReason[] REASONS = DropReason.values();
    private static final int RX_FRAMES = 0;
    private static final int RX_BYTES = 1;
    private static final int TX_FRAMES = 2;
    private static final int TX_BYTES = 3;
    private static final int MAC_LIMIT = 4;
    private static final int RX_SEGMENTS = 5;
    private static final int DROPS = 6;

    private final long[] values = new long[DROPS + REASONS.length];

    PortCounters() {
    }

    public long rxFrames() {
        return get(RX_FRAMES);
    }

    public long rxBytes() {
        return get(RX_BYTES);
    }

    public long txFrames() {
        return get(TX_FRAMES);
    }

    public long txBytes() {
        return get(TX_BYTES);
    }

    /**
     * Frames received with a segmentation offload (a TCP segment larger than the MTU that crossed the
     * switch whole, as one frame): proof that TSO works end to end, whatever the sender's pacing.
     */
    public long rxSegments() {
        return get(RX_SEGMENTS);
    }

    public long drops(DropReason r) {
        return get(DROPS + r.ordinal());
    }

    /** Every drop, whatever the reason. */
    public long drops() {
        long n = 0;
        for (DropReason r : REASONS) {
            n += drops(r);
        }
        return n;
    }

    /** Every reason, in declaration order, zero counts included (a stable shape for /metrics). */
    public Map<DropReason, Long> dropsByReason() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : REASONS) {
            m.put(r, drops(r));
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * Source addresses this port sent from that were not learned because it had already learned
     * {@link SwitchSettings#macLimitPerPort()} addresses. Not a drop: the frame was still forwarded,
     * and replies to such an address reach the port as unknown unicast does.
     */
    public long macLimitExceeded() {
        return get(MAC_LIMIT);
    }

    void received(int bytes) {
        add(RX_FRAMES, 1);
        add(RX_BYTES, bytes);
    }

    void receivedSegment() {
        add(RX_SEGMENTS, 1);
    }

    void sent(int bytes) {
        add(TX_FRAMES, 1);
        add(TX_BYTES, bytes);
    }

    void drop(DropReason r) {
        add(DROPS + r.ordinal(), 1);
    }

    void macLimitHit() {
        add(MAC_LIMIT, 1);
    }

    /** Single writer: its own plain read is current, the opaque store publishes the sum. */
    private void add(int i, long n) {
        SLOT.setOpaque(values, i, values[i] + n);
    }

    private long get(int i) {
        return (long) SLOT.getOpaque(values, i);
    }

    /** Every count by a stable name (a {@link CounterCheckpoint}'s keys): rx/tx, the MAC limit, each drop reason. */
    Map<String, Long> saved() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            m.put(name(i), get(i));
        }
        return m;
    }

    /**
     * Loop thread: adds counts an earlier daemon saved for this port (its checkpoint), so a port
     * that comes back after a restart goes on from them; names it does not know are skipped.
     */
    void restore(Map<String, Long> saved) {
        for (int i = 0; i < values.length; i++) {
            Long v = saved.get(name(i));
            if (v != null && v > 0) {
                add(i, v);
            }
        }
    }

    private static String name(int i) {
        return switch (i) {
            case RX_FRAMES -> "rxFrames";
            case RX_BYTES -> "rxBytes";
            case TX_FRAMES -> "txFrames";
            case TX_BYTES -> "txBytes";
            case MAC_LIMIT -> "macLimitExceeded";
            case RX_SEGMENTS -> "rxSegments";
            default -> "drop." + REASONS[i - DROPS].name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    @Override
    public String toString() {
        return "rx " + rxFrames() + "/" + rxBytes() + "B tx " + txFrames() + "/" + txBytes() + "B drops " + drops();
    }
}
