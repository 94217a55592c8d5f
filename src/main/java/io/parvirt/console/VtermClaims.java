package io.parvirt.console;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Who a session socket's client is. Each claim (a user's, made by whoever hands out a console
 * socket in that user's name) gets a socket of its own, at a path nobody else is given: it takes
 * one client, the claimant's, and is removed. So the path is the claim, and two users opening one
 * console at the same instant are each named for their own connection, whichever connects first
 * (claims once matched to connections in arrival order were swapped then). A claim whose client
 * never came lapses after {@link #LAPSE_NANOS} and its socket goes.
 */
final class VtermClaims implements AutoCloseable {
    static final long LAPSE_NANOS = 60_000_000_000L;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int TOKEN_BYTES = 9;
    private static final int TOKEN_CHARS = 12; // base64 of TOKEN_BYTES

    /** A user's claim on one connection, and where the user came from (the web console, SSH, ...). */
    record Claim(String who, String origin) {
    }

    private final Path beside;
    private final Set<OneShot> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Claims' sockets go beside {@code socket} ({@code 3.sock} → {@code 3.<token>.sock}). */
    VtermClaims(Path socket) {
        this.beside = socket;
    }

    /**
     * Binds the claim's own socket and returns its path; its one client is handed to {@code take}
     * with the claim, on a thread of its own.
     */
    Path add(Claim claim, String threadName, BiConsumer<SocketChannel, Claim> take) throws IOException {
        Path path = path();
        OneShot o = new OneShot(path, VtermServer.bind(path));
        waiting.add(o);
        if (closed) { // close() ran meanwhile and could not see this one
            o.unbind();
            throw new IOException("the console is closed");
        }
        Thread.ofVirtual().name(threadName).start(() -> {
            SocketChannel ch;
            try {
                ch = o.server.accept();
            } catch (IOException e) {
                return; // lapsed, or the console closed
            }
            o.unbind();
            take.accept(ch, claim);
        });
        CompletableFuture.delayedExecutor(LAPSE_NANOS, TimeUnit.NANOSECONDS).execute(o::unbind);
        return path;
    }

    /** A fresh path: 72 random bits, so it is nobody else's and cannot be guessed by another claimant. */
    private Path path() {
        byte[] token = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(token);
        return beside.resolveSibling(stem() + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(token)
                + extension());
    }

    private String stem() {
        String file = beside.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    private String extension() {
        String file = beside.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(dot) : "";
    }

    /** Removes claims' sockets a killed daemon left (nobody serves them): called before any claim. */
    void sweep() throws IOException {
        Path dir = beside.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            return;
        }
        Pattern left = Pattern.compile(Pattern.quote(stem()) + "\\.[A-Za-z0-9_-]{" + TOKEN_CHARS + "}"
                + Pattern.quote(extension()));
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (left.matcher(f.getFileName().toString()).matches()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** Every socket still waiting goes; their claims lapse. */
    @Override
    public void close() {
        closed = true;
        for (OneShot o : waiting) {
            o.unbind();
        }
    }

    private final class OneShot {
        final Path path;
        final ServerSocketChannel server;

        OneShot(Path path, ServerSocketChannel server) {
            this.path = path;
            this.server = server;
        }

        void unbind() {
            if (waiting.remove(this)) {
                try {
                    server.close();
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // best effort: the run directory is removed with the partition anyway
                }
            }
        }
    }
}
