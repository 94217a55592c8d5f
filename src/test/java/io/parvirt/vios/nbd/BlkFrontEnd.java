package io.parvirt.vios.nbd;

import io.parvirt.vhost.Posix;
import io.parvirt.vhost.VhostUser;
import io.parvirt.vhost.Virtqueue;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A vhost-user-blk front end playing QEMU's part against the storage server's {@link BlkDevice},
 * for tests: it connects to the disk's socket as QEMU's {@code -chardev socket} client does, hands
 * over one memfd of guest memory ({@code memory-backend-memfd,share=on}), starts the one queue and
 * is the guest's virtio-blk driver: it lays out request chains (header, data, status, in as many
 * descriptors as asked), kicks, and waits for the used entry.
 *
 * <pre>
 *  memory (GPA 0x40000000 + ...)
 *  0x0000 descriptors   0x1000 available ring   0x2000 used ring
 *  0x3000 request headers and status bytes, 32 bytes per slot
 *  0x10000 data: DATA bytes
 * </pre>
 */
final class BlkFrontEnd implements AutoCloseable {
    static final long GPA = 0x4000_0000L;
    static final int QUEUE = 128;
    static final long DESC = 0;
    static final long AVAIL = 0x1000;
    static final long USED = 0x2000;
    static final long HEADERS = 0x3000;
    static final long DATA_AT = 0x10000;
    static final int DATA = 4 << 20;
    static final long SIZE = DATA_AT + DATA;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle IDX = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    final MemorySegment mem;
    private final int memFd;
    private final int sock;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment msg = arena.allocate(512, 8);
    private final MemorySegment scratch = arena.allocate(Posix.MSGHDR + 16 + Posix.CMSG_SPACE, 8);
    private final MemorySegment ev = arena.allocate(8, 8);
    private final int kick = Posix.eventfd();
    private final int call = Posix.eventfd();
    final long features;
    private int avail;
    private int usedSeen;
    private int logFd = -1;
    private MemorySegment log;

    /** Connects to {@code socket} and starts the queue as QEMU does, with the features the device offers. */
    BlkFrontEnd(Path socket) throws IOException {
        memFd = Posix.memfd("guest", SIZE);
        mem = Posix.mmap(memFd, SIZE);
        sock = Posix.connect(socket);
        if (sock < 0) {
            throw new IOException("cannot connect to " + socket);
        }
        features = request(VhostUser.GET_FEATURES, 0) & ~(1L << VhostUser.F_LOG_ALL);
        send(VhostUser.SET_OWNER, 0, 0, new int[0]);
        long protocol = request(VhostUser.GET_PROTOCOL_FEATURES, 0);
        msg.set(VhostUser.U64, 12, protocol);
        send(VhostUser.SET_PROTOCOL_FEATURES, 0, 8, new int[0]);
        msg.set(VhostUser.U64, 12, features);
        send(VhostUser.SET_FEATURES, 0, 8, new int[0]);
        msg.set(VhostUser.U32, 12, 1);
        msg.set(VhostUser.U32, 16, 0);
        msg.set(VhostUser.U64, 20, GPA);
        msg.set(VhostUser.U64, 28, SIZE);
        msg.set(VhostUser.U64, 36, mem.address());
        msg.set(VhostUser.U64, 44, 0);
        send(VhostUser.SET_MEM_TABLE, 0, 40, new int[] {memFd});
        state(VhostUser.SET_VRING_NUM, QUEUE);
        state(VhostUser.SET_VRING_BASE, 0);
        ringAddress(false);
        msg.set(VhostUser.U64, 12, 0);
        send(VhostUser.SET_VRING_KICK, 0, 8, new int[] {kick});
        msg.set(VhostUser.U64, 12, 0);
        send(VhostUser.SET_VRING_CALL, 0, 8, new int[] {call});
        state(VhostUser.SET_VRING_ENABLE, 1);
        request(VhostUser.GET_QUEUE_NUM, 0); // answered: the back end has taken all of the above
    }

