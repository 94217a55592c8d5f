package io.parvirt.vswitch;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A vhost-user front end that plays QEMU's part against a port, for tests and the benchmark: the
 * guest's memory is one memfd (as {@code memory-backend-memfd,share=on} makes it), mapped here and
 * handed to the back end with SET_MEM_TABLE; both split rings and the buffers live in it, and this
 * class is the guest's driver: it posts receive buffers, transmits chains and reads what the switch
 * wrote. The guest-physical address of the memory is {@link #GPA}; ring addresses given to the
 * back end are this process's own mapping addresses, as QEMU gives its own.
 *
 * <pre>
 *  memory layout (GPA 0x40000000 + ...)
 *  0x000000 RX descriptors, avail, used (queue 0)    0x010000 TX descriptors, avail, used (queue 1)
 *  0x020000 RX buffers: QUEUE x RX_BUFFER bytes      0x020000 + QUEUE*RX_BUFFER: TX buffers, 64 KiB + header each
 * </pre>
 */
final class VhostUserFrontEnd implements AutoCloseable {
    static final long GPA = 0x4000_0000L;
    static final int QUEUE = 256;
    static final int RX_BUFFER = 2048;
    static final int TX_BUFFER = NetHeader.SIZE + VirtualSwitch.GSO_MAX_FRAME;
    static final int TX_SLOTS = 8;
    static final long RX_RING = 0;
    static final long TX_RING = 0x10000;
    static final long RX_BUFS = 0x20000;
    static final long TX_BUFS = RX_BUFS + (long) QUEUE * RX_BUFFER;
    static final long SIZE = TX_BUFS + (long) TX_SLOTS * TX_BUFFER + 4096;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle IDX = U16.varHandle();

    final MemorySegment mem;
    private final int memFd;
    private final int sock;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment msg = arena.allocate(512, 8);
    private final MemorySegment scratch = arena.allocate(Posix.MSGHDR + 16 + Posix.CMSG_SPACE, 8);
    private final MemorySegment ev = arena.allocate(8, 8);
    private final int[] kick = new int[2];
    private final int[] call = new int[2];
    final long features;
    final int headerSize;
    private int rxAvail;
    private int rxUsedSeen;
    private int txAvail;
    private int txUsedSeen;
    private int txNext;

    /** Connects to the port's socket and negotiates {@code features} (masked by what the back end offers). */
    VhostUserFrontEnd(Path socket, long wanted) throws IOException {
        memFd = Posix.memfd("guest", SIZE);
        mem = Posix.mmap(memFd, SIZE);
        sock = Posix.connect(socket);
        if (sock < 0) {
            throw new IOException("nobody listens on " + socket);
        }
        long offered = request(VhostUser.GET_FEATURES, 0, new int[0]);
        features = offered & wanted;
        headerSize = (features & (1L << VhostUser.F_VERSION_1 | 1L << VhostUser.NET_F_MRG_RXBUF)) != 0
                ? NetHeader.SIZE : NetHeader.LEGACY_SIZE;
        send(VhostUser.SET_OWNER, 0, 0, new int[0]);
        long proto = request(VhostUser.GET_PROTOCOL_FEATURES, 0, new int[0]);
        msg.set(U64, 12, proto);
        send(VhostUser.SET_PROTOCOL_FEATURES, 0, 8, new int[0]);
        msg.set(U64, 12, features);
        send(VhostUser.SET_FEATURES, 0, 8, new int[0]);
        msg.set(U32, 12, 1);
        msg.set(U32, 16, 0);
        msg.set(U64, 20, GPA);
        msg.set(U64, 28, SIZE);
        msg.set(U64, 36, mem.address());
        msg.set(U64, 44, 0);
        send(VhostUser.SET_MEM_TABLE, 0, 40, new int[] {memFd});
        for (int q = 0; q < 2; q++) {
            long ring = q == 0 ? RX_RING : TX_RING;
            state(VhostUser.SET_VRING_NUM, q, QUEUE);
            state(VhostUser.SET_VRING_BASE, q, 0);
            msg.set(U32, 12, q);
            msg.set(U32, 16, 0);
            msg.set(U64, 20, mem.address() + ring);
            msg.set(U64, 28, mem.address() + ring + usedOffset());
            msg.set(U64, 36, mem.address() + ring + 16L * QUEUE);
            msg.set(U64, 44, 0);
            send(VhostUser.SET_VRING_ADDR, 0, 40, new int[0]);
            kick[q] = Posix.eventfd();
            call[q] = Posix.eventfd();
            msg.set(U64, 12, q);
            send(VhostUser.SET_VRING_KICK, 0, 8, new int[] {kick[q]});
            msg.set(U64, 12, q);
            send(VhostUser.SET_VRING_CALL, 0, 8, new int[] {call[q]});
            state(VhostUser.SET_VRING_ENABLE, q, 1);
        }
        // A request with a reply, last: when it is answered, the back end has taken all of the above.
        request(VhostUser.GET_QUEUE_NUM, 0, new int[0]);
    }

    private static long usedOffset() {
        return 16L * QUEUE + 4096; // descriptors, then avail, the used ring 4 KiB further
    }

    private void state(int req, int index, int num) throws IOException {
        msg.set(U32, 12, index);
        msg.set(U32, 16, num);
        send(req, 0, 8, new int[0]);
    }

    void send(int req, int flags, int size, int[] fds) throws IOException {
        VhostUser.header(msg, req, VhostUser.VERSION | flags, size);
        if (!Posix.send(sock, msg, 12 + size, scratch, fds, fds.length)) {
            throw new IOException("back end closed the socket at " + VhostUser.name(req));
        }
    }

    /** Sends a request with an empty payload and returns the u64 of its reply. */
    long request(int req, int size, int[] fds) throws IOException {
        send(req, 0, size, fds);
        long r = Posix.recv(sock, msg, 20, scratch, new int[Posix.MAX_FDS]);
        if (r < 0 || (int) r != 20 || msg.get(U32, 0) != req) {
            throw new IOException("no reply to " + VhostUser.name(req));
        }
        return msg.get(U64, 12);
    }

    /** Sends GET_VRING_BASE for {@code q} and returns the base the back end answered. */
    int vringBase(int q) throws IOException {
        msg.set(U32, 12, q);
        msg.set(U32, 16, 0);
        send(VhostUser.GET_VRING_BASE, 0, 8, new int[0]);
        long r = Posix.recv(sock, msg, 20, scratch, new int[Posix.MAX_FDS]);
        if (r < 0) {
            throw new IOException("no reply to GET_VRING_BASE");
        }
        return msg.get(U32, 16);
    }

    /** Posts {@code n} receive buffers of {@link #RX_BUFFER} bytes, one descriptor each. */
    void postReceive(int n) {
        for (int i = 0; i < n; i++) {
            int d = rxAvail % QUEUE;
            descriptor(RX_RING, d, GPA + RX_BUFS + (long) d * RX_BUFFER, RX_BUFFER, Virtqueue.DESC_WRITE, 0);
            mem.set(U16, RX_RING + 16L * QUEUE + 4 + 2L * (rxAvail % QUEUE), (short) d);
            rxAvail++;
        }
        IDX.setRelease(mem, RX_RING + 16L * QUEUE + 2, (short) rxAvail);
        Posix.signal(kick[0], ev);
    }

    /** Writes descriptor {@code d} of the ring at {@code ring}. */
    void descriptor(long ring, int d, long addr, int len, int flags, int next) {
        long o = ring + 16L * d;
        mem.set(U64, o, addr);
        mem.set(U32, o + 8, len);
        mem.set(U16, o + 12, (short) flags);
        mem.set(U16, o + 14, (short) next);
    }

    /**
     * Transmits {@code frame} with header {@code h}, in {@code pieces} descriptors (1 or more: a
     * chain across buffers, as a guest's scatter-gather makes it).
     */
    void transmit(NetHeader h, byte[] frame, int pieces) {
        int slot = txNext++ % TX_SLOTS;
        long buf = TX_BUFS + (long) slot * TX_BUFFER;
        h.write(mem, buf, headerSize, 0);
        MemorySegment.copy(frame, 0, mem, ValueLayout.JAVA_BYTE, buf + headerSize, frame.length);
        int total = headerSize + frame.length;
        int per = (total + pieces - 1) / pieces;
        int first = (slot * 8) % QUEUE;
        for (int i = 0; i < pieces; i++) {
            int len = Math.min(per, total - i * per);
            boolean last = i == pieces - 1;
            descriptor(TX_RING, first + i, GPA + buf + (long) i * per, len, last ? 0 : Virtqueue.DESC_NEXT, first + i + 1);
        }
        postTransmit(first);
    }

    /** Makes chain {@code head} (descriptors already written) available on the transmit ring and kicks. */
    void postTransmit(int head) {
        mem.set(U16, TX_RING + 16L * QUEUE + 4 + 2L * (txAvail % QUEUE), (short) head);
        txAvail++;
        IDX.setRelease(mem, TX_RING + 16L * QUEUE + 2, (short) txAvail);
        Posix.signal(kick[1], ev);
    }

    /**
     * The benchmark's sender: descriptors {@code 0..QUEUE-1} all point at one {@code frame} in TX
     * buffer 0 (written once); each call makes available as many chains as the ring has room for
     * and kicks once. Returns how many it posted.
     */
    int pump(byte[] frame, boolean first) {
        if (first) {
            new NetHeader().write(mem, TX_BUFS, headerSize, 0);
            MemorySegment.copy(frame, 0, mem, ValueLayout.JAVA_BYTE, TX_BUFS + headerSize, frame.length);
            for (int d = 0; d < QUEUE; d++) {
                descriptor(TX_RING, d, GPA + TX_BUFS, headerSize + frame.length, 0, 0);
            }
        }
        int room = QUEUE - ((txAvail - transmitted()) & 0xffff);
        for (int i = 0; i < room; i++) {
            mem.set(U16, TX_RING + 16L * QUEUE + 4 + 2L * (txAvail % QUEUE), (short) (txAvail % QUEUE));
            txAvail++;
        }
        if (room > 0) {
            IDX.setRelease(mem, TX_RING + 16L * QUEUE + 2, (short) txAvail);
            if (((short) IDX.getAcquire(mem, TX_RING + usedOffset()) & 1) == 0) {
                Posix.signal(kick[1], ev); // the switch asked for kicks (it is not polling this ring now)
            }
        }
        return room;
    }

    /** The benchmark's receiver: counts the frames written since the last call and posts their buffers again. */
    int recycle() {
        int usedIdx = (short) IDX.getAcquire(mem, RX_RING + usedOffset() + 2) & 0xffff;
        int n = (usedIdx - rxUsedSeen) & 0xffff;
        if (n > 0) {
            rxUsedSeen = (rxUsedSeen + n) & 0xffff;
            postReceive(n);
        }
        return n;
    }

    /** Transmit chains the back end has given back. */
    int transmitted() {
        return (short) IDX.getAcquire(mem, TX_RING + usedOffset() + 2) & 0xffff;
    }

    /**
     * The next frame the switch wrote, or null when none is there yet: its header into {@code h},
     * the frame gathered from {@code num_buffers} receive buffers (one without MRG_RXBUF).
     */
    byte[] receive(NetHeader h) {
        int usedIdx = (short) IDX.getAcquire(mem, RX_RING + usedOffset() + 2) & 0xffff;
        if (usedIdx == (rxUsedSeen & 0xffff)) {
            return null;
        }
        long e = RX_RING + usedOffset() + 4 + 8L * (rxUsedSeen % QUEUE);
        int id = mem.get(U32, e);
        int len = mem.get(U32, e + 4);
        long buf = RX_BUFS + (long) id * RX_BUFFER;
        h.read(mem, buf);
        int buffers = headerSize == NetHeader.SIZE ? mem.get(U16, buf + 10) & 0xffff : 1;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(mem.asSlice(buf + headerSize, len - headerSize).toArray(ValueLayout.JAVA_BYTE), 0, len - headerSize);
        rxUsedSeen++;
        for (int i = 1; i < buffers; i++) {
            e = RX_RING + usedOffset() + 4 + 8L * (rxUsedSeen % QUEUE);
            id = mem.get(U32, e);
            len = mem.get(U32, e + 4);
            out.write(mem.asSlice(RX_BUFS + (long) id * RX_BUFFER, len).toArray(ValueLayout.JAVA_BYTE), 0, len);
            rxUsedSeen++;
        }
        return out.toByteArray();
    }

    /** Whether the back end interrupted the guest for queue {@code q} since last asked (reads the call eventfd). */
    boolean interrupted(int q) {
        return Posix.drain(call[q], ev);
    }

    @Override
    public void close() {
        Posix.close(sock);
        for (int q = 0; q < 2; q++) {
            Posix.close(kick[q]);
            Posix.close(call[q]);
        }
        Posix.munmap(mem);
        Posix.close(memFd);
        arena.close();
    }
}
