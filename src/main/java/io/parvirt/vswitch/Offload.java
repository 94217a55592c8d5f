package io.parvirt.vswitch;

import java.nio.ByteBuffer;

/**
 * The work a sender left to the receiver ({@link NetHeader}), done in software for a port that
 * cannot take offloads (a stream socket, a TAP, a guest that did not negotiate them): the
 * checksum filled in, and a TCP segment of up to 64 KiB cut into {@code gsoSize}-byte frames with
 * their IP lengths, IPv4 ids and checksums, TCP sequence numbers, flags and checksums made right,
 * as Linux's {@code skb_gso_segment} does. Works in one scratch buffer owned by the switch.
 *
 * <pre>
 *  Ethernet (14, or 18 tagged) | IPv4 (ihl*4) or IPv6 (40) | TCP (doff*4) | payload ...
 *  each segment: the same headers, then gsoSize bytes of payload (the last may be shorter)
 * </pre>
 */
final class Offload {
    private static final int ETH_IPV4 = 0x0800;
    private static final int ETH_IPV6 = 0x86DD;
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;

    private final ByteBuffer scratch;

    Offload(int maxFrame) {
        scratch = ByteBuffer.allocateDirect(maxFrame);
    }

    /**
     * Offers {@code frame} to {@code sink} finished as {@code h} asks; false when the sink refused
     * it or a segment (then the frame is lost, as a full queue loses it), or the frame is not one
     * that can be finished (a GSO type other than TCP, headers that do not add up).
     */
    boolean deliver(ByteBuffer frame, NetHeader h, FrameSink sink) {
        int off = frame.position();
        int len = frame.remaining();
        if (h.gso() == NetHeader.GSO_NONE) {
            if ((h.flags & NetHeader.FLAG_NEEDS_CSUM) == 0) {
                return sink.offer(frame);
            }
            int at = h.csumStart + h.csumOffset;
            if (h.csumStart >= len || at + 2 > len || len > scratch.capacity()) {
                return false;
            }
            scratch.clear();
            scratch.put(frame).flip();
            frame.position(off);
            scratch.putShort(at, (short) ~sum(scratch, h.csumStart, len - h.csumStart, 0));
            return sink.offer(scratch);
        }
        if (h.gso() != NetHeader.GSO_TCPV4 && h.gso() != NetHeader.GSO_TCPV6) {
            return false;
        }
        return segment(frame, off, len, h, sink);
    }

    private boolean segment(ByteBuffer f, int off, int len, NetHeader h, FrameSink sink) {
        int l3 = Dot1q.u16(f, off + 12) == Dot1q.TPID ? 18 : 14;
        int etherType = Dot1q.u16(f, off + l3 - 2);
        boolean v4 = etherType == ETH_IPV4;
        if (!v4 && etherType != ETH_IPV6 || len < l3 + 40) {
            return false;
        }
        int ipLen = v4 ? (f.get(off + l3) & 0x0f) * 4 : 40;
        int l4 = l3 + ipLen;
        if (len < l4 + 20) {
            return false;
        }
        int tcpLen = ((f.get(off + l4 + 12) & 0xff) >>> 4) * 4;
        int headers = l4 + tcpLen;
        int mss = h.gsoSize;
        if (tcpLen < 20 || headers > len || mss <= 0 || headers + mss > scratch.capacity()) {
            return false;
        }
        int seq = f.getInt(off + l4 + 4);
        int flags = f.get(off + l4 + 13) & 0xff;
        int id = v4 ? Dot1q.u16(f, off + l3 + 4) : 0;
        boolean all = true;
        int i = 0;
        for (int p = headers; p < len || p == headers; p += mss, i++) {
            int chunk = Math.min(mss, len - p);
            scratch.clear();
            for (int k = 0; k < headers; k++) {
                scratch.put(k, f.get(off + k));
            }
            for (int k = 0; k < chunk; k++) {
                scratch.put(headers + k, f.get(off + p + k));
            }
            int segLen = headers + chunk;
            boolean last = p + chunk >= len;
            int segFlags = flags & ~(last ? 0 : TCP_FIN | TCP_PSH) & ~(i == 0 ? 0 : TCP_CWR);
            scratch.putInt(l4 + 4, seq + (p - headers));
            scratch.put(l4 + 13, (byte) segFlags);
            scratch.putShort(l4 + 16, (short) 0);
            int pseudo;
            if (v4) {
                scratch.putShort(l3 + 2, (short) (segLen - l3));
                scratch.putShort(l3 + 4, (short) (id + i));
                scratch.putShort(l3 + 10, (short) 0);
                scratch.putShort(l3 + 10, (short) ~sum(scratch, l3, ipLen, 0));
                pseudo = sum(scratch, l3 + 12, 8, 6 + segLen - l4);
            } else {
                scratch.putShort(l3 + 4, (short) (segLen - l4));
                pseudo = sum(scratch, l3 + 8, 32, 6 + segLen - l4);
            }
            scratch.putShort(l4 + 16, (short) ~sum(scratch, l4, segLen - l4, pseudo));
            scratch.limit(segLen).position(0);
            all &= sink.offer(scratch);
            if (chunk <= 0) {
                break;
            }
        }
        return all;
    }

    /** The 16-bit one's-complement sum of {@code b[from, from+n)} added to {@code start}, folded. */
    static int sum(ByteBuffer b, int from, int n, int start) {
        long s = start;
        int i = from;
        int end = from + n;
        for (; i + 1 < end; i += 2) {
            s += ((b.get(i) & 0xff) << 8) | (b.get(i + 1) & 0xff);
        }
        if (i < end) {
            s += (b.get(i) & 0xff) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }
}
