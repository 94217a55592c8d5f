package io.parvirt.vswitch;

import io.parvirt.vhost.Posix;
import io.parvirt.vhost.VhostUser;
import io.parvirt.vhost.VhostUserChannel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol side of a {@link VhostUserPort}, on the port's own thread: QEMU listens on the
 * port's socket ({@code -chardev socket,server=on}) and the session connects to it, answers QEMU's
 * requests ({@link VhostUser}) and waits in {@code poll(2)} for the socket and the guest's transmit
 * kicks. Whatever the data path reads (memory, ring addresses, features) is changed on the switch
 * loop, through {@link #onLoop}, and the next request is read only when that is done: the loop
 * never sees half a configuration.
 *
 * <p>The switch is the client so that a restarted daemon can come back to a running guest at
 * once: QEMU keeps its socket listening, and when the connection breaks it stops the rings, keeps
 * the features it negotiated and, on the next connection, replays the whole start (features,
 * memory, each ring with its base). A ring's base after a broken connection is the guest's used
 * index (QEMU could not ask the dead back end for its last available index), so the new session
 * resumes from the used ring: frames the old one had taken but not yet given back are sent again,
 * nothing else is lost or repeated. Until QEMU listens (it is started after the port is made, and
 * a migration's target QEMU later still) the session tries again every {@link #RETRY_MIN_MS} ms,
 * backing off to {@link #RETRY_MAX_MS}; after QEMU closes the connection, the same.
 */
final class VhostUserSession {
    private static final Logger LOG = LoggerFactory.getLogger(VhostUserSession.class);
    private static final short POLLIN = Posix.POLLIN;
    static final int RETRY_MIN_MS = 10;
    static final int RETRY_MAX_MS = 250;

    private final VhostUserPort port;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment pollFds = arena.allocate(8 * 4, 8);
    private final MemorySegment eventScratch = arena.allocate(8, 8);
    private final MemorySegment wakeScratch = arena.allocate(8, 8);
    private final VhostUserChannel channel = new VhostUserChannel();
    private final int[] kick = {-1, -1};
    private final int wakeFd;
    private volatile int connFd = -1;
    private volatile boolean closed;
    /**
     * Guarded by this (with {@link #connFd}'s changes): the thread is done and the wake eventfd
     * closed, so close never signals or shuts down a descriptor number that may be another's now.
     */
    private boolean finished;
    private volatile long connects;
    private long protocolFeatures;
    private Thread thread;

    VhostUserSession(VhostUserPort port) {
        this.port = port;
        this.wakeFd = Posix.eventfd();
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("vhost-user " + port.lpar + "/" + port.slot).start(this::run);
    }

    boolean connected() {
        return connFd >= 0;
    }

    long connects() {
        return connects;
    }

    void close() {
        closed = true;
        synchronized (this) {
            if (connFd >= 0) {
                Posix.shutdown(connFd); // the session sees its end; run closes it
            }
            if (!finished) {
                Posix.signal(wakeFd, wakeScratch); // still open: run closes it only once finished
            }
        }
    }

    private void run() {
        try {
            int wait = RETRY_MIN_MS;
            while (!closed) {
                int c = Posix.connect(port.socket);
                if (c < 0) {
                    pause(wait); // QEMU is not listening yet, or not any more
                    wait = Math.min(2 * wait, RETRY_MAX_MS);
                    continue;
                }
                wait = RETRY_MIN_MS;
                synchronized (this) {
                    connFd = c;
                    channel.use(c);
                }
                connects++;
                try {
                    serve();
                } catch (RuntimeException e) {
                    LOG.warn("vhost-user port {}/{}: {}", port.lpar, port.slot, e.toString());
                } finally {
                    synchronized (this) {
                        connFd = -1;
                        Posix.close(c);
                    }
                    forget();
                }
            }
        } finally {
            synchronized (this) {
                finished = true;
                Posix.close(wakeFd);
                channel.close();
            }
        }
    }

    /** Waits {@code millis} ms, or less when the port is closed. */
    private void pause(int millis) {
        int n = pollFd(0, wakeFd);
        if (Posix.poll(pollFds, n, millis) > 0) {
            Posix.drain(wakeFd, eventScratch);
        }
    }

    /** Serves one connection until QEMU closes it or sends what cannot be served. */
    private void serve() {
        while (!closed) {
            int n = 0;
            n = pollFd(n, connFd);
            n = pollFd(n, wakeFd);
            int txSlot = kick[VhostNet.TX] >= 0 ? n : -1;
            n = pollFd(n, kick[VhostNet.TX]);
            int rxSlot = kick[VhostNet.RX] >= 0 ? n : -1;
            n = pollFd(n, kick[VhostNet.RX]);
            if (Posix.poll(pollFds, n, 1000) <= 0) {
                continue;
            }
            if (ready(1)) {
                Posix.drain(wakeFd, eventScratch);
            }
            if (rxSlot >= 0 && ready(rxSlot)) {
                Posix.drain(kick[VhostNet.RX], eventScratch); // buffers posted; nothing waits for them
            }
            if (txSlot >= 0 && ready(txSlot)) {
                Posix.drain(kick[VhostNet.TX], eventScratch);
                drain();
            }
            if (ready(0)) {
                if (!request()) {
                    return;
                }
                if (kick[VhostNet.TX] >= 0) {
                    drain(); // a ring just started or enabled may hold frames posted before its kick
                }
            }
        }
    }

    /** Has the loop take the guest's frames, a batch per loop turn, until none are left. */
    private void drain() {
        port.loop.execute(port.drain);
        port.drained.acquireUninterruptibly();
    }

    private int pollFd(int i, int fd) {
        if (fd < 0) {
            return i;
        }
        pollFds.set(ValueLayout.JAVA_INT, 8L * i, fd);
        pollFds.set(ValueLayout.JAVA_SHORT, 8L * i + 4, POLLIN);
        pollFds.set(ValueLayout.JAVA_SHORT, 8L * i + 6, (short) 0);
        return i + 1;
    }

    private boolean ready(int i) {
        return pollFds.get(ValueLayout.JAVA_SHORT, 8L * i + 6) != 0;
    }

    /** Reads and answers one request; false when the connection is over. */
    private boolean request() {
        int req = channel.read();
        if (req < 0) {
            return false;
        }
        MemorySegment m = channel.payload();
        boolean ok;
        try {
            ok = VhostUserRequests.handle(this, port, req, m);
        } finally {
            channel.closeFds();
        }
        if (!ok) {
            LOG.warn("vhost-user port {}/{}: refused {} ({} bytes)", port.lpar, port.slot, VhostUser.name(req), m.byteSize());
        } else {
            LOG.debug("vhost-user port {}/{}: {}", port.lpar, port.slot, VhostUser.name(req));
        }
        return channel.acknowledge(req, ok, protocolFeatures, VhostUserRequests.answers(req));
    }

    /** The connection's messages: the request being handled, its descriptors, the replies. */
    VhostUserChannel channel() {
        return channel;
    }

    void protocolFeatures(long f) {
        protocolFeatures = f;
    }

    long protocolFeatures() {
        return protocolFeatures;
    }

    /** A new kick eventfd for queue {@code q} (the old one closed); -1 for none. */
    void kick(int q, int fd) {
        Posix.close(kick[q]);
        kick[q] = fd;
    }

    /** Runs {@code work} on the switch loop and waits for it: the data path sees each change whole. */
    <T> T onLoop(Supplier<T> work) {
        CompletableFuture<T> f = port.loop.call(work);
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the virtual switch loop did not take a vhost-user change", e);
        }
    }

    private void forget() {
        kick(VhostNet.RX, -1);
        kick(VhostNet.TX, -1);
        protocolFeatures = 0;
        if (!closed) {
            onLoop(() -> {
                port.forget();
                return null;
            });
        }
    }
}
