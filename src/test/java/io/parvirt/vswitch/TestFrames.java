package io.parvirt.vswitch;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** Ethernet frames for tests, built byte by byte as the wire has them (see {@link Dot1q}). */
final class TestFrames {
    static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    /** An IPv4 multicast group's address (01:00:5E:..). */
    static final long MULTICAST = 0x0100_5E00_0001L;
    /** The local experimental EtherType ARCHITECTURE.md recommends for synthetic traffic. */
    static final int ETHERTYPE = 0x88B5;

    private TestFrames() {
    }

    static byte[] untagged(long dst, long src, int length) {
        byte[] b = new byte[length];
        header(b, dst, src);
        if (length >= 14) {
            b[12] = (byte) (ETHERTYPE >>> 8);
            b[13] = (byte) ETHERTYPE;
        }
        fill(b, 14);
        return b;
    }

    /** A tagged frame of {@code length} bytes in all, tag 0x8100 + {@code tci}. */
    static byte[] tagged(long dst, long src, int tci, int length) {
        byte[] b = new byte[length];
        header(b, dst, src);
        put16(b, 12, 0x8100);
        put16(b, 14, tci);
        put16(b, 16, ETHERTYPE);
        fill(b, 18);
        return b;
    }

    static int tci(int pcp, int vid) {
        return pcp << 13 | vid;
    }

    private static void header(byte[] b, long dst, long src) {
        for (int i = 0; i < 6 && i < b.length; i++) {
            b[i] = (byte) (dst >>> (40 - 8 * i));
        }
        for (int i = 0; i < 6 && 6 + i < b.length; i++) {
            b[6 + i] = (byte) (src >>> (40 - 8 * i));
        }
    }

    static void put16(byte[] b, int i, int v) {
        if (i + 1 < b.length) {
            b[i] = (byte) (v >>> 8);
            b[i + 1] = (byte) v;
        }
    }

    static int get16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    private static void fill(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
    }

    static boolean hasTag(byte[] b) {
        return b.length >= 14 && get16(b, 12) == 0x8100;
    }

    /** The frame without its 802.1Q tag (itself when it has none). */
    static byte[] strip(byte[] b) {
        if (!hasTag(b)) {
            return b;
        }
        byte[] out = new byte[b.length - 4];
        System.arraycopy(b, 0, out, 0, 12);
        System.arraycopy(b, 16, out, 12, b.length - 16);
        return out;
    }

    /** Copies {@code frame} into a direct buffer at an offset, as a transport's receive buffer holds it. */
    static ByteBuffer inBuffer(byte[] frame) {
        ByteBuffer b = ByteBuffer.allocateDirect(frame.length + 20);
        b.position(7).put(frame).flip().position(7);
        return b;
    }

    static String hex(byte[] b) {
        return Arrays.toString(b);
    }
}
