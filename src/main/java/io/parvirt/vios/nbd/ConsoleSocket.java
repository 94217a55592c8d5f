package io.parvirt.vios.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The VIOS's console: a Unix stream socket ({@code rw-------}) on which every connected client
 * receives the server's status lines from the moment it connects, after a banner, each line after
 * its ISO-8601 UTC time and ended by CR LF as a serial terminal expects. It is what the host
 * daemon's console code reads when it shows the VIOS's virtual terminal, as it reads a partition's
 * QEMU serial socket. What a client sends is read and discarded.
 *
 * <p>A client that does not read never holds the server up: each client has a bounded queue of
 * lines, and a line that does not fit is dropped for that client, which is later told how many it
 * missed. At most {@value #MAX_CLIENTS} clients are connected at once; more are closed at once.
 */
final class ConsoleSocket implements AutoCloseable {
    static final int MAX_CLIENTS = 16;
    static final int QUEUED_LINES = 512;
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final Path path;
    private final ServerSocketChannel server;
    private final Supplier<String> banner;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closing;

    private ConsoleSocket(Path path, ServerSocketChannel server, Supplier<String> banner) {
        this.path = path;
        this.server = server;
        this.banner = banner;
        this.acceptor = Thread.ofVirtual().name("nbd-console-accept").unstarted(this::acceptLoop);
    }

    /**
     * Listens on {@code path}; {@code banner} is the first line each client gets.
     *
     * @throws IOException when something else is at {@code path}, another process listens there, or
     *     the socket cannot be made
     */
    static ConsoleSocket open(Path path, Supplier<String> banner) throws IOException {
        Path abs = path.toAbsolutePath();
        if (PrivateSocket.isOtherFile(abs)) {
            throw new IOException("console socket " + abs + ": exists and is not a socket");
        }
        if (PrivateSocket.hasListener(abs)) {
            throw new IOException("console socket " + abs + ": another process listens there");
        }
        ServerSocketChannel server;
        try {
            server = PrivateSocket.bind(abs);
        } catch (IOException | UnsupportedOperationException e) {
            throw new IOException("console socket " + abs + ": " + e.getMessage(), e);
        }
        ConsoleSocket c = new ConsoleSocket(abs, server, banner);
        c.acceptor.start();
        return c;
    }

    Path path() {
        return path;
    }

    int clientCount() {
        return clients.size();
    }

    /**
     * Sends {@code line} (without its CR LF) to every connected client; never waits for one. Under
     * the same lock as a client's admission, so a new client gets its banner and then every line
     * sent after it, none before.
     */
    synchronized void send(String line) {
        String stamped = stamp(line);
        for (Client c : clients) {
            c.offer(stamped);
        }
    }

    /** The line as a client sees it: after the UTC time it was sent, to the millisecond. */
    static String stamp(String line) {
        return TIME.format(Instant.now()) + " " + line;
    }

    private synchronized boolean admit(Client c) {
        if (closing || clients.size() >= MAX_CLIENTS) {
            return false;
        }
        c.offer(banner.get());
        clients.add(c);
        return true;
    }

    private void acceptLoop() {
        while (!closing) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return; // close() closed the socket
            } catch (IOException e) {
                if (closing) {
                    return;
                }
                continue; // a connection that failed while being accepted
            }
            Client c = new Client(ch);
            if (admit(c)) {
                c.start();
            } else {
                c.close();
            }
        }
    }

    /** Stops listening, removes the socket file and disconnects every client. */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        PrivateSocket.unbind(server, path); // a leftover socket file is replaced at the next start
        for (Client c : clients) {
            c.close();
        }
        try {
            acceptor.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One connected client: a writer that drains its queue and a reader that discards its input. */
    private final class Client {
        private final SocketChannel channel;
        private final ArrayDeque<String> queue = new ArrayDeque<>();
        private int dropped;
        private boolean closed;
        private final Thread writer;
        private final Thread reader;

        Client(SocketChannel channel) {
            this.channel = channel;
            this.writer = Thread.ofVirtual().name("nbd-console-out").unstarted(this::writeLoop);
            this.reader = Thread.ofVirtual().name("nbd-console-in").unstarted(this::readLoop);
        }

        void start() {
            writer.start();
            reader.start();
        }

        /**
         * Queues a line, or counts it as dropped. The count goes where the gap is, just before the
         * next line that fits, and only together with it: one notice per gap, not one per freed slot.
         */
        synchronized void offer(String line) {
            if (closed) {
                return;
            }
            if (dropped > 0) {
                if (queue.size() + 2 > QUEUED_LINES) {
                    dropped++;
                    return;
                }
                queue.add(stamp("console: " + dropped + " lines dropped (the client did not read)"));
                dropped = 0;
            } else if (queue.size() >= QUEUED_LINES) {
                dropped++;
                return;
            }
            queue.add(line);
            notifyAll();
        }

        private synchronized String next() throws InterruptedException {
            while (queue.isEmpty() && !closed) {
                wait();
            }
            return closed ? null : queue.poll();
        }

        private void writeLoop() {
            try {
                for (String line = next(); line != null; line = next()) {
                    ByteBuffer b = ByteBuffer.wrap((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                    while (b.hasRemaining()) {
                        channel.write(b);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the client went, or the console closed
            } finally {
                close();
            }
        }

        private void readLoop() {
            ByteBuffer discard = ByteBuffer.allocate(512);
            try {
                while (channel.read(discard.clear()) >= 0) {
                    // input is not a command channel
                }
            } catch (IOException e) {
                // the client went, or the console closed
            } finally {
                close();
            }
        }

        void close() {
            synchronized (this) {
                closed = true;
                queue.clear();
                notifyAll();
            }
            clients.remove(this);
            try {
                channel.close();
            } catch (IOException ignored) {
                // gone
            }
        }
    }
}
