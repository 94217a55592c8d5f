package io.parvirt.console;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's virtual console: parvirt's client of the partition's serial chardev, its
 * rotating log and memory ring, its line listeners, its one vterm session at a time (the keyboard)
 * and any number of read-only viewers.
 * Logging never depends on anybody else: it goes on with or without a session, whatever the
 * session client or the listeners do.
 */
public final class VirtualConsole implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VirtualConsole.class);
    /** Output held in memory for {@link #tail}; older output is read back from the log. */
    public static final int RING_BYTES = 64 * 1024;

    private final String name;
    private final Path sessionSocket;
    private final ConsoleCounters counters = new ConsoleCounters();
    private final ConsoleLog log;
    private final OutputRing ring = new OutputRing(RING_BYTES);
    private final ChardevPort guest;
    private final VtermServer vterm;
    private final LineDispatcher lines;
    private final ConsoleLoop loop;
    private Thread loopThread;
    private boolean started;
    private boolean closed;

    /**
     * @param chardevSocket QEMU's serial chardev, a Unix socket QEMU serves (server=on,wait=off)
     * @param logDir where {@code <name>.log} and the rotated {@code <name>.log.1} to {@code .3} go
     * @param sessionSocket the Unix socket (mode 0600) serving one vterm session at a time
     * @param rotateBytes the largest size of each log file
     */
    public VirtualConsole(String partitionName, Path chardevSocket, Path logDir, Path sessionSocket,
            long rotateBytes) {
        this.name = Objects.requireNonNull(partitionName, "partitionName");
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a partition name that cannot name a log file: " + name);
        }
        if (rotateBytes <= 0) {
            throw new IllegalArgumentException("rotateBytes must be positive: " + rotateBytes);
        }
        this.sessionSocket = Objects.requireNonNull(sessionSocket, "sessionSocket");
        this.log = new ConsoleLog(Objects.requireNonNull(logDir, "logDir"), name, rotateBytes, counters);
        this.guest = new ChardevPort(Objects.requireNonNull(chardevSocket, "chardevSocket"), counters);
        this.vterm = new VtermServer(name, sessionSocket, guest, counters);
        this.lines = new LineDispatcher(name, counters);
        this.loop = new ConsoleLoop(name, guest, log, ring, vterm, new LineDecoder(lines), counters);
    }

    /**
     * Opens the log and the session socket, then connects to the chardev on the console's own
     * virtual thread, retrying while QEMU comes up and reconnecting when it drops, until
     * {@link #close}. Calling it again does nothing.
     *
     * @throws ConsoleException when the log or the session socket cannot be set up
     * @throws IllegalStateException after {@link #close}
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the console of partition " + name + " is closed");
        }
        if (started) {
            return;
        }
        try {
            log.open();
        } catch (IOException e) {
            throw new ConsoleException(ConsoleException.Kind.LOG_UNAVAILABLE, name, log.file(0), e);
        }
        try {
            vterm.open();
        } catch (IOException e) {
            log.close();
            throw new ConsoleException(ConsoleException.Kind.SESSION_SOCKET_UNAVAILABLE, name, sessionSocket, e);
        }
        lines.start();
        vterm.serve();
        loopThread = Thread.ofVirtual().name("console-" + name).start(loop);
        started = true;
    }

    /**
     * The last {@code maxBytes} of output: from memory when it holds enough, else from the log files
     * (the live one and the rotated ones). A console that was never started reads the log files only,
     * so the log of a partition that is not running can be read without binding any socket.
     */
    public byte[] tail(int maxBytes) {
        byte[] recent = ring.tail(maxBytes);
        if (recent.length >= maxBytes) {
            return recent;
        }
        try {
            byte[] logged = log.tail(maxBytes);
            return logged.length > recent.length ? logged : recent;
        } catch (IOException e) {
            return recent;
        }
    }

    /**
     * Adds a listener for every complete output line (without its CR LF). Listeners run one after
     * another on the console's line thread, never on the output loop; a listener that falls more
     * than {@value LineDispatcher#QUEUE} lines behind loses lines ({@link Counters#droppedLines}).
     */
    public void addListener(Consumer<String> lineListener) {
        lines.add(Objects.requireNonNull(lineListener, "lineListener"));
    }

    public boolean sessionOpen() {
        return vterm.sessionOpen();
    }

    /** The read-only viewers' socket beside a keyboard session socket. */
    public static Path viewSocket(Path sessionSocket) {
        return VtermServer.viewSocket(sessionSocket);
    }

    public int viewerCount() {
        return vterm.viewerCount();
    }

    /**
     * Frees the keyboard for another client: the session holding it reads {@code notice} and ends;
     * viewers stay. True if a session held it.
     */
    public boolean takeOver(String notice) {
        return takeOver(notice, "");
    }

    /** As {@link #takeOver(String)}, by {@code by} (named in the holder's end event). */
    public boolean takeOver(String notice, String by) {
        return vterm.takeOver(notice.getBytes(java.nio.charset.StandardCharsets.UTF_8), by);
    }

    /** rmvterm: closes the attached session and every viewer; their clients see end of file. True if any was open. */
    public boolean closeSession() {
        return vterm.closeSession();
    }

    /** rmvterm by {@code by}: as {@link #closeSession()}, with {@code by} named in each session's end event. */
    public boolean closeSession(String by) {
        return vterm.closeSession(SessionEvent.Kind.FORCED_OFF, by);
    }

    /**
     * A socket for one client of the keyboard ({@code keyboard}) or of a read-only view, named for
     * the user it is handed to and where the user came from: the session's events carry the name.
     * The socket is the claim's own (a fresh path, mode 0600): it takes one client and goes; a claim
     * whose client does not come within a minute lapses.
     *
     * @throws ConsoleException when the socket cannot be bound
     */
    public Path claim(boolean keyboard, String who, String origin) {
        try {
            return vterm.claim(keyboard, Objects.requireNonNull(who, "who"), origin);
        } catch (IOException e) {
            throw new ConsoleException(ConsoleException.Kind.SESSION_SOCKET_UNAVAILABLE, name, sessionSocket, e);
        }
    }

    /**
     * Where each session's start and end is told (one listener; a later call replaces it). It runs
     * on the session's thread, so it should be brief; what it throws is ignored.
     */
    public void onSession(Consumer<SessionEvent> listener) {
        vterm.onSession(listener);
    }

    /** Who holds the keyboard, as claimed; empty when nobody does. */
    public java.util.Optional<String> holder() {
        return vterm.holder();
    }

    /** Who holds the keyboard and from where, in words ("hscroot, mkvterm on this host"); empty when nobody does. */
    public java.util.Optional<String> holderAndOrigin() {
        return vterm.holderAndOrigin();
    }

    /** Sends input to the guest; dropped and counted while the chardev is not connected. */
    public void write(byte[] input) {
        guest.send(ByteBuffer.wrap(input));
    }

    public Counters counters() {
        return counters.snapshot();
    }

    /** Stops the loop, the session and the listeners' thread, closes the log and removes the session socket. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = loopThread;
        }
        loop.stop();
        vterm.close();
        try {
            // the loop may be in the middle of a log write; let it finish before the file closes
            if (t != null && !t.join(Duration.ofSeconds(2))) {
                LOG.warn("console of partition {}: its loop did not stop within 2 s", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.close();
        lines.close();
    }
}
