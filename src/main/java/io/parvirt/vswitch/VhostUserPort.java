package io.parvirt.vswitch;

import io.parvirt.vhost.DirtyLog;
import io.parvirt.vhost.GuestMemory;
import io.parvirt.vhost.Virtqueue;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * A partition's virtual Ethernet adapter served as a vhost-user back end: the switch reads the
 * guest's transmit virtqueue and writes its receive virtqueue itself, in the guest's memory, so a
 * frame crosses with no syscall of its own and with its virtio-net header ({@link NetHeader}): two
 * such ports pass checksum and segmentation offloads end to end.
 *
 * <p>This class is the data path, run on the switch loop; {@link VhostUserSession} speaks the
 * protocol on the port's own thread and changes the state here only through the loop. A kick
 * (the guest posted frames) makes the session thread hand the loop one {@link #drain} and wait
 * till the queue is empty; the loop takes a batch per turn ({@link SwitchLoop#nextTurn}), so it gets
 * no task per frame and needs no wake-up per batch. While it drains, the guest
 * is asked not to kick (VRING_USED_F_NO_NOTIFY, or with EVENT_IDX an {@code avail_event} left
 * behind); the available index is checked again after kicks are back on, so no frame waits for a
 * kick that was never sent. Frames delivered to the guest interrupt it at most once per loop turn
 * ({@link #endOfBatch}), and with EVENT_IDX only when the guest's {@code used_event} was crossed.
 *
 * <p>Buffers are allocated once: the transmit chain is copied into one port buffer (a chain may
 * span descriptors and regions; one copy keeps the forwarding core's {@code ByteBuffer} contract)
 * and the receive side copies straight from the switch's buffer into guest memory.
 */
final class VhostUserPort implements FrameSink {
    static final int BATCH = 256;
    /** A RARP announcement as QEMU's announce-self makes it: Ethernet header and RARP body, padded to 60 bytes. */
    static final int RARP_BYTES = 60;
    static final int ETHERTYPE_RARP = 0x8035;
    private static final int SOURCES = 4;

    final Path socket;
    final String lpar;
    final int slot;
    final VirtualSwitch vswitch;
    final SwitchLoop loop;
    Port port;
    final Virtqueue rx = new Virtqueue(VhostNet.RX);
    final Virtqueue tx = new Virtqueue(VhostNet.TX);
    /** Loop thread: the memory the rings and descriptors point into; null before SET_MEM_TABLE. */
    GuestMemory memory;
    int headerSize = NetHeader.SIZE;
    boolean mergeable;
    boolean guestOffloads;
    /** Loop thread: VHOST_F_LOG_ALL negotiated (the front end migrates the guest). */
    boolean logAll;
    /** Loop thread: the dirty log SET_LOG_BASE mapped; marked only while {@link #logAll}. */
    DirtyLog dirtyLog;

    private final MemorySegment frame;
    private final ByteBuffer frameView;
    private final MemorySegment staged = Arena.ofAuto().allocate(NetHeader.SIZE);
    private final MemorySegment eventScratch = Arena.ofAuto().allocate(8);
    private final ByteBuffer rarp = ByteBuffer.allocate(RARP_BYTES);
    private final NetHeader txHeader = new NetHeader();
    private final NetHeader plain = new NetHeader();
    private final ByteBuffer[] sourceBuffers = new ByteBuffer[SOURCES];
    private final MemorySegment[] sourceSegments = new MemorySegment[SOURCES];
    private int nextSource;
    private boolean rxDirty;
    /** Loop thread: set by close, so a configuration change still on its way maps nothing more. */
    boolean closed;
    final Semaphore drained = new Semaphore(0);
    final Runnable drain = this::drain;
    private final Runnable endOfBatch = this::endOfBatch;
    private VhostUserSession session;

    VhostUserPort(Path socket, String lpar, int slot, VirtualSwitch vswitch, SwitchLoop loop) {
        this.socket = socket;
        this.lpar = lpar;
        this.slot = slot;
        this.vswitch = vswitch;
        this.loop = loop;
        this.frame = Arena.ofAuto().allocate(NetHeader.SIZE + VirtualSwitch.GSO_MAX_FRAME, 64);
        this.frameView = frame.asByteBuffer();
        rx.kickless = true;
    }

    /** Connects to QEMU's socket (as soon as QEMU listens, and again whenever it breaks) on the port's thread. */
    void start() {
        session = new VhostUserSession(this);
        session.start();
    }

    boolean connected() {
        return session != null && session.connected();
    }

    long connects() {
        return session == null ? 0 : session.connects();
    }

    /** Stops serving: closes the socket, unmaps the guest's memory (loop thread). */
    void close() {
        closed = true;
        if (session != null) {
            session.close();
        }
        forget();
    }

    /** Loop thread: the front end is gone or reset; the rings stop and the memory is unmapped. */
    void forget() {
        rx.reset();
        tx.reset();
        if (memory != null) {
            memory.close();
            memory = null;
        }
        logAll = false;
        if (dirtyLog != null) {
            dirtyLog.close();
            dirtyLog = null;
        }
        rxDirty = false;
    }

    /** Loop thread: the queues log their writes while {@link #logAll} and a log is mapped; else not at all. */
    void logging() {
        DirtyLog l = logAll ? dirtyLog : null;
        rx.logTo(l);
        tx.logTo(l);
    }

    /**
     * Loop thread: the guest arrived here (SEND_RARP after a migration, QEMU's announce-self for a
     * guest that does not announce itself): a RARP from its address enters the switch as if the
     * guest sent it, so the switch's ports in its VLAN and, through the active trunk, the outside
     * learn at once where it is now. An address other than the adapter's is a SPOOFED_SOURCE drop
     * like any frame; false when the port is not on a switch.
     */
    boolean announce(long mac) {
        if (port == null || !port.attached) {
            return false;
        }
        ByteBuffer f = rarp.clear();
        f.putShort((short) 0xffff).putInt(0xffffffff);
        putMac(f, mac);
        f.putShort((short) ETHERTYPE_RARP);
        f.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4); // Ethernet, IPv4
        f.putShort((short) 3); // reverse request
        putMac(f, mac);
        f.putInt(0);
        putMac(f, mac);
        f.putInt(0);
        while (f.hasRemaining()) {
            f.put((byte) 0);
        }
        vswitch.receive(port, f.flip());
        return true;
    }

    private static void putMac(ByteBuffer f, long mac) {
        f.putShort((short) (mac >>> 32)).putInt((int) mac);
    }

    /** Takes up to {@link #BATCH} frames from the guest's transmit queue (loop thread). */
    void drain() {
        int n = 0;
        boolean more = false;
        if (tx.running() && port != null && port.attached) {
            tx.notifications(false);
            while (true) {
                int ready = tx.available();
                if (ready > tx.num) {
                    port.counters.drop(DropReason.MALFORMED_CHAIN); // an index no ring can have: stop the queue
                    tx.stop();
                    break;
                }
                for (; ready > 0 && n < BATCH; ready--, n++) {
                    transmit();
                }
                if (n >= BATCH) {
                    more = true;
                    break;
                }
                tx.notifications(true);
                if (tx.available() == 0) {
                    break;
                }
                tx.notifications(false);
            }
            if (n > 0 && tx.running()) {
                tx.publish();
                if (tx.interruptWanted()) {
                    tx.signal(eventScratch);
                }
            }
        }
        if (more) {
            // More than a batch: the loop goes on in its next turn, after what else waits on it,
            // so one guest cannot hold the switch; the session thread waits till the queue is empty.
            loop.nextTurn(drain);
            return;
        }
        drained.release();
    }

    /** One frame from the guest into the switch; a malformed chain is counted and given back empty. */
    private void transmit() {
        int head = tx.take();
        int len = tx.read(head, frame, (int) frame.byteSize());
        if (len < headerSize + Dot1q.HEADER) {
            // Shorter than the virtio-net header and an Ethernet header: no driver sends that either.
            port.counters.drop(DropReason.MALFORMED_CHAIN);
            if (head < tx.num) {
                tx.put(head, 0);
            }
            return;
        }
        txHeader.read(frame, 0);
        frameView.limit(len).position(headerSize);
        vswitch.receive(port, frameView, txHeader);
        tx.put(head, 0);
    }

    @Override
    public boolean takesOffloads() {
        return guestOffloads;
    }

    @Override
    public boolean offer(ByteBuffer f) {
        return offer(f, plain.clear());
    }

    /**
     * Writes the header and frame into the guest's next receive buffers: one chain, or with
     * MRG_RXBUF as many as it takes ({@code num_buffers} says how many). False when the guest has
     * not posted enough (the switch counts QUEUE_FULL); a malformed chain is given back empty and
     * counted as MALFORMED_CHAIN, and the frame is lost.
     */
    @Override
    public boolean offer(ByteBuffer f, NetHeader h) {
        if (!rx.running()) {
            return false;
        }
        int len = f.remaining();
        long need = headerSize + (long) len;
        int ready = 0;
        int heads = 0;
        long room = 0;
        while (room < need) {
            if (!mergeable && heads == 1) {
                return false;
            }
            if (heads == ready) {
                // the chains known from the last read of the guest's index, read again when used up
                ready = rx.available(heads + 1);
                if (ready > rx.num) {
                    port.counters.drop(DropReason.MALFORMED_CHAIN);
                    rx.stop();
                    return false;
                }
                if (heads == ready) {
                    return false;
                }
            }
            long c = rx.capacity(rx.peek(heads));
            heads++;
            if (c < 0) {
                giveBack(heads);
                port.counters.drop(DropReason.MALFORMED_CHAIN);
                return false;
            }
            room += c;
        }
        MemorySegment src = segment(f);
        long at = f.position();
        int left = len;
        for (int i = 0; i < heads; i++) {
            int head = rx.take();
            rx.begin(head);
            int written = i == 0 ? writeHeader(h, heads) : 0;
            int n = rx.write(src, at, left);
            at += n;
            left -= n;
            rx.put(head, written + n);
        }
        // Published per frame, not once per loop turn: a turn forwards up to a whole ring, and a
        // guest that sees its used buffers only at the turn's end cannot post them again during it,
        // so frames met an empty ring (measured: 20x the queue_full drops, no gain per frame).
        rx.publish();
        if (!rxDirty) {
            rxDirty = true;
            loop.afterTurn(endOfBatch);
        }
        return true;
    }

    /**
     * Writes the virtio-net header {@code h} ({@link #headerSize} bytes, {@code numBuffers} in the
     * 12-byte form) at the start of the receive chain being filled, as a write of it would: in
     * place when the descriptor at the cursor holds it whole (always, for a Linux guest's buffers),
     * else through a scratch buffer. The bytes written.
     */
    private int writeHeader(NetHeader h, int numBuffers) {
        if (rx.cursorLeft() < headerSize) {
            h.write(staged, 0, headerSize, numBuffers);
            return rx.write(staged, 0, headerSize);
        }
        h.write(rx.cursorSegment(), rx.cursorOffset(), headerSize, numBuffers);
        rx.consumed(headerSize, true);
        return headerSize;
    }

    /** Returns the first {@code n} available chains unused (one of them was malformed). */
    private void giveBack(int n) {
        for (int i = 0; i < n; i++) {
            int head = rx.take();
            if (head < rx.num) {
                rx.put(head, 0);
            }
        }
        rx.publish();
    }

    /** Interrupts the guest once for everything delivered this loop turn. */
    private void endOfBatch() {
        rxDirty = false;
        if (rx.running() && rx.interruptWanted()) {
            rx.signal(eventScratch);
        }
    }

    /**
     * A memory segment over the whole of {@code b} (a switch scratch buffer or a sender's receive
     * buffer: a few, reused), made once per buffer rather than once per frame.
     */
    private MemorySegment segment(ByteBuffer b) {
        for (int i = 0; i < SOURCES; i++) {
            if (sourceBuffers[i] == b) {
                return sourceSegments[i];
            }
        }
        int i = nextSource;
        nextSource = (nextSource + 1) % SOURCES;
        sourceBuffers[i] = b;
        sourceSegments[i] = MemorySegment.ofBuffer(b.duplicate().clear());
        return sourceSegments[i];
    }
}
