package io.parvirt.vswitch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trunk adapter's port bridged to a host TAP interface: the Shared Ethernet Adapter's role,
 * played by the daemon. Frames the host sends on the TAP enter the switch as the trunk's; frames
 * the switch delivers to the trunk (its VLANs' unknown unicast, broadcast and multicast, tagged
 * for its additional VLANs and untagged for its PVID) go out on the TAP.
 *
 * <p>A {@code Selector} cannot watch a TAP's descriptor, so a small thread waits in
 * {@code poll(2)} and, when frames are queued, has the switch loop drain up to {@link #BATCH} of
 * them; it waits for that drain before it polls again, so the loop gets one task per batch, never
 * one per frame, and the frames are read and forwarded on the loop thread like every other port's.
 * Writes happen on the loop thread, straight from a buffer allocated once.
 */
final class TapPort implements FrameSink {
    private static final Logger LOG = LoggerFactory.getLogger(TapPort.class);
    static final int BATCH = 64;

    final String lpar;
    final int slot;
    final VirtualSwitch vswitch;
    final TapDevice tap;
    Port port;
    private final SwitchLoop loop;
    private final MemorySegment in;
    private final ByteBuffer inView;
    private final MemorySegment out;
    private final ByteBuffer outView;
    private final int wakeFd;
    private final Semaphore drained = new Semaphore(0);
    private final Runnable drain = this::drain;
    private final Thread poller;
    private volatile boolean closed;
    private volatile boolean delete;
    private final RuntimeException writeFailed;

    TapPort(TapDevice tap, String lpar, int slot, VirtualSwitch vswitch, SwitchLoop loop)
            throws java.io.IOException {
        this.tap = tap;
        this.lpar = lpar;
        this.slot = slot;
        this.vswitch = vswitch;
        this.loop = loop;
        Arena arena = Arena.ofAuto();
        this.in = arena.allocate(StreamPort.MAX_FRAME);
        this.inView = in.asByteBuffer();
        this.out = arena.allocate(StreamPort.MAX_FRAME);
        this.outView = out.asByteBuffer();
        this.wakeFd = TapDevice.eventFd();
        // One exception, made once: a TAP that fails every write must not cost a stack trace per frame.
        this.writeFailed = new IllegalStateException("TAP interface " + tap.name + " refused a frame", null) {
            @Override
            public synchronized Throwable fillInStackTrace() {
                return this;
            }
        };
        this.poller = Thread.ofPlatform().daemon().name("vswitch-tap-" + tap.name).unstarted(this::pollLoop);
    }

    void start() {
        poller.start();
    }

    /** The host interface's name. */
    String interfaceName() {
        return tap.name;
    }

    boolean open() {
        return !closed;
    }

    private void pollLoop() {
        MemorySegment fds = Arena.ofAuto().allocate(16);
        boolean reported = false;
        try {
            while (!closed) {
                int r = tap.poll(fds, wakeFd, 1000);
                if (r < 0) {
                    if (!reported) {
                        LOG.warn("TAP interface {} of {} slot {} failed ({}); retrying every second", tap.name,
                                lpar, slot, r == -1 ? tap.lastPollError() : "the interface reports an error");
                        reported = true;
                    }
                    Thread.sleep(1000);
                    continue;
                }
                if ((r & TapDevice.POLLIN) != 0 && !closed) {
                    loop.execute(drain);
                    while (!closed && !drained.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        // the loop is busy; a close wakes us through the flag
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            tap.close(delete);
            TapDevice.closeFd(wakeFd);
        }
    }

    /** Loop thread: forwards what the host queued on the TAP, one batch. */
    private void drain() {
        try {
            for (int i = 0; i < BATCH && !closed; i++) {
                long n = tap.read(in);
                if (n <= 0) {
                    break;
                }
                inView.limit((int) n).position(0);
                vswitch.receive(port, inView);
            }
        } finally {
            drained.release();
        }
    }

    @Override
    public boolean offer(ByteBuffer frame) {
        if (closed) {
            return false;
        }
        int pos = frame.position();
        int len = frame.remaining();
        outView.clear();
        outView.put(frame);
        frame.position(pos);
        if (tap.write(out, len)) {
            return true;
        }
        // EAGAIN: the kernel's queue is full (QUEUE_FULL); anything else is the interface failing.
        if (tap.lastErrno() == TapDevice.EAGAIN) {
            return false;
        }
        throw writeFailed;
    }

    /**
     * Loop thread: stops the port. {@code deleteInterface}: the trunk is gone (its VIOS ended), so
     * the interface goes too; false keeps it for a daemon that re-adopts the VIOS.
     */
    void close(boolean deleteInterface) {
        if (closed) {
            return;
        }
        delete = deleteInterface;
        closed = true;
        if (poller.isAlive() || poller.getState() != Thread.State.NEW) {
            TapDevice.signal(wakeFd); // the waiting thread closes the descriptors as it ends
            drained.release();
        } else {
            tap.close(deleteInterface);
            TapDevice.closeFd(wakeFd);
        }
    }
}
