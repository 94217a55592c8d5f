package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a connection waits for its socket: reads, writes against a full buffer, and when it polls. */
@Tag("unit")
class SocketWaitTest {
    static final long MAX_POLL = 32_000;

    @TempDir
    Path tmp;

    /** A connected pair: [0] the server's end (accepted), [1] the client's. */
    SocketChannel[] pair() throws Exception {
        Path p = tmp.resolve("s" + System.nanoTime());
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(p));
            SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(p));
            return new SocketChannel[] {server.accept(), client};
        }
    }

    @Test
    void aConnectionThatWaitsLongNeverStartsPolling() throws Exception {
        SocketChannel[] s = pair();
        try (Selector sel = Selector.open(); SocketChannel server = s[0]; SocketChannel client = s[1]) {
            SocketWait wait = new SocketWait(server, sel, MAX_POLL);
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(50); // deliberate: the data comes only after the reader has waited a while
                    client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            ByteBuffer b = ByteBuffer.allocate(16);
            assertThat(wait.read(b)).isEqualTo(3);
            assertThat(wait.pollNanos()).as("a 50 ms wait: polling would not have found it").isZero();
        }
    }

    @Test
    void theRestOfABegunRequestIsPolledForEvenWhenThePollTimeIsZero() throws Exception {
        SocketChannel[] s = pair();
        try (Selector sel = Selector.open(); SocketChannel server = s[0]; SocketChannel client = s[1]) {
            // a generous maximum: the test's client thread may be late on a loaded host
            SocketWait wait = new SocketWait(server, sel, 2_000_000_000L);
            ByteBuffer b = ByteBuffer.allocate(64);
            for (boolean following : new boolean[] {true, false}) {
                Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(20); // deliberate: the reader finds nothing there yet
                        client.write(ByteBuffer.wrap(new byte[28])); // a WRITE's header, then its payload
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                long before = wait.sleeps();
                assertThat(wait.read(b.clear(), following)).isEqualTo(28);
                assertThat(wait.sleeps() - before).as("slept, following=%s", following).isEqualTo(following ? 0 : 1);
                if (following) {
                    assertThat(wait.pollNanos()).as("the adaptive poll time, left as it was").isZero();
                }
            }
        }
    }

    @Test
    void dataAlreadyThereIsReadWithoutWaitingAndTheEndOfStreamIsMinusOne() throws Exception {
        SocketChannel[] s = pair();
        try (Selector sel = Selector.open(); SocketChannel server = s[0]; SocketChannel client = s[1]) {
            SocketWait wait = new SocketWait(server, sel, 0);
            client.write(ByteBuffer.wrap(new byte[100]));
            client.close();
            ByteBuffer b = ByteBuffer.allocate(1000);
            assertThat(wait.read(b)).isEqualTo(100);
            assertThat(wait.read(b)).isEqualTo(-1);
            assertThat(wait.pollNanos()).isZero();
        }
    }

    @Test
    void aWriteLargerThanTheSocketBufferWaitsForTheClientToRead() throws Exception {
        SocketChannel[] s = pair();
        byte[] data = new byte[8 << 20];
        new Random(3).nextBytes(data);
        try (Selector sel = Selector.open(); SocketChannel server = s[0]; SocketChannel client = s[1]) {
            SocketWait wait = new SocketWait(server, sel, MAX_POLL);
            ByteBuffer got = ByteBuffer.allocate(data.length);
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    while (got.position() < got.capacity()) {
                        // small reads: the server's writes fill the socket buffer and wait
                        if (client.read(got.limit(Math.min(got.capacity(), got.position() + 4096))) < 0) {
                            break;
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            wait.writeFully(ByteBuffer.wrap(data));
            reader.join();
            assertThat(got.array()).isEqualTo(data);
        }
    }

    @Test
    void closingTheSocketAndWakingTheSelectorEndsAWait() throws Exception {
        SocketChannel[] s = pair();
        try (Selector sel = Selector.open(); SocketChannel server = s[0]; SocketChannel client = s[1]) {
            SocketWait wait = new SocketWait(server, sel, MAX_POLL);
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(50); // deliberate: the socket is closed while the reader already waits
                    server.close();
                    sel.wakeup();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> wait.read(ByteBuffer.allocate(8)))
                    .isInstanceOf(java.nio.channels.ClosedChannelException.class);
        }
    }
}
