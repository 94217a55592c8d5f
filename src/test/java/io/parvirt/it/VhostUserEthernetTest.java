package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two TCG partitions whose adapters are vhost-user ports ({@code vswitch.transport=vhost-user},
 * issue 17): the switch maps their memory and moves frames between their virtqueues. They reach
 * each other, their virtio-net devices negotiated checksum and TSO offloads (read from the
 * device's feature bits in sysfs: the default image has no ethtool), and a TCP stream crosses the
 * switch in frames far larger than the MTU, which only segmentation offload carried end to end makes.
 *
 * <p>Bookworm's QEMU 7.2 cannot run it: its TCG guests' QEMU segfaults when the guest's virtio-net
 * driver starts a vhost-user device (before SET_FEATURES), and the daemon refuses that combination
 * at start ({@code VhostUserQemuVersionTest}). So this runs the partitions on bookworm-backports'
 * QEMU 10, which {@code ./test} unpacks into {@code target/qemu-bpo} beside the system's and names
 * in {@code PARVIRT_TEST_QEMU_VHOST_USER}; without it the test is skipped, saying so.
 */
@Tag("guest")
class VhostUserEthernetTest {
    static RunningDaemon d;

    @BeforeAll
    static void start() {
        String qemu = System.getenv("PARVIRT_TEST_QEMU_VHOST_USER");
        assumeTrue(qemu != null, "vhost-user under TCG needs QEMU 8 or later; ./test fetches bookworm-backports' "
                + "QEMU and sets PARVIRT_TEST_QEMU_VHOST_USER (it could not here; see its output)");
        d = RunningDaemon.start("vswitch.transport=vhost-user\nqemu.binary=" + qemu + "\n");
        VirtualEthernetTest.d = d;
        VirtualEthernetTest.define("H1", "2/0/10//0/1");
        VirtualEthernetTest.define("H2", "2/0/10//0/1");
        for (String n : List.of("H1", "H2")) {
            var r = d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", n, "-f", "default");
            assertThat(r.exit()).as(r.stdout()).isZero();
        }
        for (String n : List.of("H1", "H2")) {
            Guests.awaitState(d, n, "Running", Duration.ofSeconds(240));
        }
        VirtualEthernetTest.sh("H1", "ip link set eth0 up && ip addr add 10.0.10.1/24 dev eth0");
        VirtualEthernetTest.sh("H2", "ip link set eth0 up && ip addr add 10.0.10.2/24 dev eth0");
    }

    @Test
    void partitionsReachEachOtherWithOffloadsNegotiated() {
        JsonNode p1 = VirtualEthernetTest.port("H1");
        assertThat(p1.path("transport").asText()).isEqualTo("vhost-user");
        assertThat(p1.path("connected").asBoolean()).isTrue();
        assertThat(VirtualEthernetTest.ping("H1", "10.0.10.2")).as("H1 -> H2 over vhost-user").isTrue();
        // virtio feature bits, bit 0 first: CSUM (0), GUEST_CSUM (1), GUEST_TSO4 (7), HOST_TSO4 (11), MRG_RXBUF (15).
        String bits = VirtualEthernetTest.sh("H1", "cat /sys/class/net/eth0/device/features").stdout().strip();
        for (int bit : new int[] {0, 1, 7, 11, 15}) {
            assertThat(bits.charAt(bit)).as("virtio-net feature bit " + bit + " of " + bits).isEqualTo('1');
        }
    }

    @Test
    void aTcpStreamCrossesInSegmentsLargerThanTheMtu() {
        long framesBefore = VirtualEthernetTest.port("H2").path("rxFrames").asLong();
        long bytesBefore = VirtualEthernetTest.port("H2").path("rxBytes").asLong();
        // The listener's output goes elsewhere (the agent waits for its output's end), and its input
        // is a pipe that stays open: busybox nc closes the connection when its input ends.
        VirtualEthernetTest.sh("H1", "( (sleep 120 | nc -l -p 5001) > /dev/null 2>&1 < /dev/null & ) ; sleep 1; true");
        VirtualEthernetTest.sh("H2", "dd if=/dev/zero bs=64k count=160 2>/dev/null | nc -w 5 10.0.10.1 5001; true");
        long frames = VirtualEthernetTest.port("H2").path("rxFrames").asLong() - framesBefore;
        long bytes = VirtualEthernetTest.port("H2").path("rxBytes").asLong() - bytesBefore;
        if (bytes <= 10_000_000L) {
            System.out.println("vhost-user stream fell short; ports: " + VirtualEthernetTest.ports() + "\nH1: "
                    + VirtualEthernetTest.sh("H1", "cat /proc/net/dev; cat /proc/net/snmp").stdout() + "\nH2: "
                    + VirtualEthernetTest.sh("H2", "cat /proc/net/dev; cat /proc/net/snmp").stdout());
        }
        assertThat(bytes).as("10 MB sent from H2").isGreaterThan(10_000_000L);
        // Without offloads no frame exceeds 1514 bytes; how large TSO makes them depends on the sender's
        // pacing (a TCG guest's is slow), so the average is held above the MTU's frame, not to 64 KB.
        assertThat(bytes / frames).as("average frame from H2: TSO segments crossed whole").isGreaterThan(1514);
        assertThat(VirtualEthernetTest.port("H2").path("drops").path("malformed_chain").asLong()).isZero();
    }

    @AfterAll
    static void stop() {
        if (d != null) {
            for (String n : List.of("H1", "H2")) {
                d.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", n);
            }
            d.close();
        }
    }
}