    /** GET_CONFIG of {@code size} bytes from offset 0: the configuration space as the device answers it. */
    MemorySegment config(int size) throws IOException {
        msg.set(VhostUser.U32, 12, 0);
        msg.set(VhostUser.U32, 16, size);
        msg.set(VhostUser.U32, 20, 0);
        send(VhostUser.GET_CONFIG, 0, VhostUser.CONFIG_HEADER + size, new int[0]);
        long r = Posix.recv(sock, msg, VhostUser.HEADER + VhostUser.CONFIG_HEADER + size, scratch,
                new int[Posix.MAX_FDS]);
        if (r < 0 || msg.get(VhostUser.U32, 0) != VhostUser.GET_CONFIG) {
            throw new IOException("no reply to GET_CONFIG");
        }
        return MemorySegment.ofArray(msg.asSlice(VhostUser.HEADER + VhostUser.CONFIG_HEADER, size)
                .toArray(ValueLayout.JAVA_BYTE));
    }

    private void ringAddress(boolean logged) throws IOException {
        msg.set(VhostUser.U32, 12, 0);
        msg.set(VhostUser.U32, 16, logged ? 1 << VhostUser.VRING_F_LOG : 0);
        msg.set(VhostUser.U64, 20, mem.address() + DESC);
        msg.set(VhostUser.U64, 28, mem.address() + USED);
        msg.set(VhostUser.U64, 36, mem.address() + AVAIL);
        msg.set(VhostUser.U64, 44, logged ? GPA + USED : 0);
        send(VhostUser.SET_VRING_ADDR, 0, 40, new int[0]);
    }

    private void state(int req, int num) throws IOException {
        msg.set(VhostUser.U32, 12, 0);
        msg.set(VhostUser.U32, 16, num);
        send(req, 0, 8, new int[0]);
    }

    private void send(int req, int flags, int size, int[] fds) throws IOException {
        VhostUser.header(msg, req, VhostUser.VERSION | flags, size);
        if (!Posix.send(sock, msg, 12 + size, scratch, fds, fds.length)) {
            throw new IOException("cannot send " + VhostUser.name(req));
        }
    }

    long request(int req, int size) throws IOException {
        send(req, 0, size, new int[0]);
        long r = Posix.recv(sock, msg, 20, scratch, new int[Posix.MAX_FDS]);
        if (r < 0 || msg.get(VhostUser.U32, 0) != req) {
            throw new IOException("no reply to " + VhostUser.name(req));
        }
        return msg.get(VhostUser.U64, 12);
    }

    /**
     * Starts dirty logging as QEMU's migration does: SET_LOG_BASE with a memfd log over the guest's
     * addresses, SET_FEATURES with LOG_ALL, the ring's address with its used ring's log address.
     */
    void startLogging() throws IOException {
        long pages = (GPA + SIZE + 4095) >>> 12;
        long bytes = ((pages + 63) >>> 6) << 3;
        logFd = Posix.memfd("log", bytes);
        log = Posix.mmap(logFd, bytes);
        msg.set(VhostUser.U64, 12, bytes);
        msg.set(VhostUser.U64, 20, 0);
        send(VhostUser.SET_LOG_BASE, 0, 16, new int[] {logFd});
        long r = Posix.recv(sock, msg, 12, scratch, new int[Posix.MAX_FDS]);
        if (r != 12 || msg.get(VhostUser.U32, 0) != VhostUser.SET_LOG_BASE) {
            throw new IOException("no reply to SET_LOG_BASE");
        }
        msg.set(VhostUser.U64, 12, features | 1L << VhostUser.F_LOG_ALL);
        send(VhostUser.SET_FEATURES, 0, 8, new int[0]);
        ringAddress(true);
        request(VhostUser.GET_QUEUE_NUM, 0);
    }

    /** Whether the page of guest-physical {@code gpa} is marked in the log. */
    boolean dirty(long gpa) {
        long page = gpa >>> 12;
        return (log.get(ValueLayout.JAVA_BYTE, page >>> 3) & (1 << (page & 7))) != 0;
    }

    void clearLog() {
        log.fill((byte) 0);
    }

