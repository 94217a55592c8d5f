package io.parvirt.vios.nbd;

import io.parvirt.vhost.DirtyLog;
import io.parvirt.vhost.GuestMemory;
import io.parvirt.vhost.Posix;
import io.parvirt.vhost.VhostUser;
import io.parvirt.vhost.VhostUserChannel;
import io.parvirt.vhost.Virtqueue;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One read-write disk served as a vhost-user-blk back end (issue 17) beside its NBD socket: QEMU
 * ({@code -chardev socket,path=DIR/NAME.vhost} + {@code vhost-user-blk-pci}, guest memory a shared
 * memfd) connects to {@code DIR/NAME.vhost}, and this device maps the guest's memory and serves
 * its virtqueue itself ({@link BlkQueue}), so a request's data goes between the page cache and the
 * guest's buffers with no copy in QEMU and none through a socket.
 *
 * <p>One platform thread per disk does everything, in turn: accepts QEMU's connection (one at a
 * time: the disk has one front end), answers its requests ({@link VhostUser}) and serves the
 * queue when the guest kicks. Nothing is shared with another thread but the export's counters and
 * the disk's file and layers, which {@link DiskIo} shares with the NBD connections.
 *
 * <p>The socket is the mapping, as NBD's is: {@code rw-------} (or {@code rw-rw----} in a directory
 * shared with the clients' group), given its mode before its name ({@link PrivateSocket}).
 * Migration: F_LOG_ALL and LOG_SHMFD are offered; every byte written into guest memory (read data,
 * status bytes, the used ring) is marked in QEMU's log while it asks. A broken connection forgets
 * the guest's state; QEMU's next connection (its {@code reconnect-ms}) starts the device again
 * from the used ring, as with the switch's ports.
 */
