package io.parvirt.vswitch;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream transport against sockets that behave as QEMU's {@code -netdev stream,server=on}:
 * they listen, the switch connects, frames go both ways with a 4-byte length in front.
 */
@Tag("unit")
class StreamTransportTest {
    static final long MAC_A = 0x0E5056001002L;
    static final long MAC_B = 0x0E5056002002L;

    /** One fake QEMU end: listens like QEMU, accepts the switch's connection. */
    static final class FakeQemu implements AutoCloseable {
        final ServerSocketChannel server;
        SocketChannel conn;

        FakeQemu(Path path) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
        }

        FakeQemu accept() throws IOException {
            conn = server.accept();
            return this;
        }

        void send(byte[] frame) throws IOException {
            send(frame.length, frame);
        }

        void send(int length, byte[] frame) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(4 + frame.length).putInt(length).put(frame).flip();
            while (b.hasRemaining()) {
                conn.write(b);
            }
        }

        byte[] receive() throws IOException {
            ByteBuffer len = ByteBuffer.allocate(4);
            read(len);
            ByteBuffer f = ByteBuffer.allocate(len.flip().getInt());
            read(f);
            return f.array();
        }

        private void read(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                if (conn.read(b) < 0) {
                    throw new IOException("closed");
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (conn != null) {
                conn.close();
            }
            server.close();
        }
    }

    static VirtualEthernet.Adapter adapter(String name, long mac, Path sock) {
        return new VirtualEthernet.Adapter(2, "ETHERNET0", new PortConfig(name, mac, 10, false, Set.of(), 0), sock);
    }

    @Test
    void framesCrossTheSwitchBetweenTwoQemuSocketsAndSurviveAReconnect(@TempDir Path dir) throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(new SwitchSettings(300, 256, 1518), 64 * 1024);
                FakeQemu a = new FakeQemu(dir.resolve("a.sock")); FakeQemu b = new FakeQemu(dir.resolve("b.sock"))) {
            net.connect(1, "A", List.of(adapter("A/2", MAC_A, dir.resolve("a.sock"))));
            net.connect(2, "B", List.of(adapter("B/2", MAC_B, dir.resolve("b.sock"))));
            a.accept();
            b.accept();
            byte[] frame = TestFrames.untagged(MAC_B, MAC_A, 100);
            a.send(frame);
            assertThat(b.receive()).isEqualTo(frame);
            byte[] back = TestFrames.untagged(MAC_A, MAC_B, 1500);
            b.send(back);
            assertThat(a.receive()).isEqualTo(back);

            // QEMU's end goes away and comes back (a restarted connection): the port connects again.
            b.conn.close();
            b.accept();
            a.send(frame);
            assertThat(b.receive()).isEqualTo(frame);

            // A corrupt stream (a length no frame has) drops that connection only.
            a.send(1 << 20, new byte[0]);
            a.conn.close();
            a.accept();
            b.send(back);
            assertThat(a.receive()).isEqualTo(back);

            VirtualEthernet.PortStatus pa = net.ports().getFirst();
            assertThat(pa.lpar()).isEqualTo("A");
            assertThat(pa.connected()).isTrue();
            assertThat(pa.connects()).isGreaterThanOrEqualTo(2);
            assertThat(pa.rxFrames()).isEqualTo(2);
            assertThat(pa.txFrames()).isEqualTo(2);
            assertThat(pa.rxBytes()).isEqualTo(200);

            net.disconnect(2);
            assertThat(net.ports()).extracting(VirtualEthernet.PortStatus::lpar).containsExactly("A");
        }
    }

    @Test
    void aGuestThatDoesNotReadCannotTakeMemory(@TempDir Path dir) throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(new SwitchSettings(300, 256, 1518), 16 * 1024);
                FakeQemu a = new FakeQemu(dir.resolve("a.sock")); FakeQemu b = new FakeQemu(dir.resolve("b.sock"))) {
            net.connect(1, "A", List.of(adapter("A/2", MAC_A, dir.resolve("a.sock"))));
            net.connect(2, "B", List.of(adapter("B/2", MAC_B, dir.resolve("b.sock"))));
            a.accept();
            b.accept();
            byte[] frame = TestFrames.untagged(MAC_B, MAC_A, 1500);
            // B never reads: its socket buffer fills, then the port's fixed buffer, then frames are dropped.
            for (int i = 0; i < 2000; i++) {
                a.send(frame);
            }
            // The switch drops for B while it still reads A's socket: wait until it has read all of it
            // (B's first drop comes well before A's last frame on a loaded host).
            Await.on("A's 2000 frames taken from its socket", () -> net.ports().get(0).rxFrames())
                    .within(Duration.ofSeconds(10)).every(Duration.ofMillis(50)).until(n -> n == 2000);
            VirtualEthernet.PortStatus pb = net.ports().get(1);
            assertThat(pb.drops().get("queue_full")).as("frames for a guest that does not read are dropped")
                    .isPositive();
            assertThat(pb.txFrames() + pb.drops().get("queue_full")).as("each of A's frames delivered or dropped")
                    .isEqualTo(2000);
        }
    }

    @Test
    void aFloodingPartitionDoesNotStopTheOthers(@TempDir Path dir) throws Exception {
        long macC = 0x0E5056003002L;
        try (VirtualEthernet net = new VirtualEthernet(new SwitchSettings(300, 256, 1518), 64 * 1024);
                FakeQemu a = new FakeQemu(dir.resolve("a.sock")); FakeQemu b = new FakeQemu(dir.resolve("b.sock"));
                FakeQemu c = new FakeQemu(dir.resolve("c.sock"))) {
            net.connect(1, "A", List.of(adapter("A/2", MAC_A, dir.resolve("a.sock"))));
            net.connect(2, "B", List.of(adapter("B/2", MAC_B, dir.resolve("b.sock"))));
            net.connect(3, "C", List.of(adapter("C/2", macC, dir.resolve("c.sock"))));
            a.accept();
            b.accept();
            c.accept();
            // A floods broadcasts as fast as it can write; B reads nothing (its queue fills), C drains.
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            byte[] flood = TestFrames.untagged(TestFrames.BROADCAST, MAC_A, 1500);
            Thread flooder = Thread.ofPlatform().start(() -> {
                try {
                    while (!stop.get()) {
                        a.send(flood);
                    }
                } catch (IOException e) {
                    // closed at the end
                }
            });
            java.util.concurrent.atomic.AtomicInteger fromB = new java.util.concurrent.atomic.AtomicInteger();
            Thread drain = Thread.ofPlatform().start(() -> {
                try {
                    while (!stop.get()) {
                        byte[] f = c.receive();
                        if (f[0] != (byte) 0xFF) {
                            fromB.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    // closed at the end
                }
            });
            try {
                Thread.sleep(500); // deliberate: the flood runs a while before B sends, so B competes with it
                // Meanwhile the switch still takes B's frames: the flood does not starve other ports' input.
                byte[] unicast = TestFrames.untagged(macC, MAC_B, 100);
                for (int i = 0; i < 20; i++) {
                    b.send(unicast);
                }
                Await.on("B's 20 frames taken in", () -> net.ports().get(1).rxFrames()).within(Duration.ofSeconds(30))
                        .every(Duration.ofMillis(20)).until(n -> n >= 20);
                VirtualEthernet.PortStatus pa = net.ports().get(0);
                VirtualEthernet.PortStatus pb = net.ports().get(1);
                VirtualEthernet.PortStatus pc = net.ports().get(2);
                // C's queue is shared by every sender: how many of B's 20 frames fit between the flood's
                // depends on how fast C reads (no per-source fairness yet); printed, not asserted.
                System.out.println("flood: C received " + fromB.get() + " of B's 20 frames; C's drops "
                        + pc.drops());
                assertThat(pb.rxFrames()).as("the switch took all of B's frames during the flood").isEqualTo(20);
                assertThat(pa.rxFrames()).as("the flood went through the switch").isGreaterThan(1000);
                assertThat(pb.drops().get("queue_full")).as("B, which does not read, lost frames, not memory")
                        .isPositive();
                assertThat(pc.txFrames()).as("C, which reads, is still delivered to").isPositive();
            } finally {
                stop.set(true);
                a.conn.close();
                c.conn.close();
                flooder.join(5000);
                drain.join(5000);
            }
        }
    }
}
