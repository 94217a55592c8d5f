package io.parvirt.console;

import io.parvirt.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** A bare vterm client on the session socket: records what it receives and whether the console closed it. */
final class SessionClient implements AutoCloseable {
    private final SocketChannel channel;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private volatile boolean ended;

    SessionClient(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().name("session-client").start(this::read);
    }

    private void read() {
        ByteBuffer b = ByteBuffer.allocate(4096);
        try {
            while (channel.read(b.clear()) >= 0) {
                synchronized (received) {
                    received.write(b.array(), 0, b.position());
                }
            }
        } catch (IOException e) {
            // a reset counts as the end too: Linux resets a peer that closes with our input unread
        }
        ended = true;
    }

    String received() {
        synchronized (received) {
            return received.toString(StandardCharsets.UTF_8);
        }
    }

    void awaitReceived(String expected) {
        Await.until("session output " + expected, Duration.ofSeconds(5), this::received, expected::equals);
    }

    void awaitEnd() {
        Await.until("end of session", Duration.ofSeconds(5), () -> ended);
    }

    boolean ended() {
        return ended;
    }

    void send(String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
