package io.parvirt.console;

import io.parvirt.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * QEMU's side of a serial chardev ({@code -chardev socket,server=on,wait=off}) without QEMU: it
 * serves a Unix socket, talks to one client at a time (a new client replaces the old, as when QEMU
 * goes back to listening), writes what the "guest" prints and records what is typed at it.
 */
public final class FakeQemu implements AutoCloseable {
    private final Path socket;
    private final ByteArrayOutputStream input = new ByteArrayOutputStream();
    private volatile ServerSocketChannel server;
    private volatile SocketChannel client;
    private volatile int accepted;

    public FakeQemu(Path socket) throws IOException {
        this.socket = socket;
        listen();
    }

    /** Serves the socket (again, after {@link #drop}). */
    public void listen() throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket));
        server = s;
        Thread.ofVirtual().name("fake-qemu-accept").start(() -> {
            try {
                while (true) {
                    SocketChannel c = s.accept();
                    client = c;
                    accepted++;
                    Thread.ofVirtual().name("fake-qemu-read").start(() -> readFrom(c));
                }
            } catch (IOException e) {
                // dropped or closed
            }
        });
    }

    private void readFrom(SocketChannel c) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        try {
            while (c.read(b.clear()) >= 0) {
                synchronized (input) {
                    input.write(b.array(), 0, b.position());
                }
            }
        } catch (IOException e) {
            // the console went away
        }
    }

    /** Waits until the console has connected {@code n} times in all. */
    public void awaitConnections(int n) {
        Await.until("console connection " + n, Duration.ofSeconds(5), () -> accepted, a -> a >= n);
    }

    /** What the guest prints: written whole, blocking while the console does not read (as QEMU's serial does). */
    public void write(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            client.write(b);
        }
    }

    public void write(String text) throws IOException {
        write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Everything typed at the guest so far. */
    public String input() {
        synchronized (input) {
            return input.toString(StandardCharsets.UTF_8);
        }
    }

    public void awaitInput(String expected) {
        Await.until("guest input " + expected, Duration.ofSeconds(5), this::input, expected::equals);
    }

    /** QEMU going away: the connection and the listening socket close and the socket file is removed. */
    public void drop() throws IOException {
        server.close();
        SocketChannel c = client;
        if (c != null) {
            c.close();
        }
        Files.deleteIfExists(socket);
    }

    @Override
    public void close() throws IOException {
        drop();
    }
}
