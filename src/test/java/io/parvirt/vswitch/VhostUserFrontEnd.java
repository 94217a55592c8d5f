package io.parvirt.vswitch;

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
 * A vhost-user front end that plays QEMU's part against a port, for tests and the benchmark: the
 * guest's memory is one memfd (as {@code memory-backend-memfd,share=on} makes it), mapped here and
 * handed to the back end with SET_MEM_TABLE; both split rings and the buffers live in it, and this
 * class is the guest's driver: it posts receive buffers, transmits chains and reads what the switch
 * wrote. The guest-physical address of the memory is {@link #GPA}; ring addresses given to the
 * back end are this process's own mapping addresses, as QEMU gives its own.
 *
 * <p>As QEMU's {@code -chardev socket,server=on} does, it listens on the port's socket and takes
 * the switch's connection; {@link #reconnect} takes the next one after the back end went (a
 * restarted daemon) and replays the start as QEMU does, each ring from its used index.
 *
 * <p>As QEMU 10 does: with CONFIGURE_MEM_SLOTS the memory goes over as ADD_MEM_REG (one region per
 * message, REPLY_ACK'd) instead of SET_MEM_TABLE; VHOST_F_LOG_ALL is not negotiated at the start but
 * switched on for a migration ({@link #startLogging}: SET_LOG_BASE with a memfd log, SET_FEATURES,
 * SET_VRING_ADDR with the used rings' log addresses), and {@link #dirty} reads the log as QEMU does.
 *
 * <p>With VIRTIO_RING_F_EVENT_IDX negotiated (the back end offers it; leave it out of {@code wanted}
 * to test the flags), it kicks as a Linux driver does: only when the available index crosses the
 * back end's {@code avail_event}, and it asks for an interrupt at the next used entry
 * ({@code used_event} = what it has read) whenever it reads the used rings. {@link #kicks} counts
 * the kicks it sent.
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
    private final int listenFd;
    private final Path socket;
    private int sock = -1;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment msg = arena.allocate(512, 8);
    private final MemorySegment scratch = arena.allocate(Posix.MSGHDR + 16 + Posix.CMSG_SPACE, 8);
    private final MemorySegment ev = arena.allocate(8, 8);
    private final int[] kick = new int[2];
    private final int[] call = new int[2];
    final long features;
    final int headerSize;
    final boolean eventIdx;
    /** Kicks sent per queue (the driver's notifications to the back end). */
    final long[] kicks = new long[2];
    private final long wantedProtocol;
    private int rxAvail;
    private int rxUsedSeen;
    private int txAvail;
    private int txUsedSeen;
    private int txNext;
    private long protocol;
    private int logFd = -1;
    private MemorySegment log;

    /** A region hot-plugged with {@link #addRegion}: its guest-physical address, size and this process's mapping. */
    record Region(long gpa, long size, MemorySegment mem, int fd) {
    }

    /** Listens on the port's socket, takes the switch's connection and negotiates {@code features} (masked by what the back end offers). */
    VhostUserFrontEnd(Path socket, long wanted) throws IOException {
        this(socket, wanted, VhostNet.PROTOCOL_FEATURES);
    }

    /** ... and of the protocol features, those of {@code wantedProtocol} the back end offers. */
    VhostUserFrontEnd(Path socket, long wanted, long wantedProtocol) throws IOException {
        this.socket = socket;
        this.wantedProtocol = wantedProtocol;
        memFd = Posix.memfd("guest", SIZE);
        mem = Posix.mmap(memFd, SIZE);
        listenFd = Posix.listen(socket);
        accept();
        long offered = request(VhostUser.GET_FEATURES, 0, new int[0]);
        features = offered & wanted & ~(1L << VhostUser.F_LOG_ALL); // logging is for migrations only
        headerSize = (features & (1L << VhostUser.F_VERSION_1 | 1L << VhostNet.NET_F_MRG_RXBUF)) != 0
                ? NetHeader.SIZE : NetHeader.LEGACY_SIZE;
        eventIdx = VhostUser.has(features, VhostUser.RING_F_EVENT_IDX);
        for (int q = 0; q < 2; q++) {
            kick[q] = Posix.eventfd();
            call[q] = Posix.eventfd();
        }
        start(0, 0);
    }

    /** Takes the switch's next connection (it connects as soon as it can), within 10 s. */
    private void accept() throws IOException {
        MemorySegment p = arena.allocate(8, 8);
        p.set(ValueLayout.JAVA_INT, 0, listenFd);
        p.set(ValueLayout.JAVA_SHORT, 4, Posix.POLLIN);
        if (Posix.poll(p, 1, 10_000) <= 0 || (sock = Posix.accept(listenFd)) < 0) {
            throw new IOException("the switch did not connect to " + socket);
        }
    }

    /**
     * The back end went (its daemon was killed or stopped): as QEMU, takes its successor's
     * connection and starts again with the features negotiated before, the same memory, and each
     * ring's base its used index (what QEMU knows when it could not ask the back end that went).
     */
    void reconnect() throws IOException {
        Posix.close(sock);
        accept();
        request(VhostUser.GET_FEATURES, 0, new int[0]);
        start(usedIndex(RX_RING), usedIndex(TX_RING));
    }

    private int usedIndex(long ring) {
        return (short) IDX.getAcquire(mem, ring + usedOffset() + 2) & 0xffff;
    }

    /** QEMU's vhost start after GET_FEATURES: owner, protocol features, features, memory, then each ring from its base. */
    private void start(int rxBase, int txBase) throws IOException {
        send(VhostUser.SET_OWNER, 0, 0, new int[0]);
        protocol = request(VhostUser.GET_PROTOCOL_FEATURES, 0, new int[0]) & wantedProtocol;
        msg.set(U64, 12, protocol);
        send(VhostUser.SET_PROTOCOL_FEATURES, 0, 8, new int[0]);
        msg.set(U64, 12, features);
        send(VhostUser.SET_FEATURES, 0, 8, new int[0]);
        if (has(VhostUser.PROTOCOL_F_CONFIGURE_MEM_SLOTS)) {
            if (region(VhostUser.ADD_MEM_REG, GPA, SIZE, mem.address(), memFd) != 0) {
                throw new IOException("the back end refused the guest's memory");
            }
        } else {
            msg.set(U32, 12, 1);
            msg.set(U32, 16, 0);
            msg.set(U64, 20, GPA);
            msg.set(U64, 28, SIZE);
            msg.set(U64, 36, mem.address());
            msg.set(U64, 44, 0);
            send(VhostUser.SET_MEM_TABLE, 0, 40, new int[] {memFd});
        }
        for (int q = 0; q < 2; q++) {
            state(VhostUser.SET_VRING_NUM, q, QUEUE);
            state(VhostUser.SET_VRING_BASE, q, q == 0 ? rxBase : txBase);
            ringAddress(q, false);
            msg.set(U64, 12, q);
            send(VhostUser.SET_VRING_KICK, 0, 8, new int[] {kick[q]});
            msg.set(U64, 12, q);
            send(VhostUser.SET_VRING_CALL, 0, 8, new int[] {call[q]});
            state(VhostUser.SET_VRING_ENABLE, q, 1);
        }
        // A request with a reply, last: when it is answered, the back end has taken all of the above.
        request(VhostUser.GET_QUEUE_NUM, 0, new int[0]);
    }

    boolean has(int protocolFeature) {
        return VhostUser.has(protocol, protocolFeature);
    }

    private void ringAddress(int q, boolean logged) throws IOException {
        long ring = q == 0 ? RX_RING : TX_RING;
        msg.set(U32, 12, q);
        msg.set(U32, 16, logged ? 1 << VhostUser.VRING_F_LOG : 0);
        msg.set(U64, 20, mem.address() + ring);
        msg.set(U64, 28, mem.address() + ring + usedOffset());
        msg.set(U64, 36, mem.address() + ring + 16L * QUEUE);
        msg.set(U64, 44, logged ? GPA + ring + usedOffset() : 0); // QEMU gives the used ring's guest address
        send(VhostUser.SET_VRING_ADDR, 0, 40, new int[0]);
    }

    /** ADD_MEM_REG or REM_MEM_REG of one region, with REPLY_ACK: the back end's status (0: done). */
    private long region(int req, long gpa, long size, long userAddr, int fd) throws IOException {
        msg.set(U64, 12, 0);
        msg.set(U64, 20, gpa);
        msg.set(U64, 28, size);
        msg.set(U64, 36, userAddr);
        msg.set(U64, 44, 0);
        return acknowledged(req, 40, fd < 0 ? new int[0] : new int[] {fd});
    }

    /** Sends {@code req} asking for REPLY_ACK and returns the status answered. */
    long acknowledged(int req, int size, int[] fds) throws IOException {
        send(req, VhostUser.FLAG_NEED_REPLY, size, fds);
        return reply(req);
    }

    private long reply(int req) throws IOException {
        long r = Posix.recv(sock, msg, 20, scratch, new int[Posix.MAX_FDS]);
        if (r < 0 || (int) r != 20 || msg.get(U32, 0) != req) {
            throw new IOException("no reply to " + VhostUser.name(req));
        }
        return msg.get(U64, 12);
    }

    /** Hot-plugs {@code size} bytes of new guest memory at {@code gpa} (a memfd of its own, as a DIMM has). */
    Region addRegion(long gpa, long size) throws IOException {
        int fd = Posix.memfd("dimm", size);
        Region r = new Region(gpa, size, Posix.mmap(fd, size), fd);
        if (region(VhostUser.ADD_MEM_REG, gpa, size, r.mem().address(), fd) != 0) {
            throw new IOException("the back end refused region " + Long.toHexString(gpa));
        }
        return r;
    }

    /** Unplugs {@code r}: REM_MEM_REG, then unmaps it here; the back end's status (0: done). */
    long removeRegion(Region r) throws IOException {
        long status = region(VhostUser.REM_MEM_REG, r.gpa(), r.size(), r.mem().address(), -1);
        Posix.munmap(r.mem());
        Posix.close(r.fd());
        return status;
    }

    long maxMemSlots() throws IOException {
        return request(VhostUser.GET_MAX_MEM_SLOTS, 0, new int[0]);
    }

    /**
     * Starts dirty logging as QEMU's migration does: a memfd log covering guest addresses 0 to the
     * end of this guest's memory, SET_LOG_BASE (waiting for its reply), SET_FEATURES with LOG_ALL,
     * then each ring's address again with its used ring's log address.
     */
    void startLogging() throws IOException {
        long pages = (GPA + SIZE + 4095) >>> 12;
        long bytes = ((pages + 63) >>> 6) << 3;
        logFd = Posix.memfd("log", bytes);
        log = Posix.mmap(logFd, bytes);
        msg.set(U64, 12, bytes);
        msg.set(U64, 20, 0);
        send(VhostUser.SET_LOG_BASE, 0, 16, new int[] {logFd});
        long r = Posix.recv(sock, msg, 12, scratch, new int[Posix.MAX_FDS]);
        if (r < 0 || (int) r != 12 || msg.get(U32, 0) != VhostUser.SET_LOG_BASE
                || (msg.get(U32, 4) & VhostUser.FLAG_REPLY) == 0 || msg.get(U32, 8) != 0) {
            throw new IOException("no reply to SET_LOG_BASE");
        }
        msg.set(U64, 12, features | 1L << VhostUser.F_LOG_ALL);
        send(VhostUser.SET_FEATURES, 0, 8, new int[0]);
        ringAddress(0, true);
        ringAddress(1, true);
        request(VhostUser.GET_QUEUE_NUM, 0, new int[0]); // answered: all of the above is taken
    }

    /** Ends logging (the migration is over or cancelled): features and ring addresses without it. */
    void stopLogging() throws IOException {
        msg.set(U64, 12, features);
        send(VhostUser.SET_FEATURES, 0, 8, new int[0]);
        ringAddress(0, false);
        ringAddress(1, false);
        request(VhostUser.GET_QUEUE_NUM, 0, new int[0]);
    }

    /** Whether the page holding guest-physical {@code gpa} is marked in the log (read as QEMU reads it). */
    boolean dirty(long gpa) {
        long page = gpa >>> 12;
        return (log.get(ValueLayout.JAVA_BYTE, page >>> 3) & (1 << (page & 7))) != 0;
    }

    /** The guest-physical addresses of every page marked in the log. */
    java.util.List<Long> dirtyPages() {
        java.util.List<Long> out = new java.util.ArrayList<>();
        for (long b = 0; b < log.byteSize(); b++) {
            int v = log.get(ValueLayout.JAVA_BYTE, b) & 0xff;
            for (int i = 0; v != 0 && i < 8; i++) {
                if ((v & (1 << i)) != 0) {
                    out.add((b * 8 + i) << 12);
                }
            }
        }
        return out;
    }

    /** Clears the log, as QEMU's sync does after it has copied the pages. */
    void clearLog() {
        log.fill((byte) 0);
    }

    /** QEMU's announce-self for a guest that does not announce itself: SEND_RARP with its MAC. */
    void sendRarp(long mac) throws IOException {
        for (int i = 0; i < 6; i++) {
            msg.set(ValueLayout.JAVA_BYTE, 12 + i, (byte) (mac >>> (40 - 8 * i)));
        }
        msg.set(ValueLayout.JAVA_SHORT, 18, (short) 0);
        send(VhostUser.SEND_RARP, 0, 8, new int[0]);
        request(VhostUser.GET_QUEUE_NUM, 0, new int[0]);
    }

    /** Posts one receive buffer of {@code len} bytes at guest-physical {@code gpa} (anywhere in guest memory). */
    void postReceiveAt(long gpa, int len) {
        int d = rxAvail % QUEUE;
        descriptor(RX_RING, d, gpa, len, Virtqueue.DESC_WRITE, 0);
        mem.set(U16, RX_RING + 16L * QUEUE + 4 + 2L * (rxAvail % QUEUE), (short) d);
        rxAvail++;
        IDX.setRelease(mem, RX_RING + 16L * QUEUE + 2, (short) rxAvail);
        kick(0, rxAvail - 1, rxAvail);
    }

    /**
     * The driver's notification after making chains {@code old..now} available (virtio 1.x 2.7.10):
     * with EVENT_IDX when the index crossed the back end's {@code avail_event}, else unless the used
     * ring's NO_NOTIFY flag is set.
     */
    private void kick(int q, int old, int now) {
        long ring = q == 0 ? RX_RING : TX_RING;
        java.lang.invoke.VarHandle.fullFence(); // the index before the read of what the back end wants
        boolean wanted = eventIdx
                ? Virtqueue.needEvent((short) IDX.getAcquire(mem, ring + usedOffset() + 4 + 8L * QUEUE) & 0xffff,
                        now & 0xffff, old & 0xffff)
                : ((short) IDX.getAcquire(mem, ring + usedOffset()) & 1) == 0;
        if (wanted) {
            kicks[q]++;
            Posix.signal(kick[q], ev);
        }
    }

    /** Asks for an interrupt at the next used entry of queue {@code q} after {@code seen} (EVENT_IDX's {@code used_event}). */
    private void interruptAfter(int q, int seen) {
        if (eventIdx) {
            long ring = q == 0 ? RX_RING : TX_RING;
            IDX.setRelease(mem, ring + 16L * QUEUE + 4 + 2L * QUEUE, (short) seen);
        }
    }

    /** Receive chains the back end has filled (the used ring's index). */
    int received() {
        return (short) IDX.getAcquire(mem, RX_RING + usedOffset() + 2) & 0xffff;
    }

    /** The length the back end wrote into the {@code n}th used receive chain. */
    int receivedLength(int n) {
        return mem.get(U32, RX_RING + usedOffset() + 4 + 8L * (n % QUEUE) + 4);
    }

    static long usedOffset() {
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
        return reply(req);
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
        kick(0, rxAvail - n, rxAvail);
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
        kick(1, txAvail - 1, txAvail);
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
            kick(1, txAvail - room, txAvail); // only if the switch asked (it is not polling this ring now)
        }
        return room;
    }

    /** The benchmark's receiver: counts the frames written since the last call and posts their buffers again. */
    int recycle() {
        int usedIdx = (short) IDX.getAcquire(mem, RX_RING + usedOffset() + 2) & 0xffff;
        int n = (usedIdx - rxUsedSeen) & 0xffff;
        if (n > 0) {
            rxUsedSeen = (rxUsedSeen + n) & 0xffff;
            interruptAfter(0, rxUsedSeen);
            postReceive(n);
        }
        return n;
    }

    /**
     * Plays a back end that drops everything, for the benchmark's generator alone: gives back every
     * transmit chain made available (used entries and index, as a device writes them, no copy).
     * Returns how many. Only after the real back end went (this touches the used ring).
     */
    int consumeAsNullDevice() {
        int availIdx = (short) IDX.getAcquire(mem, TX_RING + 16L * QUEUE + 2) & 0xffff;
        int usedIdx = transmitted();
        int n = (availIdx - usedIdx) & 0xffff;
        for (int i = 0; i < n; i++) {
            int head = mem.get(U16, TX_RING + 16L * QUEUE + 4 + 2L * ((usedIdx + i) % QUEUE)) & 0xffff;
            long e = TX_RING + usedOffset() + 4 + 8L * ((usedIdx + i) % QUEUE);
            mem.set(U32, e, head);
            mem.set(U32, e + 4, 0);
        }
        if (n > 0) {
            IDX.setRelease(mem, TX_RING + usedOffset() + 2, (short) availIdx);
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
        interruptAfter(0, rxUsedSeen);
        return out.toByteArray();
    }

    /** How many interrupts the back end sent for queue {@code q} since last asked (the call eventfd's counter). */
    long interrupts(int q) {
        return Posix.drain(call[q], ev) ? ev.get(ValueLayout.JAVA_LONG, 0) : 0;
    }

    /** The back end's {@code avail_event} of queue {@code q} (EVENT_IDX: the index whose crossing it wants kicked). */
    int availEvent(int q) {
        long ring = q == 0 ? RX_RING : TX_RING;
        return (short) IDX.getAcquire(mem, ring + usedOffset() + 4 + 8L * QUEUE) & 0xffff;
    }

    /** Sets the guest's {@code used_event} of queue {@code q}: interrupt when the used index moves past {@code idx}. */
    void interruptAt(int q, int idx) {
        interruptAfter(q, idx);
    }

    /** Whether the back end interrupted the guest for queue {@code q} since last asked (reads the call eventfd). */
    boolean interrupted(int q) {
        return Posix.drain(call[q], ev);
    }

    @Override
    public void close() {
        Posix.close(sock);
        Posix.close(listenFd);
        try {
            java.nio.file.Files.deleteIfExists(socket);
        } catch (IOException e) {
            // the test's directory goes anyway
        }
        for (int q = 0; q < 2; q++) {
            Posix.close(kick[q]);
            Posix.close(call[q]);
        }
        Posix.munmap(mem);
        Posix.close(memFd);
        if (log != null) {
            Posix.munmap(log);
            Posix.close(logFd);
        }
        arena.close();
    }
}
