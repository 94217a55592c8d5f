package io.parvirt.vswitch;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vhost-user transport against a front end that does what QEMU does ({@link VhostUserFrontEnd}:
 * memfd memory, split rings, eventfds passed with SCM_RIGHTS), on real Unix sockets through the
 * daemon's {@link VirtualEthernet}: frames go between two guests' virtqueues, and the virtio-net
 * header with them (issue 17).
 */
@Tag("unit")
class VhostUserTransportTest {
    static final long MAC_A = 0x0E5056001002L;
    static final long MAC_B = 0x0E5056002002L;
    static final long ALL = VhostNet.FEATURES;
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    static VirtualEthernet.Adapter adapter(String name, long mac, int pvid, Set<Integer> addl, Path sock) {
        return new VirtualEthernet.Adapter(2, "ETHERNET0", new PortConfig(name, mac, pvid, !addl.isEmpty(), addl, 0),
                sock, null, Transport.VHOST_USER);
    }

    /** Ports a (PVID {@code pvidA}) and b (PVID {@code pvidB}, tagged in {@code addlB}), listening in {@code dir}. */
    static void twoPorts(VirtualEthernet net, Path dir, int pvidA, int pvidB, Set<Integer> addlB) {
        net.connect(1, "a", List.of(adapter("a/2", MAC_A, pvidA, Set.of(), dir.resolve("a.sock"))));
        net.connect(2, "b", List.of(adapter("b/2", MAC_B, pvidB, addlB, dir.resolve("b.sock"))));
    }

    static byte[] receive(VhostUserFrontEnd g, NetHeader h) {
        byte[][] got = new byte[1][];
        Await.until("a frame in the guest's receive queue", WAIT, () -> (got[0] = g.receive(h)) != null);
        return got[0];
    }

