package io.parvirt.vios.nbd;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One served export: its own listening Unix socket ({@code DIR/NAME.sock}), the thread that accepts
 * on it and the connections it accepted. A socket serves exactly one export, so the socket is the
 * mapping: a client is handed the path of its own mapping's socket and nothing else, and the
 * socket file is {@code rw-------} (only the server's user, the one that runs the partitions'
 * QEMUs, may connect; connecting needs write permission on the socket).
 *
 * <p>The socket gets its permissions before its name ({@link PrivateSocket}).
 */
public final class Endpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Endpoint.class);
    /** sun_path is 108 bytes with its terminating NUL. */
    private static final int MAX_SOCKET_PATH = 107;

    private final BackingFile backing;
    private final Path socket;
    private final NbdSettings settings;
    private final ExportCounters counters = new ExportCounters();
    private final ServerSocketChannel server;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Thread.Builder threads;
    private final Thread acceptor;
    /** The disk served over vhost-user-blk too ({@code NAME.vhost}); null for read-only media. */
    private BlkDevice blk;
    private volatile boolean closing;

    private Endpoint(BackingFile backing, Path socket, ServerSocketChannel server, NbdSettings settings) {
        this.backing = backing;
        this.socket = socket;
        this.server = server;
        this.settings = settings;
        String name = backing.export.name();
        this.threads = Thread.ofPlatform().daemon().name("nbd-" + name + "-", 1);
        this.acceptor = Thread.ofVirtual().name("nbd-accept-" + name).unstarted(this::acceptLoop);
    }

    static Endpoint open(Export export, Path socketDir, NbdSettings settings) {
        Path socket = socketDir.resolve(export.name() + ".sock").toAbsolutePath();
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw new NbdException(NbdException.Kind.SOCKET_UNAVAILABLE, export.name(), socket,
                    "path longer than " + MAX_SOCKET_PATH + " bytes", null);
        }
        BackingFile backing = BackingFile.open(export);
        try {
            Endpoint e = new Endpoint(backing, socket, bindPrivate(export, socket), settings);
            if (!export.readOnly()) {
                e.blk = openBlk(e, backing, socketDir.resolve(export.name() + BlkDevice.SUFFIX).toAbsolutePath());
            }
            e.acceptor.start();
            LOG.info("nbd {}: serving {} ({} bytes{}) at {}", export.name(), export.file(), backing.size,
                    export.readOnly() ? ", read-only" : "", socket);
            return e;
        } catch (RuntimeException e) {
            backing.close();
            throw e;
        }
    }

    private static BlkDevice openBlk(Endpoint e, BackingFile backing, Path socket) {
        Export export = backing.export;
        refuseIfTaken(export, socket);
        try {
            return BlkDevice.open(backing, e.counters, e, socket);
        } catch (IOException | UnsupportedOperationException x) {
            PrivateSocket.unbind(e.server, e.socket);
            throw new NbdException(NbdException.Kind.SOCKET_UNAVAILABLE, export.name(), socket,
                    String.valueOf(x.getMessage()), x);
        }
    }

    private static ServerSocketChannel bindPrivate(Export export, Path socket) {
        refuseIfTaken(export, socket);
        try {
            return PrivateSocket.bind(socket);
        } catch (IOException | UnsupportedOperationException e) {
            throw new NbdException(NbdException.Kind.SOCKET_UNAVAILABLE, export.name(), socket,
                    String.valueOf(e.getMessage()), e);
        }
    }

    /** An existing socket file is replaced only when no one listens on it (a crashed server's). */
    private static void refuseIfTaken(Export export, Path socket) {
        if (PrivateSocket.isOtherFile(socket)) {
            throw new NbdException(NbdException.Kind.SOCKET_UNAVAILABLE, export.name(), socket,
                    "exists and is not a socket", null);
        }
        if (PrivateSocket.hasListener(socket)) {
            throw new NbdException(NbdException.Kind.SOCKET_IN_USE, export.name(), socket,
                    "another server listens there", null);
        }
    }

    private void acceptLoop() {
        while (!closing) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return; // close() closed the server socket
            } catch (IOException e) {
                if (closing) {
                    return;
                }
                LOG.warn("nbd {}: accept failed: {}", backing.export.name(), e.toString());
                continue;
            }
            counters.connections.increment();
            if (!admit(ch)) {
                counters.closed(CloseReason.REFUSED);
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // refused
                }
            }
        }
    }

    /** Under the lock that close takes, so no connection starts after close has stopped the others. */
    private synchronized boolean admit(SocketChannel ch) {
        if (closing || connections.size() >= settings.maxConnectionsPerExport()) {
            return false;
        }
        if (connections.isEmpty() && (blk == null || !blk.connected()) && !refresh()) {
            return false;
        }
        Connection c;
        try {
            c = new Connection(ch, backing, counters, this, settings.pollMicros() * 1000L);
        } catch (IOException e) {
            LOG.warn("nbd {}: no selector for a connection: {}", backing.export.name(), e.toString());
            return false;
        }
        connections.add(c);
        counters.open.incrementAndGet();
        c.start(threads);
        return true;
    }

    /** The device's layers read again (another VIOS may have served it since: mobility); false when they cannot be. */
    private boolean refresh() {
        if (backing.overlay == null) {
            return true;
        }
        try {
            backing.overlay.refresh();
            return true;
        } catch (IOException e) {
            LOG.warn("nbd {}: its snapshot layers cannot be read again: {}", backing.export.name(), e.toString());
            return false;
        }
    }

    /** vhost-user-blk's connection is starting: the layers are read again when no NBD connection uses them. */
    synchronized void refreshIfIdle() {
        if (connections.isEmpty()) {
            refresh();
        }
    }

    void ended(Connection c) {
        connections.remove(c);
    }

    public Export export() {
        return backing.export;
    }

    /** The export's size in bytes, as clients see it (the backing file's when the export opened). */
    public long size() {
        return backing.size;
    }

    /** The device's snapshot layers (null for read-only media). */
    Overlay overlay() {
        return backing.overlay;
    }

    public Path socket() {
        return socket;
    }

    /** The socket QEMU's vhost-user-blk connects to; null for read-only media, served over NBD only. */
    public Path vhostSocket() {
        return blk == null ? null : blk.socket();
    }

    /** The address QEMU and libnbd take: {@code nbd+unix:///NAME?socket=PATH}. */
    public String uri() {
        return "nbd+unix:///" + backing.export.name() + "?socket=" + socket;
    }

    public ExportCounters counters() {
        return counters;
    }

    /**
     * Stops accepting, removes the socket file, closes every connection (a request in progress
     * completes its file I/O; its reply may not reach the client), waits for their threads, then
     * syncs the backing file: what clients were told was written is on stable storage after a stop.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        IOException notRemoved = PrivateSocket.unbind(server, socket);
        if (notRemoved != null) {
            LOG.warn("nbd {}: socket {} not removed: {}", backing.export.name(), socket, notRemoved.toString());
        }
        for (Connection c : connections) {
            c.stop();
        }
        if (blk != null) {
            blk.close();
        }
        try {
            acceptor.join(10_000);
            for (Connection c : connections) {
                c.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            backing.sync();
        } catch (IOException e) {
            LOG.warn("nbd {}: final sync of {} failed: {}", backing.export.name(), backing.export.file(), e.toString());
        }
        backing.close();
        LOG.info("nbd {}: stopped ({})", backing.export.name(), counters);
    }
}
