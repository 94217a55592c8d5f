package io.parvirt.vswitch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * IEEE 802.1Q on the wire, as the switch reads and rewrites it. QEMU hands over a frame from the
 * destination address on, without preamble or FCS.
 *
 * <pre>
 * untagged   0        6        12     14
 *            +--------+--------+------+------------------+
 *            |  dst   |  src   | type | payload ...      |
 *            +--------+--------+------+------------------+
 *
 * tagged     0        6        12     14     16     18
 *            +--------+--------+------+------+------+-----------------+
 *            |  dst   |  src   | 8100 | TCI  | type | payload ...     |
 *            +--------+--------+------+------+------+-----------------+
 *
 * TCI        15   13  12  11                      0
 *            +------+---+-------------------------+
 *            | PCP  |DEI|          VID            |     VID 0: priority-tagged (no VLAN)
 *            +------+---+-------------------------+     VID 4095: reserved, never on the wire
 * </pre>
 *
 * A tag is inserted right after the source address and removed from there: the rest of the frame
 * moves by 4 bytes and is otherwise untouched. A MAC address is held as the 48 low bits of a long,
 * first byte highest (as {@code MacAddresses.toLong} reads "26E6B0002007"), so the group bit (the
 * least significant bit of the first byte, set for multicast and broadcast) is bit 40.
 */
final class Dot1q {
    static final int HEADER = 14;
    static final int TAGGED_HEADER = 18;
    static final int TAG = 4;
    static final int TPID = 0x8100;
    /** The 802.1ad service tag: a guest using it inside a VLAN would stack tags. */
    static final int S_TPID = 0x88A8;
    static final int VID_MASK = 0x0FFF;
    static final int PRIORITY_VID = 0;
    static final int RESERVED_VID = 0x0FFF;
    static final int MAX_VID = 4094;
    static final long GROUP_BIT = 1L << 40;
    static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    private Dot1q() {
    }

    /** The big-endian 16-bit field at absolute index {@code i}, whatever the buffer's byte order. */
    static int u16(ByteBuffer b, int i) {
        if (b.order() == ByteOrder.BIG_ENDIAN) {
            return b.getShort(i) & 0xFFFF;
        }
        return ((b.get(i) & 0xFF) << 8) | (b.get(i + 1) & 0xFF);
    }

    /** The 8 bytes at absolute index {@code i} as a big-endian number, whatever the buffer's byte order. */
    static long word(ByteBuffer b, int i) {
        long v = b.getLong(i);
        return b.order() == ByteOrder.BIG_ENDIAN ? v : Long.reverseBytes(v);
    }

    /** The address at absolute index {@code i}. */
    static long mac(ByteBuffer b, int i) {
        if (b.order() == ByteOrder.BIG_ENDIAN) {
            return ((b.getShort(i) & 0xFFFFL) << 32) | (b.getInt(i + 2) & 0xFFFF_FFFFL);
        }
        return ((long) u16(b, i) << 32) | ((long) u16(b, i + 2) << 16) | u16(b, i + 4);
    }

    /** A station's address: 48 bits, group bit clear, not all zeros. */
    static boolean isUnicastAddress(long mac) {
        return mac != 0 && (mac & ~MAC_MASK) == 0 && (mac & GROUP_BIT) == 0;
    }

    /**
     * Writes the frame at {@code src[off, off+len)} without its tag into {@code out} from index 0;
     * returns the new length ({@code len - 4}).
     */
    static int untag(ByteBuffer src, int off, int len, ByteBuffer out) {
        out.put(0, src, off, 12);
        out.put(12, src, off + HEADER + 2, len - HEADER - 2);
        return len - TAG;
    }

    /**
     * Writes the frame at {@code src[off, off+len)} into {@code out} from index 0 with a tag of
     * {@code tci}, replacing the tag it has if {@code hasTag}; returns the new length.
     */
    static int tag(ByteBuffer src, int off, int len, boolean hasTag, int tci, ByteBuffer out) {
        int rest = off + (hasTag ? HEADER + 2 : 12);
        int restLen = off + len - rest;
        out.put(0, src, off, 12);
        out.put(12, (byte) (TPID >>> 8)).put(13, (byte) TPID);
        out.put(14, (byte) (tci >>> 8)).put(15, (byte) tci);
        out.put(HEADER + 2, src, rest, restLen);
        return HEADER + 2 + restLen;
    }
}