    @Test
    void theVirtioNetHeaderHasVirtiosByteLayout() {
        NetHeader h = new NetHeader();
        h.flags = NetHeader.FLAG_NEEDS_CSUM;
        h.gsoType = NetHeader.GSO_TCPV4 | NetHeader.GSO_ECN;
        h.hdrLen = 0x0142;
        h.gsoSize = 0x05a8;
        h.csumStart = 0x0022;
        h.csumOffset = 0x0010;
        java.lang.foreign.MemorySegment m = java.lang.foreign.MemorySegment.ofArray(new byte[16]).fill((byte) 0x77);
        h.write(m, 2, NetHeader.SIZE, 0x0304);
        assertThat(m.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).as("little-endian, num_buffers last")
                .containsExactly(0x77, 0x77, 0x01, 0x81, 0x42, 0x01, 0xa8, 0x05, 0x22, 0x00, 0x10, 0x00, 0x04, 0x03,
                        0x77, 0x77);
        m.fill((byte) 0x77);
        h.write(m, 2, NetHeader.LEGACY_SIZE, 0x0304);
        assertThat(m.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 12)).as("the legacy header has no num_buffers")
                .isEqualTo((byte) 0x77);
        NetHeader back = new NetHeader();
        back.read(m, 2);
        assertThat(back.toString()).isEqualTo(h.toString());
        assertThat(back.csumOffset).isEqualTo(0x0010);
    }

    @Test
    void framesCrossBetweenTwoGuestsVirtqueuesAndTheGuestIsInterrupted() throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            twoPorts(net, dir, 1, 1, Set.of());
            try (VhostUserFrontEnd a = new VhostUserFrontEnd(dir.resolve("a.sock"), ALL);
                    VhostUserFrontEnd b = new VhostUserFrontEnd(dir.resolve("b.sock"), ALL)) {
                b.postReceive(64);
                a.postReceive(64);
                byte[] f = TestFrames.untagged(MAC_B, MAC_A, 1514);
                a.transmit(new NetHeader(), f, 3);
                NetHeader h = new NetHeader();
                assertThat(receive(b, h)).isEqualTo(f);
                assertThat(h.pending()).isFalse();
                Await.until("b interrupted", WAIT, () -> b.interrupted(VhostNet.RX));
                Await.until("a's chain given back", WAIT, () -> a.transmitted() == 1);
                byte[] back = TestFrames.untagged(TestFrames.BROADCAST, MAC_B, 60);
                b.transmit(new NetHeader(), back, 1);
                assertThat(receive(a, h)).isEqualTo(back);
                VirtualEthernet.PortStatus sa = net.ports().stream().filter(p -> p.lparId() == 1).findFirst().orElseThrow();
                assertThat(sa.transport()).isEqualTo("vhost-user");
                assertThat(sa.connected()).isTrue();
                assertThat(sa.rxFrames()).isEqualTo(1);
                assertThat(sa.txFrames()).isEqualTo(1);
            }
        }
    }

    @Test
    void aSixtyFourKilobyteSegmentCrossesAsOneFrameWithItsOffloadHeader() throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            twoPorts(net, dir, 1, 1, Set.of());
            try (VhostUserFrontEnd a = new VhostUserFrontEnd(dir.resolve("a.sock"), ALL);
                    VhostUserFrontEnd b = new VhostUserFrontEnd(dir.resolve("b.sock"), ALL)) {
                b.postReceive(64);
                byte[] seg = TcpFrames.tcp4(MAC_B, MAC_A, 65000);
                NetHeader h = TcpFrames.gso(NetHeader.GSO_TCPV4, 1448, seg.length, 0);
                a.transmit(h, seg, 17);
                NetHeader got = new NetHeader();
                assertThat(receive(b, got)).isEqualTo(seg);
                assertThat(got.gsoType).isEqualTo(NetHeader.GSO_TCPV4);
                assertThat(got.gsoSize).isEqualTo(1448);
                assertThat(got.flags & NetHeader.FLAG_NEEDS_CSUM).isNotZero();
                assertThat(got.csumStart).isEqualTo(34);
                assertThat(got.csumOffset).isEqualTo(16);
                assertThat(net.ports().getFirst().rxSegments()).as("A's port counts the segment").isEqualTo(1);
                assertThat(net.ports().get(1).rxSegments()).isZero();
            }
        }
    }

    @Test
    void aTaggedMemberGetsTheHeaderOffsetsMovedByTheTag() throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            twoPorts(net, dir, 5, 1, Set.of(5));
            try (VhostUserFrontEnd a = new VhostUserFrontEnd(dir.resolve("a.sock"), ALL);
                    VhostUserFrontEnd b = new VhostUserFrontEnd(dir.resolve("b.sock"), ALL)) {
                b.postReceive(64);
                byte[] seg = TcpFrames.tcp4(MAC_B, MAC_A, 9000);
                a.transmit(TcpFrames.gso(NetHeader.GSO_TCPV4, 1448, seg.length, 0), seg, 2);
                NetHeader got = new NetHeader();
                byte[] f = receive(b, got);
                assertThat(f).hasSize(seg.length + 4);
                assertThat(TestFrames.get16(f, 12)).isEqualTo(0x8100);
                assertThat(got.csumStart).isEqualTo(38);
                assertThat(got.hdrLen).isEqualTo(58);
            }
        }
    }

    @Test
    void aGuestWithoutOffloadsGetsTheSegmentCutIntoFramesWithRightChecksums() throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            twoPorts(net, dir, 1, 1, Set.of());
            long plain = ALL & ~VhostNet.GUEST_OFFLOADS;
            try (VhostUserFrontEnd a = new VhostUserFrontEnd(dir.resolve("a.sock"), ALL);
                    VhostUserFrontEnd b = new VhostUserFrontEnd(dir.resolve("b.sock"), plain)) {
                b.postReceive(128);
                byte[] seg = TcpFrames.tcp4(MAC_B, MAC_A, 10_000);
                a.transmit(TcpFrames.gso(NetHeader.GSO_TCPV4, 1448, seg.length, 0), seg, 4);
                int payload = 0;
                for (int i = 0; i < 7; i++) {
                    NetHeader got = new NetHeader();
                    byte[] f = receive(b, got);
                    assertThat(got.pending()).isFalse();
                    assertThat(f.length).isLessThanOrEqualTo(14 + 20 + 20 + 1448);
                    TcpFrames.assertChecksumsValid(f);
                    payload += f.length - 54;
                }
                assertThat(payload).isEqualTo(seg.length - 54);
            }
        }
    }

    @Test
    void aStreamPortOnTheSameSwitchGetsFinishedFramesAndSendsToTheGuest() throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 1 << 20);
                StreamTransportTest.FakeQemu qemu = new StreamTransportTest.FakeQemu(dir.resolve("s.sock"))) {
            net.connect(1, "a", List.of(adapter("a/2", MAC_A, 10, Set.of(), dir.resolve("a.sock"))));
            net.connect(2, "s", List.of(StreamTransportTest.adapter("s/2", MAC_B, dir.resolve("s.sock"))));
            qemu.accept();
            try (VhostUserFrontEnd a = new VhostUserFrontEnd(dir.resolve("a.sock"), ALL)) {
                a.postReceive(16);
                byte[] seg = TcpFrames.tcp4(MAC_B, MAC_A, 4000);
                a.transmit(TcpFrames.gso(NetHeader.GSO_TCPV4, 1448, seg.length, 0), seg, 1);
                for (int i = 0; i < 3; i++) {
                    TcpFrames.assertChecksumsValid(qemu.receive());
                }
                byte[] f = TestFrames.untagged(MAC_A, MAC_B, 100);
                qemu.send(f);
                assertThat(receive(a, new NetHeader())).isEqualTo(f);
            }
        }
    }

    @Test
    void aGuestThatPostsNoReceiveBuffersLosesFramesAsQueueFull() throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            twoPorts(net, dir, 1, 1, Set.of());
            try (VhostUserFrontEnd a = new VhostUserFrontEnd(dir.resolve("a.sock"), ALL);
                    VhostUserFrontEnd b = new VhostUserFrontEnd(dir.resolve("b.sock"), ALL)) {
                a.transmit(new NetHeader(), TestFrames.untagged(MAC_B, MAC_A, 200), 1);
                Await.until("the drop counted", WAIT, () -> net.ports().stream().filter(p -> p.lparId() == 2)
                        .anyMatch(p -> p.drops().get("queue_full") == 1));
            }
        }
    }

    /**
     * A daemon restart as the guests see it: the switch's back ends go (a normal stop, which saves
     * the counters), the guest goes on posting frames, and a new switch re-adopts the partitions:
     * it connects to the front ends again, which replay the start with each ring's used index as
     * its base (QEMU's after a broken connection). Every frame arrives once, in order, those posted
     * while no back end ran included, and the ports count on from the saved counters.
     */
    @Test
    void aBackEndThatGoesAndComesBackResumesFromTheRingsBaseWithItsCounters() throws Exception {
        java.util.function.IntFunction<Path> runDirs = id -> dir.resolve("run" + id);
        java.nio.file.Files.createDirectories(runDirs.apply(1));
        java.nio.file.Files.createDirectories(runDirs.apply(2));
        VirtualEthernet first = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536);
        first.checkpointIn(runDirs);
        twoPorts(first, dir, 1, 1, Set.of());
        try (VhostUserFrontEnd a = new VhostUserFrontEnd(dir.resolve("a.sock"), ALL);
                VhostUserFrontEnd b = new VhostUserFrontEnd(dir.resolve("b.sock"), ALL)) {
            b.postReceive(64);
            List<Integer> got = new java.util.ArrayList<>();
            sendNumbered(a, 0, 8);
            receiveNumbered(b, got, 8);
            first.close();
            sendNumbered(a, 8, 8); // posted while no back end runs: they wait on the ring
            try (VirtualEthernet second = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
                second.checkpointIn(runDirs);
                second.resume(1, "a", List.of(adapter("a/2", MAC_A, 1, Set.of(), dir.resolve("a.sock"))));
                second.resume(2, "b", List.of(adapter("b/2", MAC_B, 1, Set.of(), dir.resolve("b.sock"))));
                b.reconnect(); // the receiver first: a frame for a guest whose rings are not back yet is lost
                a.reconnect();
                Await.until("the frames posted while no back end ran taken", WAIT, () -> a.transmitted() == 16);
                receiveNumbered(b, got, 16);
                sendNumbered(a, 16, 8);
                receiveNumbered(b, got, 24);
                assertThat(got).as("each frame once, in order").isEqualTo(java.util.stream.IntStream.range(0, 24)
                        .boxed().toList());
                assertThat(b.received()).isEqualTo(24);
                VirtualEthernet.PortStatus pa = second.ports().get(0);
                VirtualEthernet.PortStatus pb = second.ports().get(1);
                assertThat(pa.rxFrames()).as("8 counted before the restart, restored, and 16 after").isEqualTo(24);
                assertThat(pb.txFrames()).isEqualTo(24);
                assertThat(pa.connected()).isTrue();
            }
            assertThat(CounterCheckpoint.read(runDirs.apply(2).resolve(CounterCheckpoint.FILE)).get(2))
                    .as("saved again at the second stop").containsEntry("txFrames", 24L);
        }
    }

    /** A fresh activation does not take the counters of an earlier run of the partition. */
    @Test
    void aPartitionConnectedAfreshStartsFromZeroAndItsOldCheckpointGoes() throws Exception {
        Path run = dir.resolve("run1");
        java.nio.file.Files.createDirectories(run);
        CounterCheckpoint.write(run.resolve(CounterCheckpoint.FILE), java.util.Map.of(2, java.util.Map.of("rxFrames", 5L)));
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            net.checkpointIn(id -> dir.resolve("run" + id));
            net.connect(1, "a", List.of(adapter("a/2", MAC_A, 1, Set.of(), dir.resolve("a.sock"))));
            assertThat(net.ports().get(0).rxFrames()).isZero();
            assertThat(CounterCheckpoint.read(run.resolve(CounterCheckpoint.FILE)).getOrDefault(2, java.util.Map.of()))
                    .as("the old run's checkpoint is gone (or already replaced by this run's)")
                    .doesNotContainEntry("rxFrames", 5L);
            net.disconnect(1);
            net.resume(1, "a", List.of(adapter("a/2", MAC_A, 1, Set.of(), dir.resolve("a.sock"))));
            assertThat(net.ports().get(0).rxFrames()).isZero();
        }
    }

    private static void sendNumbered(VhostUserFrontEnd a, int from, int n) {
        for (int i = from; i < from + n; i++) {
            byte[] f = TestFrames.untagged(MAC_B, MAC_A, 200);
            TestFrames.put16(f, 14, i);
            a.transmit(new NetHeader(), f, 1);
        }
    }

    private static void receiveNumbered(VhostUserFrontEnd b, List<Integer> got, int until) {
        while (got.size() < until) {
            got.add(TestFrames.get16(receive(b, new NetHeader()), 14));
        }
    }

    /** The buffer the test wraps a frame in, for {@link Offload} checks. */
    static ByteBuffer wrap(byte[] f) {
        return ByteBuffer.wrap(f);
    }
}
