package io.parvirt.vswitch;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The virtio-net header that travels with a frame between ports that take offloads (virtio 1.x,
 * 5.1.6; little-endian). It says what the sender left undone: a checksum to fill in
 * ({@code NEEDS_CSUM}: the one's-complement sum of bytes {@code csumStart..end} goes at
 * {@code csumStart + csumOffset}), or a segment of up to 64 KiB still to be cut into
 * {@code gsoSize}-byte TCP segments. Carried end to end, a 64 KiB segment crosses the switch as one
 * frame and neither guest sums or segments in emulated code; only a port that cannot take it
 * (a stream socket, a TAP) gets the work done for it ({@link Offload}).
 *
 * <pre>
 *  0        1          2         4          6           8            10           12
 *  +--------+----------+---------+----------+-----------+------------+------------+
 *  | flags  | gso_type | hdr_len | gso_size | csum_start| csum_offset| num_buffers|
 *  +--------+----------+---------+----------+-----------+------------+------------+
 *  flags: 1 NEEDS_CSUM, 2 DATA_VALID   gso_type: 0 NONE, 1 TCPV4, 3 UDP, 4 TCPV6, 0x80 ECN
 *  num_buffers: only with VIRTIO_F_VERSION_1 or MRG_RXBUF (the 12-byte form), set by the receiver
 * </pre>
 *
 * <p>Mutable and reused: each port owns one for the frame it is sending, the switch one per
 * receiver form, so carrying it allocates nothing.
 */
public final class NetHeader {
    public static final int FLAG_NEEDS_CSUM = 1;
    public static final int FLAG_DATA_VALID = 2;
    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_ECN = 0x80;
    /** The header with {@code num_buffers}, as VIRTIO_F_VERSION_1 devices always use. */
    public static final int SIZE = 12;
    /** The legacy header without {@code num_buffers}. */
    public static final int LEGACY_SIZE = 10;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    public int flags;
    public int gsoType;
    public int hdrLen;
    public int gsoSize;
    public int csumStart;
    public int csumOffset;

    /** Nothing left to do: a whole frame with its checksums. */
    public NetHeader clear() {
        flags = 0;
        gsoType = GSO_NONE;
        hdrLen = 0;
        gsoSize = 0;
        csumStart = 0;
        csumOffset = 0;
        return this;
    }

    /** True when the receiver must finish the frame (sum or segment it) unless it takes offloads. */
    public boolean pending() {
        return (flags & FLAG_NEEDS_CSUM) != 0 || gso() != GSO_NONE;
    }

    public int gso() {
        return gsoType & ~GSO_ECN;
    }

    public NetHeader copyFrom(NetHeader o) {
        flags = o.flags;
        gsoType = o.gsoType;
        hdrLen = o.hdrLen;
        gsoSize = o.gsoSize;
        csumStart = o.csumStart;
        csumOffset = o.csumOffset;
        return this;
    }

    /**
     * Reads the first 10 bytes at {@code off}: one 8-byte and one 2-byte load (a frame's header is
     * read per frame; field by field it was six checked accesses).
     */
    public void read(MemorySegment m, long off) {
        long v = m.get(U64, off);
        flags = (int) v & 0xff;
        gsoType = (int) (v >>> 8) & 0xff;
        hdrLen = (int) (v >>> 16) & 0xffff;
        gsoSize = (int) (v >>> 32) & 0xffff;
        csumStart = (int) (v >>> 48);
        csumOffset = m.get(U16, off + 8) & 0xffff;
    }

    /**
     * Writes the header at {@code off}, {@code size} bytes (10, or 12 with {@code numBuffers}): one
     * 8-byte store and one 2- or 4-byte store, the bytes of the layout above.
     */
    public void write(MemorySegment m, long off, int size, int numBuffers) {
        m.set(U64, off, (flags & 0xffL) | (gsoType & 0xffL) << 8 | (hdrLen & 0xffffL) << 16
                | (gsoSize & 0xffffL) << 32 | (csumStart & 0xffffL) << 48);
        if (size == SIZE) {
            m.set(U32, off + 8, csumOffset & 0xffff | numBuffers << 16);
        } else {
            m.set(U16, off + 8, (short) csumOffset);
        }
    }

    @Override
    public String toString() {
        return "NetHeader[flags=" + flags + " gso=" + gsoType + "/" + gsoSize + " hdr=" + hdrLen + " csum="
                + csumStart + "+" + csumOffset + "]";
    }
}
