package io.parvirt.console;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The session socket: one vterm session at a time, as on the HMC. The first client is attached;
 * a client arriving while one is attached gets {@link #alreadyOpenLine} and is closed.
 */
final class VtermServer implements AutoCloseable {
    private final String partition;
    private final Path socket;
    private final ChardevPort guest;
    private final ConsoleCounters counters;
    private final byte[] alreadyOpen;
    private final AtomicReference<VtermSession> attached = new AtomicReference<>();
    private volatile ServerSocketChannel server;
    private volatile boolean closed;

    VtermServer(String partition, Path socket, ChardevPort guest, ConsoleCounters counters) {
        this.partition = partition;
        this.socket = socket;
        this.guest = guest;
        this.counters = counters;
        this.alreadyOpen = alreadyOpenLine(partition).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The code of the refusal, the one HSCL code below {@code hmc}: the console cannot use
     * {@code hmc.HsclCode} (imports point down), and its client, {@code mkvterm} in the command line,
     * recognises the same code at the start of the stream (its own constant, VtermClient.REFUSED).
     * HSCL8003 and its wording are parvirt's choice, modelled on the HMC's message.
     */
    static final String ALREADY_OPEN_CODE = "HSCL8003";

    /** The refusal a second client reads. */
    static String alreadyOpenLine(String partition) {
        return ALREADY_OPEN_CODE + " The virtual terminal session for partition " + partition
                + " is already open. Use rmvterm to close it, then retry.\n";
    }

    /**
     * Binds under a staging name, makes it owner-only, then renames it into place, so the socket is
     * never reachable with looser permissions and a socket left by a killed daemon is replaced in
     * one step. The staging name is as long as the final one: a path that fits also fits while staging.
     */
    void open() throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
        String file = socket.getFileName().toString();
        Path staging = socket.resolveSibling("." + (file.length() > 1 ? file.substring(0, file.length() - 1) : file));
        Files.deleteIfExists(staging);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(staging));
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rw-------"));
            Files.move(staging, socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(staging);
            throw e;
        }
        server = ch;
    }

    void serve() {
        Thread.ofVirtual().name("vterm-" + partition).start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (attached.get() != null) {
                refuse(ch);
                continue;
            }
            VtermSession s = new VtermSession(ch, guest, counters, this::ended);
            attached.set(s);
            counters.sessions.incrementAndGet();
            s.start("vterm-" + partition);
            if (closed) { // close() ran between accept and attach and could not see this session
                closeSession();
            }
        }
    }

    private void refuse(SocketChannel ch) {
        counters.refusedSessions.incrementAndGet();
        // a fresh socket's buffer holds this one line, so the write cannot block the accept loop
        try (ch) {
            ch.write(ByteBuffer.wrap(alreadyOpen));
        } catch (IOException e) {
            // the client left already
        }
    }

    void offer(byte[] chunk, int count) {
        VtermSession s = attached.get();
        if (s != null) {
            s.offer(chunk, count);
        }
    }

    boolean sessionOpen() {
        return attached.get() != null;
    }

    boolean closeSession() {
        VtermSession s = attached.getAndSet(null);
        if (s == null) {
            return false;
        }
        s.close();
        return true;
    }

    private void ended(VtermSession s) {
        attached.compareAndSet(s, null);
    }

    @Override
    public void close() {
        closed = true;
        ServerSocketChannel ch = server;
        if (ch != null) {
            try {
                ch.close();
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                // best effort: the run directory is removed with the partition anyway
            }
        }
        closeSession();
    }
}
