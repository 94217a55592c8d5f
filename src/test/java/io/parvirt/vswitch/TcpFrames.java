package io.parvirt.vswitch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;

/**
 * TCP/IPv4 frames as a guest with offloads hands them to its NIC: the IP header complete, the TCP
 * checksum field holding only the pseudo-header sum (CHECKSUM_PARTIAL), the payload a counting pattern.
 */
final class TcpFrames {
    private TcpFrames() {
    }

    /** A frame of {@code length} bytes: Ethernet, IPv4 (20), TCP (20, ACK|PSH, seq 1000), payload. */
    static byte[] tcp4(long dst, long src, int length) {
        byte[] b = TestFrames.untagged(dst, src, length);
        TestFrames.put16(b, 12, 0x0800);
        b[14] = 0x45;
        TestFrames.put16(b, 16, length - 14);
        TestFrames.put16(b, 18, 0x1234);
        b[22] = 64;
        b[23] = 6;
        byte[] ips = {10, 0, 0, 1, 10, 0, 0, 2};
        System.arraycopy(ips, 0, b, 26, 8);
        ByteBuffer w = ByteBuffer.wrap(b);
        w.putShort(24, (short) ~Offload.sum(w, 14, 20, 0));
        w.putShort(34, (short) 40000).putShort(36, (short) 5201).putInt(38, 1000).putInt(42, 1);
        b[46] = 0x50;
        b[47] = 0x18;
        w.putShort(48, (short) 65535);
        for (int i = 54; i < length; i++) {
            b[i] = (byte) (i * 7);
        }
        // The pseudo-header sum with the whole segment's TCP length, not complemented, as Linux leaves it.
        w.putShort(50, (short) Offload.sum(w, 26, 8, 6 + length - 34));
        return b;
    }

    static NetHeader gso(int type, int mss, int length, int unused) {
        NetHeader h = new NetHeader();
        h.flags = NetHeader.FLAG_NEEDS_CSUM;
        h.gsoType = type;
        h.gsoSize = mss;
        h.hdrLen = 54;
        h.csumStart = 34;
        h.csumOffset = 16;
        return h;
    }

    /** The IPv4 header checksum and the TCP checksum (with its pseudo header) both verify. */
    static void assertChecksumsValid(byte[] f) {
        ByteBuffer w = ByteBuffer.wrap(f);
        int ipLen = (f[14] & 0x0f) * 4;
        assertThat(TestFrames.get16(f, 16)).as("IP total length").isEqualTo(f.length - 14);
        assertThat(Offload.sum(w, 14, ipLen, 0)).as("IPv4 header checksum").isEqualTo(0xffff);
        int tcpLen = f.length - 14 - ipLen;
        int pseudo = Offload.sum(w, 26, 8, 6 + tcpLen);
        assertThat(Offload.sum(w, 14 + ipLen, tcpLen, pseudo)).as("TCP checksum").isEqualTo(0xffff);
    }
}