    /** Writes descriptor {@code d}. */
    void descriptor(int d, long addr, int len, int flags, int next) {
        long o = DESC + 16L * d;
        mem.set(VhostUser.U64, o, addr);
        mem.set(VhostUser.U32, o + 8, len);
        mem.set(U16, o + 12, (short) flags);
        mem.set(U16, o + 14, (short) next);
    }

    /** Makes chain {@code head} available and kicks (every time: the device's avail_event is not consulted). */
    void post(int head) {
        mem.set(U16, AVAIL + 4 + 2L * (avail % QUEUE), (short) head);
        avail++;
        IDX.setRelease(mem, AVAIL + 2, (short) avail);
        VarHandle.fullFence();
        Posix.signal(kick, ev);
    }

    /** Chains the device has given back. */
    int used() {
        return (short) IDX.getAcquire(mem, USED + 2) & 0xffff;
    }

    /** Waits until the device has given back {@code n} chains in all. */
    void awaitUsed(int n) throws IOException {
        long end = System.nanoTime() + 20_000_000_000L;
        while (((used() - n) & 0xffff) > 0x8000) {
            if (System.nanoTime() > end) {
                throw new IOException("the device gave back " + used() + " chains, not " + n);
            }
            Thread.onSpinWait();
        }
    }

    /** The used entry {@code n} (counting from the start): its id and length. */
    long usedEntry(int n) {
        return mem.get(VhostUser.U64, USED + 4 + 8L * (n % QUEUE));
    }

    /** The address (guest-physical) of request slot {@code slot}'s header; its status byte is 16 bytes further. */
    static long header(int slot) {
        return GPA + HEADERS + 32L * slot;
    }

    /**
     * One request as Linux's driver lays it out: a header descriptor, the data in {@code pieces}
     * descriptors over guest {@code [dataGpa, dataGpa+len)}, and a status descriptor; waits for it
     * and returns the status byte. {@code type} IN makes the data device-writable.
     */
    int io(int type, long sector, long dataGpa, int len, int pieces) throws IOException {
        int slot = avail % 4;
        int d = slot * 32;
        long h = header(slot);
        mem.set(VhostUser.U32, h - GPA, type);
        mem.set(VhostUser.U32, h - GPA + 4, 0);
        mem.set(VhostUser.U64, h - GPA + 8, sector);
        mem.set(ValueLayout.JAVA_BYTE, h - GPA + 16, (byte) 0x7f);
        descriptor(d, h, 16, Virtqueue.DESC_NEXT, d + 1);
        int per = pieces == 0 ? 0 : (len + pieces - 1) / pieces;
        int n = 0;
        boolean in = type == VirtioBlk.T_IN || type == VirtioBlk.T_GET_ID;
        for (int i = 0; i < pieces; i++) {
            int l = Math.min(per, len - i * per);
            descriptor(d + 1 + n, dataGpa + (long) i * per, l, Virtqueue.DESC_NEXT | (in ? Virtqueue.DESC_WRITE : 0),
                    d + 2 + n);
            n++;
        }
        descriptor(d + 1 + n, h + 16, 1, Virtqueue.DESC_WRITE, 0);
        int before = used(); // not from the available index: a chain whose head is out of range never comes back
        post(d);
        awaitUsed(before + 1);
        return mem.get(ValueLayout.JAVA_BYTE, h - GPA + 16) & 0xff;
    }

    /** Copies {@code b} into guest memory at guest-physical {@code gpa}. */
    void put(long gpa, byte[] b) {
        MemorySegment.copy(b, 0, mem, ValueLayout.JAVA_BYTE, gpa - GPA, b.length);
    }

    byte[] get(long gpa, int len) {
        return mem.asSlice(gpa - GPA, len).toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public void close() {
        Posix.close(sock);
        Posix.close(kick);
        Posix.close(call);
        Posix.munmap(mem);
        Posix.close(memFd);
        if (log != null) {
            Posix.munmap(log);
            Posix.close(logFd);
        }
        arena.close();
    }
}
