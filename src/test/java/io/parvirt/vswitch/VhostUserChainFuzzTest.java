package io.parvirt.vswitch;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile guest's descriptor chains (issue 17): addresses around and past the edges of its
 * memory, lengths up to 4 GiB, wrong directions, INDIRECT, out-of-range and looping {@code next}
 * fields, out-of-range heads. Each must be dropped and counted as MALFORMED_CHAIN, never read or
 * written outside the guest's memory (a stray access would kill this JVM: the test process
 * surviving is part of the check), and the switch must go on forwarding good frames afterwards.
 */
@Tag("unit")
class VhostUserChainFuzzTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final long G = VhostUserFrontEnd.GPA;
    static final long END = G + VhostUserFrontEnd.SIZE;

    @TempDir
    Path dir;

    /** An address a hostile guest might write: inside, at the edges, below, past, or absurd. */
    static long address(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> G + r.nextLong(VhostUserFrontEnd.SIZE);
            case 1 -> END - r.nextInt(4096);
            case 2 -> G - 1 - r.nextInt(4096);
            case 3 -> END + r.nextInt(4096);
            case 4 -> -1L - r.nextInt(100);
            case 5 -> r.nextLong();
            case 6 -> 0;
            default -> G + VhostUserFrontEnd.TX_BUFS;
        };
    }

    static int length(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> -1; // 4 GiB - 1 as the u32 the device reads
            case 2 -> r.nextInt(100);
            case 3 -> (int) VhostUserFrontEnd.SIZE;
            case 4 -> 0x10000 + r.nextInt(0x10000);
            default -> 60 + r.nextInt(1500);
        };
    }

    static void scramble(VhostUserFrontEnd g, long ring, Random r) {
        for (int d = 0; d < VhostUserFrontEnd.QUEUE; d++) {
            int next = r.nextBoolean() ? r.nextInt(VhostUserFrontEnd.QUEUE) : r.nextInt(65536);
            g.descriptor(ring, d, address(r), length(r), r.nextInt(8), r.nextBoolean() ? d : next);
        }
    }

    @Test
    void malformedTransmitChainsAreDroppedCountedAndGoodFramesStillPass() throws Exception {
        Random r = new Random(17);
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            VhostUserTransportTest.twoPorts(net, dir, 1, 1, Set.of());
            try (VhostUserFrontEnd a = new VhostUserFrontEnd(dir.resolve("a.sock"), VhostNet.FEATURES);
                    VhostUserFrontEnd b = new VhostUserFrontEnd(dir.resolve("b.sock"), VhostNet.FEATURES)) {
                int posted = 0;
                for (int round = 0; round < 40; round++) {
                    scramble(a, VhostUserFrontEnd.TX_RING, r);
                    for (int i = 0; i < 50; i++) {
                        a.postTransmit(r.nextInt(10) == 0 ? VhostUserFrontEnd.QUEUE + r.nextInt(60000)
                                : r.nextInt(VhostUserFrontEnd.QUEUE));
                        posted++;
                    }
                    int expected = posted;
                    Await.until("the switch took round " + round + "'s chains", WAIT, () -> handled(net) >= expected);
                    b.postReceive(1);
                    byte[] good = TestFrames.untagged(VhostUserTransportTest.MAC_B, VhostUserTransportTest.MAC_A, 200);
                    a.transmit(new NetHeader(), good, 2);
                    posted++;
                    NetHeader h = new NetHeader();
                    byte[] got;
                    do {
                        got = VhostUserTransportTest.receive(b, h);
                    } while (!java.util.Arrays.equals(got, good)); // a fuzzed chain may have been a frame too
                }
                assertThat(malformed(net)).as("malformed chains counted").isGreaterThan(100);
            }
        }
    }

    @Test
    void malformedReceiveChainsAreGivenBackEmptyAndCounted() throws Exception {
        Random r = new Random(4);
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            VhostUserTransportTest.twoPorts(net, dir, 1, 1, Set.of());
            try (VhostUserFrontEnd a = new VhostUserFrontEnd(dir.resolve("a.sock"), VhostNet.FEATURES);
                    VhostUserFrontEnd b = new VhostUserFrontEnd(dir.resolve("b.sock"), VhostNet.FEATURES)) {
                for (int i = 0; i < 200; i++) {
                    b.postReceive(1);
                    scramble(b, VhostUserFrontEnd.RX_RING, r);
                    a.transmit(new NetHeader(), TestFrames.untagged(VhostUserTransportTest.MAC_B,
                            VhostUserTransportTest.MAC_A, 60 + r.nextInt(1400)), 1);
                }
                Await.until("b's port counted its malformed receive chains", WAIT, () -> net.ports().stream()
                        .anyMatch(p -> p.lparId() == 2 && p.drops().get("malformed_chain") > 50));
            }
        }
    }

    static long malformed(VirtualEthernet net) {
        return net.ports().stream().filter(p -> p.lparId() == 1).mapToLong(p -> p.drops().get("malformed_chain")).sum();
    }

    /** Chains the switch took from a: forwarded or dropped as frames, or dropped as malformed. */
    static long handled(VirtualEthernet net) {
        return net.ports().stream().filter(p -> p.lparId() == 1)
                .mapToLong(p -> p.rxFrames() + p.drops().get("malformed_chain")).sum();
    }
}