final class BlkDevice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BlkDevice.class);
    /** The socket's name beside the export's NBD socket ({@code NAME.sock}): no export's NBD socket ends so. */
    static final String SUFFIX = ".vhost";

    private final BackingFile backing;
    private final ExportCounters counters;
    private final Endpoint endpoint;
    private final Path socket;
    private final ServerSocketChannel server;
    private final MemorySegment config;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment pollFds = arena.allocate(8 * 3, 8);
    private final MemorySegment scratch = arena.allocate(8, 8);
    private final MemorySegment wakeScratch = arena.allocate(8, 8);
    private final VhostUserChannel channel = new VhostUserChannel();
    private final int wakeFd;
    private final Thread thread;
    private volatile boolean closing;
    /** Guarded by this: the thread is done and the wake eventfd closed. */
    private boolean finished;
    private volatile int connFd = -1;
    // the device's thread only
    private BlkQueue queue;
    private GuestMemory memory;
    private DirtyLog dirtyLog;
    private boolean logAll;
    private long protocolFeatures;
    private int kickFd = -1;

    private BlkDevice(BackingFile backing, ExportCounters counters, Endpoint endpoint, Path socket,
            ServerSocketChannel server) {
        this.backing = backing;
        this.counters = counters;
        this.endpoint = endpoint;
        this.socket = socket;
        this.server = server;
        this.config = VirtioBlk.config(backing.size);
        this.wakeFd = Posix.eventfd();
        this.thread = Thread.ofPlatform().daemon().name("vhost-blk-" + backing.export.name()).unstarted(this::run);
    }

    /** Serves {@code backing} on {@code socket} (bound here); the caller has checked that no one listens there. */
    static BlkDevice open(BackingFile backing, ExportCounters counters, Endpoint endpoint, Path socket)
            throws IOException {
        BlkDevice d = new BlkDevice(backing, counters, endpoint, socket, PrivateSocket.bind(socket));
        d.thread.start();
        return d;
    }

    Path socket() {
        return socket;
    }

    boolean connected() {
        return connFd >= 0;
    }

    private void run() {
        try {
            while (!closing) {
                SocketChannel ch;
                try {
                    ch = server.accept();
                } catch (ClosedChannelException e) { // close() closed the socket under accept
                    return;
                } catch (IOException e) {
                    LOG.warn("vhost-blk {}: accept failed: {}", backing.export.name(), e.toString());
                    continue;
                }
                connection(ch);
            }
        } finally {
            synchronized (this) {
                finished = true;
                Posix.close(wakeFd);
            }
            channel.close();
        }
    }

    /** Serves one connection of QEMU's until it ends or the device closes. */
    private void connection(SocketChannel ch) {
        counters.connections.increment();
        int fd = PayloadPipe.descriptor(ch);
        CloseReason reason = CloseReason.CLIENT_GONE;
        boolean opened = false;
        try (SocketChannel c = ch; FileChannel file = backing.openChannel()) {
            if (fd < 0) {
                LOG.warn("vhost-blk {}: the JVM does not give the socket's descriptor (--add-exports "
                        + "java.base/sun.nio.ch)", backing.export.name());
                reason = CloseReason.REFUSED;
                return;
            }
            endpoint.refreshIfIdle();
            counters.open.incrementAndGet();
            opened = true;
            channel.use(fd);
            DiskIo disk = new DiskIo(file, backing, counters);
            queue = new BlkQueue(disk, counters, backing.export.name());
            LOG.info("vhost-blk {}: QEMU connected", backing.export.name());
            synchronized (this) {
                connFd = fd;
            }
            try {
                reason = serve();
            } finally {
                synchronized (this) {
                    connFd = -1; // before the channel closes: close() never shuts down a number reused since
                }
                forget();
                disk.close();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("vhost-blk {}: {}", backing.export.name(), e.toString());
            reason = CloseReason.SOCKET_ERROR;
        } finally {
            if (opened) {
                counters.open.decrementAndGet();
            }
            counters.closed(closing ? CloseReason.SERVER_STOP : reason);
        }
    }

    private CloseReason serve() {
        while (!closing) {
            pollFd(0, connFd);
            pollFd(1, wakeFd);
            int n = 2;
            if (kickFd >= 0) {
                pollFd(n++, kickFd);
            }
            if (Posix.poll(pollFds, n, 1000) <= 0) {
                continue;
            }
            if (ready(1)) {
                Posix.drain(wakeFd, scratch);
            }
            if (n == 3 && ready(2)) {
                Posix.drain(kickFd, scratch);
                queue.drain();
            }
            if (ready(0)) {
                if (!request()) {
                    return CloseReason.CLIENT_GONE;
                }
                if (kickFd >= 0) {
                    queue.drain(); // a queue just started may hold requests posted before its kick
                }
            }
        }
        return CloseReason.SERVER_STOP;
    }

    private void pollFd(int i, int fd) {
        pollFds.set(ValueLayout.JAVA_INT, 8L * i, fd);
        pollFds.set(ValueLayout.JAVA_SHORT, 8L * i + 4, Posix.POLLIN);
        pollFds.set(ValueLayout.JAVA_SHORT, 8L * i + 6, (short) 0);
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
            ok = handle(req, m);
        } finally {
            channel.closeFds();
        }
        if (!ok) {
            LOG.warn("vhost-blk {}: refused {} ({} bytes)", backing.export.name(), VhostUser.name(req), m.byteSize());
        }
        return channel.acknowledge(req, ok, protocolFeatures, answers(req));
    }

    private static boolean answers(int req) {
        return req == VhostUser.GET_FEATURES || req == VhostUser.GET_PROTOCOL_FEATURES
                || req == VhostUser.GET_VRING_BASE || req == VhostUser.GET_QUEUE_NUM || req == VhostUser.SET_LOG_BASE
                || req == VhostUser.GET_MAX_MEM_SLOTS || req == VhostUser.GET_CONFIG;
    }

    private boolean handle(int req, MemorySegment m) {
        long size = m.byteSize();
        Virtqueue q = queue.q;
        switch (req) {
            case VhostUser.GET_FEATURES:
                return channel.reply(req, VirtioBlk.FEATURES);
            case VhostUser.GET_PROTOCOL_FEATURES:
                return channel.reply(req, VirtioBlk.PROTOCOL_FEATURES);
            case VhostUser.SET_PROTOCOL_FEATURES:
                if (size < 8) {
                    return false;
                }
                protocolFeatures = m.get(VhostUser.U64, 0) & VirtioBlk.PROTOCOL_FEATURES;
                return true;
            case VhostUser.GET_QUEUE_NUM:
                return channel.reply(req, 1);
            case VhostUser.SET_FEATURES: {
                if (size < 8) {
                    return false;
                }
                long f = m.get(VhostUser.U64, 0);
                if ((f & ~VirtioBlk.FEATURES) != 0) {
                    return false;
                }
                q.eventIdx = VhostUser.has(f, VhostUser.RING_F_EVENT_IDX);
                logAll = VhostUser.has(f, VhostUser.F_LOG_ALL);
                logging();
                if (!VhostUser.has(f, VhostUser.F_PROTOCOL_FEATURES)) {
                    q.enabled = true; // without protocol features a ring is enabled once started
                }
                return true;
            }
            case VhostUser.SET_OWNER:
                return true;
            case VhostUser.RESET_OWNER:
                forget();
                return true;
            case VhostUser.GET_CONFIG: {
                if (size < VhostUser.CONFIG_HEADER) {
                    return false;
                }
                return channel.replyConfig(m.get(VhostUser.U32, 0), m.get(VhostUser.U32, 4), m.get(VhostUser.U32, 8),
                        config);
            }
            case VhostUser.SET_CONFIG:
                return false; // nothing in the space is writable (no CONFIG_WCE)
            case VhostUser.SET_MEM_TABLE: {
                GuestMemory mem = channel.memoryTable(m);
                if (mem == null) {
                    return false;
                }
                replaceMemory(mem);
                return true;
            }
            case VhostUser.GET_MAX_MEM_SLOTS:
                return channel.reply(req, GuestMemory.MAX_REGIONS);
            case VhostUser.ADD_MEM_REG:
                return addRegion(m);
            case VhostUser.REM_MEM_REG: {
                Posix.close(channel.takeFd(0));
                MemorySegment gone = size < 40 || memory == null ? null
                        : memory.remove(m.get(VhostUser.U64, 8), m.get(VhostUser.U64, 16), m.get(VhostUser.U64, 24));
                if (gone == null) {
                    return false;
                }
                q.resolve(memory);
                Posix.munmap(gone);
                return true;
            }
            case VhostUser.SET_LOG_BASE:
                return logBase(m);
            case VhostUser.SET_LOG_FD:
                Posix.close(channel.takeFd(0)); // QEMU reads the log at its own syncs
                return true;
            case VhostUser.SET_VRING_NUM:
            case VhostUser.SET_VRING_BASE:
            case VhostUser.SET_VRING_ENABLE:
            case VhostUser.GET_VRING_BASE:
                return size >= 8 && state(req, m.get(VhostUser.U32, 0), m.get(VhostUser.U32, 4));
            case VhostUser.SET_VRING_ADDR: {
                if (size < 40 || m.get(VhostUser.U32, 0) != 0) {
                    return false;
                }
                boolean logged = (m.get(VhostUser.U32, 4) & (1 << VhostUser.VRING_F_LOG)) != 0;
                q.descAddr = m.get(VhostUser.U64, 8);
                q.usedAddr = m.get(VhostUser.U64, 16);
                q.availAddr = m.get(VhostUser.U64, 24);
                q.usedLogAddr = logged ? m.get(VhostUser.U64, 32) : -1;
                logging();
                return q.resolve(memory);
            }
            case VhostUser.SET_VRING_KICK:
            case VhostUser.SET_VRING_CALL:
            case VhostUser.SET_VRING_ERR:
                return size >= 8 && eventFd(req, m.get(VhostUser.U64, 0));
            default:
                return false;
        }
    }

    private boolean state(int req, int index, int num) {
        if (index != 0) {
            return false;
        }
        Virtqueue q = queue.q;
        switch (req) {
            case VhostUser.SET_VRING_NUM:
                q.stop();
                q.num = num;
                return num > 0 && num <= Virtqueue.MAX_SIZE && (num & (num - 1)) == 0;
            case VhostUser.SET_VRING_BASE:
                q.lastAvail = num & 0xffff;
                return true;
            case VhostUser.SET_VRING_ENABLE:
                q.enabled = num == 1;
                return true;
            default: // GET_VRING_BASE: the queue stops (every request taken is done); QEMU resumes from here
                q.stop();
                q.enabled = false;
                Posix.close(kickFd);
                kickFd = -1;
                return channel.replyState(req, index, q.lastAvail);
        }
    }

    private boolean eventFd(int req, long v) {
        int index = (int) (v & 0xff);
        int fd = (v & VhostUser.VRING_NOFD) != 0 ? -1 : channel.takeFd(0);
        if (index != 0) {
            Posix.close(fd);
            return false;
        }
        Virtqueue q = queue.q;
        switch (req) {
            case VhostUser.SET_VRING_KICK -> {
                Posix.close(kickFd);
                kickFd = fd;
                if (q.num > 0 && memory != null) {
                    q.resolve(memory); // a restarted ring reads its used index afresh
                }
            }
            case VhostUser.SET_VRING_CALL -> {
                Posix.close(q.callFd);
                q.callFd = fd;
            }
            default -> Posix.close(fd); // errors are QEMU's to report
        }
        return true;
    }

    private void replaceMemory(GuestMemory mem) {
        GuestMemory old = memory;
        memory = mem;
        queue.q.resolve(mem);
        if (old != null) {
            old.close();
        }
    }

    private boolean addRegion(MemorySegment m) {
        int fd = channel.takeFd(0);
        if (m.byteSize() < 40) {
            Posix.close(fd);
            return false;
        }
        long gpa = m.get(VhostUser.U64, 8);
        long bytes = m.get(VhostUser.U64, 16);
        long uva = m.get(VhostUser.U64, 24);
        long offset = m.get(VhostUser.U64, 32);
        MemorySegment mapped = GuestMemory.map(gpa, bytes, uva, offset, fd);
        Posix.close(fd);
        if (mapped == null) {
            return false;
        }
        if (memory == null) {
            memory = new GuestMemory();
        }
        if (!memory.insert(gpa, bytes, uva, offset, mapped)) {
            return false;
        }
        queue.q.resolve(memory);
        return true;
    }

    /** SET_LOG_BASE: a log that cannot be mapped ends the connection (the migration must not miss these writes). */
    private boolean logBase(MemorySegment m) {
        int fd = channel.takeFd(0);
        if (!VhostUser.has(protocolFeatures, VhostUser.PROTOCOL_F_LOG_SHMFD) || m.byteSize() < 16) {
            Posix.close(fd);
            return false;
        }
        long bytes = m.get(VhostUser.U64, 0);
        long offset = m.get(VhostUser.U64, 8);
        DirtyLog log = DirtyLog.map(fd, bytes, offset);
        Posix.close(fd);
        if (log == null) {
            throw new IllegalStateException("cannot map the dirty log (" + bytes + " bytes at " + offset + ")");
        }
        DirtyLog old = dirtyLog;
        dirtyLog = log;
        logging();
        if (old != null) {
            old.close();
        }
        return channel.replyEmpty(VhostUser.SET_LOG_BASE);
    }

    private void logging() {
        queue.q.logTo(logAll ? dirtyLog : null);
    }

    /** The front end is gone or reset: the queue stops and the guest's memory and log are unmapped. */
    private void forget() {
        if (queue != null) {
            queue.q.reset();
        }
        Posix.close(kickFd);
        kickFd = -1;
        if (memory != null) {
            memory.close();
            memory = null;
        }
        if (dirtyLog != null) {
            dirtyLog.close();
            dirtyLog = null;
        }
        logAll = false;
        protocolFeatures = 0;
    }

    /**
     * Stops serving: removes the socket, ends the connection (a request in progress completes
     * first: it runs on the device's thread) and waits for the thread.
     */
    @Override
    public void close() {
        closing = true;
        IOException notRemoved = PrivateSocket.unbind(server, socket);
        if (notRemoved != null) {
            LOG.warn("vhost-blk {}: socket {} not removed: {}", backing.export.name(), socket, notRemoved.toString());
        }
        synchronized (this) {
            if (connFd >= 0) {
                Posix.shutdown(connFd);
            }
            if (!finished) {
                Posix.signal(wakeFd, wakeScratch);
            }
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
