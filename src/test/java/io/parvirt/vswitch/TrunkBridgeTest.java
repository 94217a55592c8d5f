package io.parvirt.vswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.parvirt.vswitch.StreamTransportTest.FakeQemu;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trunk adapters bridged to real TAP interfaces, in a network namespace each test makes (the
 * host's interfaces are never touched), against the real Linux network stack on the other side:
 * its ARP and ICMP, its bridge. The partition side is a socket that behaves as QEMU's.
 */
@Tag("daemon")
class TrunkBridgeTest {
    static final long MAC_C = 0x0E5056005002L;
    static final byte[] IP_HOST = {10, 9, 0, 1};
    static final byte[] IP_C = {10, 9, 0, 2};

    String ns;
    Path nsPath;
    final List<String> events = new CopyOnWriteArrayList<>();
    final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void namespace() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.exists(Path.of("/dev/net/tun")),
                "TAP interfaces need root (CAP_NET_ADMIN) and /dev/net/tun");
        ns = "pvtest" + ProcessHandle.current().pid() + "x" + System.nanoTime() % 100000;
        sh("ip", "netns", "add", ns);
        nsPath = Path.of("/run/netns", ns);
        // No IPv6: its router and multicast listener chatter would mix with the frames the test reads.
        nsh("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        nsh("ip", "link", "set", "lo", "up");
    }

    @AfterEach
    void removeNamespace() throws Exception {
        pool.shutdownNow();
        if (ns != null) {
            sh("ip", "netns", "del", ns);
        }
    }

    static VirtualEthernet.Adapter trunk(int lparId, int priority) {
        long mac = 0x0E5056000002L | ((long) lparId << 12);
        return new VirtualEthernet.Adapter(2, "ETHERNET0", new PortConfig("VIOS" + lparId + "/2", mac, 10, false,
                Set.of(), priority), null, SeaSettings.interfaceName(lparId, 2));
    }

    @Test
    void theHostStackAndAPartitionTalkThroughTheTrunksTap(@TempDir Path dir) throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(new SwitchSettings(300, 256, 1518), 64 * 1024,
                new SeaSettings(nsPath.toString(), null), events::add);
                FakeQemu c = new FakeQemu(dir.resolve("c.sock"))) {
            net.connect(1, "VIOS1", List.of(trunk(1, 1)));
            net.connect(5, "C", List.of(StreamTransportTest.adapter("C/2", MAC_C, dir.resolve("c.sock"))));
            c.accept();
            assertThat(events).isEmpty();
            assertThat(nsh("ip", "-o", "link", "show", "pvsea1-2")).contains("UP,LOWER_UP");
            nsh("ip", "addr", "add", "10.9.0.1/24", "dev", "pvsea1-2");

            // A UDP datagram from the host's stack: it asks for the address first (ARP, broadcast).
            nsh("bash", "-c", "echo hello >/dev/udp/10.9.0.2/9");
            byte[] request = awaitFrame(c, f -> isArp(f, 1) && targetIp(f, IP_C));
            long hostMac = mac(request, 6);
            c.send(arpReply(hostMac, IP_HOST));
            byte[] udp = awaitFrame(c, f -> get16(f, 12) == 0x0800 && f[23] == 17);
            assertThat(mac(udp, 0)).as("the datagram goes to the partition's address").isEqualTo(MAC_C);
            assertThat(new String(udp, 42, 5)).isEqualTo("hello");
            assertThat(nsh("ip", "neigh", "show", "10.9.0.2")).as("the host learned the partition through the trunk")
                    .contains("0e:50:56:00:50:02");

            VirtualEthernet.PortStatus t = net.ports().stream().filter(p -> p.lpar().equals("VIOS1")).findFirst()
                    .orElseThrow();
            assertThat(t.hostInterface()).isEqualTo("pvsea1-2");
            assertThat(t.activeTrunk()).isTrue();
            assertThat(t.connected()).isTrue();
            assertThat(t.rxFrames()).as("frames from the host").isGreaterThanOrEqualTo(2);
            assertThat(t.txFrames()).as("the ARP reply, to the host").isGreaterThanOrEqualTo(1);

            net.disconnect(1);
            assertThat(linkGoes("pvsea1-2")).as("the trunk's VIOS ended: its interface goes").isTrue();
        }
    }

    @Test
    void theStandbyTrunkTakesOverWhenTheActiveOneGoesAndTheTapsSurviveADaemonRestart(@TempDir Path dir)
            throws Exception {
        nsh("ip", "link", "add", "br0", "type", "bridge");
        nsh("ip", "link", "set", "br0", "address", "02:00:00:0a:0a:fe"); // fixed, as an uplink's is
        nsh("ip", "addr", "add", "10.9.0.1/24", "dev", "br0");
        nsh("ip", "link", "set", "br0", "up");
        SeaSettings sea = new SeaSettings(nsPath.toString(), "br0");
        try (FakeQemu c = new FakeQemu(dir.resolve("c.sock"))) {
            VirtualEthernet net = new VirtualEthernet(new SwitchSettings(300, 256, 1518), 64 * 1024, sea, events::add);
            net.connect(1, "VIOS1", List.of(trunk(1, 1)));
            net.connect(2, "VIOS2", List.of(trunk(2, 2)));
            net.connect(5, "C", List.of(StreamTransportTest.adapter("C/2", MAC_C, dir.resolve("c.sock"))));
            c.accept();
            assertThat(events).isEmpty();
            assertThat(nsh("ip", "-o", "link", "show", "pvsea1-2")).contains("master br0");
            assertThat(nsh("ip", "-o", "link", "show", "pvsea2-2")).contains("master br0");

            long before2 = rxPackets("pvsea2-2");
            assertThat(arpThroughTheTrunk(c)).as("the host bridge answers through the active trunk").isTrue();
            assertThat(rxPackets("pvsea1-2")).as("the active trunk carried the broadcast").isGreaterThanOrEqualTo(1);
            assertThat(rxPackets("pvsea2-2")).as("the standby carried nothing").isEqualTo(before2);
            assertThat(active(net)).containsExactly("VIOS1");

            net.disconnect(1); // VIOS1 ends
            assertThat(linkGoes("pvsea1-2")).isTrue();
            assertThat(active(net)).as("the standby took over").containsExactly("VIOS2");
            assertThat(arpThroughTheTrunk(c)).as("the partition still reaches the host").isTrue();
            assertThat(rxPackets("pvsea2-2")).isGreaterThan(before2);

            // The daemon stops (or is killed): the TAP stays, with its bridge membership, and the
            // next daemon's re-adoption opens the same interface again.
            net.close();
            assertThat(nsh("ip", "-o", "link", "show", "pvsea2-2")).contains("master br0");
            c.conn.close();
            try (VirtualEthernet again = new VirtualEthernet(new SwitchSettings(300, 256, 1518), 64 * 1024, sea,
                    events::add)) {
                again.connect(2, "VIOS2", List.of(trunk(2, 2)));
                again.connect(5, "C", List.of(StreamTransportTest.adapter("C/2", MAC_C, dir.resolve("c.sock"))));
                c.accept();
                assertThat(events).isEmpty();
                assertThat(arpThroughTheTrunk(c)).isTrue();
                again.disconnect(2);
                assertThat(linkGoes("pvsea2-2")).isTrue();
            }
        }
    }

    @Test
    void aTrunkThatCannotReachTheHostIsReportedAndLeftOutWhileTheRestWorks(@TempDir Path dir) throws Exception {
        SeaSettings sea = new SeaSettings(nsPath.toString(), "nosuchbr");
        try (VirtualEthernet net = new VirtualEthernet(new SwitchSettings(300, 256, 1518), 64 * 1024, sea,
                events::add);
                FakeQemu c = new FakeQemu(dir.resolve("c.sock")); FakeQemu d = new FakeQemu(dir.resolve("d.sock"))) {
            net.connect(1, "VIOS1", List.of(trunk(1, 1), StreamTransportTest.adapter("VIOS1/3", 0x0E5056001003L,
                    dir.resolve("d.sock"))));
            net.connect(5, "C", List.of(StreamTransportTest.adapter("C/2", MAC_C, dir.resolve("c.sock"))));
            c.accept();
            d.accept();
            assertThat(events).hasSize(1);
            assertThat(events.getFirst()).contains("Trunk adapter 2 of partition VIOS1 (id 1)")
                    .contains("does bridge nosuchbr exist");
            assertThat(linkExists("pvsea1-2")).as("no interface is left behind").isFalse();
            assertThat(net.ports()).extracting(VirtualEthernet.PortStatus::lpar).containsExactly("VIOS1", "C");
            byte[] f = TestFrames.untagged(0x0E5056001003L, MAC_C, 80);
            c.send(f);
            assertThat(d.receive()).isEqualTo(f);
        }
    }

    /** Partition C asks the host for 10.9.0.1 (broadcast) and gets the answer. */
    private boolean arpThroughTheTrunk(FakeQemu c) throws Exception {
        c.send(arp(1, -1L, MAC_C, IP_C, 0, IP_HOST));
        byte[] reply = awaitFrame(c, f -> isArp(f, 2) && mac(f, 0) == MAC_C);
        return reply != null;
    }

    private List<String> active(VirtualEthernet net) {
        return net.ports().stream().filter(VirtualEthernet.PortStatus::activeTrunk).map(VirtualEthernet.PortStatus::lpar)
                .toList();
    }

    private byte[] awaitFrame(FakeQemu q, Predicate<byte[]> wanted) throws Exception {
        return pool.submit(() -> {
            while (true) {
                byte[] f = q.receive();
                if (wanted.test(f)) {
                    return f;
                }
            }
        }).get(20, TimeUnit.SECONDS);
    }

    private long rxPackets(String dev) throws Exception {
        return Long.parseLong(nsh("cat", "/sys/class/net/" + dev + "/statistics/rx_packets").strip());
    }

    /**
     * Whether {@code dev} is gone within 5 s. A port's waiting thread closes the TAP as it ends,
     * after disconnect returns, so the interface goes a moment later, not at once.
     */
    private boolean linkGoes(String dev) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (linkExists(dev)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private boolean linkExists(String dev) throws Exception {
        return run(List.of("ip", "netns", "exec", ns, "ip", "link", "show", dev)).exit == 0;
    }

    static byte[] arpReply(long hostMac, byte[] hostIp) {
        return arp(2, hostMac, MAC_C, IP_C, hostMac, hostIp);
    }

    /** An Ethernet II ARP frame (padded to 60 bytes). {@code dst} -1: broadcast. */
    static byte[] arp(int op, long dst, long sha, byte[] spa, long tha, byte[] tpa) {
        ByteBuffer b = ByteBuffer.allocate(60);
        putMac(b, dst == -1L ? 0xFFFFFFFFFFFFL : dst);
        putMac(b, sha);
        b.putShort((short) 0x0806).putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4)
                .putShort((short) op);
        putMac(b, sha);
        b.put(spa);
        putMac(b, tha);
        b.put(tpa);
        return b.array();
    }

    static void putMac(ByteBuffer b, long mac) {
        for (int i = 5; i >= 0; i--) {
            b.put((byte) (mac >>> (8 * i)));
        }
    }

    static boolean isArp(byte[] f, int op) {
        return f.length >= 42 && get16(f, 12) == 0x0806 && get16(f, 20) == op;
    }

    static boolean targetIp(byte[] f, byte[] ip) {
        for (int i = 0; i < 4; i++) {
            if (f[38 + i] != ip[i]) {
                return false;
            }
        }
        return true;
    }

    static int get16(byte[] f, int off) {
        return (f[off] & 0xFF) << 8 | f[off + 1] & 0xFF;
    }

    static long mac(byte[] f, int off) {
        long m = 0;
        for (int i = 0; i < 6; i++) {
            m = m << 8 | f[off + i] & 0xFF;
        }
        return m;
    }

    private String nsh(String... cmd) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        Result r = run(full);
        assertThat(r.exit).as(String.join(" ", cmd) + ": " + r.out).isZero();
        return r.out;
    }

    private static void sh(String... cmd) throws Exception {
        Result r = run(List.of(cmd));
        assertThat(r.exit).as(String.join(" ", cmd) + ": " + r.out).isZero();
    }

    record Result(int exit, String out) {
    }

    private static Result run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Result(p.waitFor(), out);
    }
}
