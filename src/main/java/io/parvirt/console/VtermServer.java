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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The session sockets. The keyboard socket serves one vterm session at a time, as on the HMC: the
 * first client is attached and types; a client arriving while one is attached gets {@link
 * #alreadyOpenLine} and is closed. The view socket (parvirt's addition, beside it) takes any number
 * of read-only viewers: each sees the same output live, and what they type is read and dropped.
 * {@link #takeOver} ends the keyboard session after telling its client why, so another can attach.
 */
final class VtermServer implements AutoCloseable {
    private final String partition;
    private final Path socket;
    private final ChardevPort guest;
    private final ConsoleCounters counters;
    private final byte[] alreadyOpen;
    private final Path viewSocket;
    private final AtomicReference<VtermSession> attached = new AtomicReference<>();
    private final List<VtermSession> viewers = new CopyOnWriteArrayList<>();
    private volatile ServerSocketChannel server;
    private volatile ServerSocketChannel viewServer;
    private volatile boolean closed;
    private final VtermClaims claims;
    private volatile java.util.function.Consumer<SessionEvent> events = e -> { };

    VtermServer(String partition, Path socket, ChardevPort guest, ConsoleCounters counters) {
        this.partition = partition;
        this.socket = socket;
        this.viewSocket = viewSocket(socket);
        this.claims = new VtermClaims(socket);
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

    /** The view socket beside a keyboard socket: {@code 3.sock} → {@code 3.view.sock}. */
    static Path viewSocket(Path socket) {
        String file = socket.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return socket.resolveSibling(dot > 0 ? file.substring(0, dot) + ".view" + file.substring(dot) : file + ".view");
    }

    void open() throws IOException {
        claims.sweep();
        server = bind(socket);
        try {
            viewServer = bind(viewSocket);
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(socket);
            throw e;
        }
    }

    /**
     * Binds under a staging name, makes it owner-only, then renames it into place, so the socket is
     * never reachable with looser permissions and a socket left by a killed daemon is replaced in
     * one step. The staging name is as long as the final one: a path that fits also fits while staging.
     */
    static ServerSocketChannel bind(Path socket) throws IOException {
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
        return ch;
    }

    void serve() {
        Thread.ofVirtual().name("vterm-" + partition).start(() -> acceptLoop(server, ch -> attach(ch, null)));
        Thread.ofVirtual().name("vterm-view-" + partition).start(() -> acceptLoop(viewServer, ch -> watch(ch, null)));
    }

    private static void acceptLoop(ServerSocketChannel from, java.util.function.Consumer<SocketChannel> take) {
        while (true) {
            try {
                take.accept(from.accept());
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /**
     * A socket of the claim's own for the keyboard (or a read-only view), whose one client is named
     * {@code who} from {@code origin} in the audit trail: see {@link VtermClaims}. The shared sockets
     * stay for clients nobody claimed for (they are {@link SessionEvent#UNNAMED}).
     */
    Path claim(boolean keyboard, String who, String origin) throws IOException {
        return claims.add(new VtermClaims.Claim(who, origin), (keyboard ? "vterm-" : "vterm-view-") + partition,
                keyboard ? this::attach : this::watch);
    }

    /** Where the sessions' starts and ends are told; the listener runs on the session's own thread. */
    void onSession(java.util.function.Consumer<SessionEvent> listener) {
        this.events = java.util.Objects.requireNonNull(listener, "listener");
    }

    /** Who holds the keyboard, if anyone: the claim's name, or {@link SessionEvent#UNNAMED}. */
    java.util.Optional<String> holder() {
        return java.util.Optional.ofNullable(attached.get()).map(s -> s.event(true, false).who());
    }

    /** {@link #holder} and the claim's origin after a comma, when it has one. */
    java.util.Optional<String> holderAndOrigin() {
        return java.util.Optional.ofNullable(attached.get()).map(s -> s.event(true, false))
                .map(e -> e.who() + (e.origin().isEmpty() ? "" : ", " + e.origin()));
    }

    private void tell(SessionEvent e) {
        try {
            events.accept(e);
        } catch (RuntimeException ex) {
            // the audit's store refused; the session itself goes on
        }
    }

    private void watch(SocketChannel ch, VtermClaims.Claim claim) {
        VtermSession s = new VtermSession(ch, null, counters, this::viewEnded, claim);
        viewers.add(s);
        counters.viewers.incrementAndGet();
        tell(s.event(false, false));
        s.start("vterm-view-" + partition);
        if (closed) {
            s.close();
        }
    }

    /** On the shared socket's accept loop or a claim's own thread: two may race, one attaches. */
    private void attach(SocketChannel ch, VtermClaims.Claim claim) {
        VtermSession s = new VtermSession(ch, guest, counters, this::ended, claim);
        if (!attached.compareAndSet(null, s)) {
            refuse(ch);
            return;
        }
        counters.sessions.incrementAndGet();
        tell(s.event(true, false));
        s.start("vterm-" + partition);
        if (closed) { // close() ran between accept and attach and could not see this session
            closeSession(SessionEvent.Kind.CONSOLE_CLOSED, "");
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
        for (VtermSession v : viewers) {
            v.offer(chunk, count);
        }
    }

    int viewerCount() {
        return viewers.size();
    }

    boolean sessionOpen() {
        return attached.get() != null;
    }

    /** rmvterm: the keyboard session and every viewer end. True if any was open. */
    boolean closeSession() {
        return closeSession(SessionEvent.Kind.FORCED_OFF, "");
    }

    /** rmvterm by {@code by}: the keyboard session and every viewer end. True if any was open. */
    boolean closeSession(SessionEvent.Kind why, String by) {
        boolean any = false;
        for (VtermSession v : viewers) {
            v.endingBecause(why, by);
            v.close();
            any = true;
        }
        VtermSession s = attached.get();
        if (s == null) {
            return any;
        }
        s.endingBecause(why, by);
        s.close();
        attached.compareAndSet(s, null); // its end did so already, unless it was ending anyway
        return true;
    }

    /**
     * Frees the keyboard: its session is sent {@code notice} (after the output already queued for
     * it) and then ended, as rmvterm would; viewers stay. The slot is free at once, so the next
     * client of the keyboard socket attaches. True if a session held it.
     */
    boolean takeOver(byte[] notice, String by) {
        VtermSession s = attached.getAndSet(null);
        if (s == null) {
            return false;
        }
        s.endingBecause(SessionEvent.Kind.TAKEN_OVER, by);
        s.closeAfter(notice);
        return true;
    }

    private void ended(VtermSession s) {
        attached.compareAndSet(s, null);
        tell(s.event(true, true));
    }

    private void viewEnded(VtermSession s) {
        viewers.remove(s);
        tell(s.event(false, true));
    }

    @Override
    public void close() {
        closed = true;
        unbind(server, socket);
        unbind(viewServer, viewSocket);
        claims.close();
        closeSession(SessionEvent.Kind.CONSOLE_CLOSED, "");
    }

    private static void unbind(ServerSocketChannel ch, Path path) {
        if (ch != null) {
            try {
                ch.close();
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // best effort: the run directory is removed with the partition anyway
            }
        }
    }
}
