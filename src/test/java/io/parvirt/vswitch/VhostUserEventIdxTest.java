package io.parvirt.vswitch;

import io.parvirt.vhost.VhostUser;
import io.parvirt.vhost.Virtqueue;
import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notification suppression (VIRTIO_RING_F_EVENT_IDX, issue 17) between the switch and a front end
 * that kicks and reads interrupts as a Linux driver does ({@link VhostUserFrontEnd}): the switch
 * asks for a transmit kick only for the chain after the last it took ({@code avail_event}), never
 * for receive buffers, and interrupts the guest only when the used index crosses the guest's
 * {@code used_event}; all of it across the 16-bit indexes' wrap-around.
 */
@Tag("unit")
class VhostUserEventIdxTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void needEventIsVirtiosWindowModuloTwoToTheSixteen() {
        assertThat(Virtqueue.needEvent(0, 1, 0)).isTrue(); // 0 -> 1 crosses 0
        assertThat(Virtqueue.needEvent(5, 5, 0)).isFalse(); // 0 -> 5 stops at 5: 5 itself not yet passed
        assertThat(Virtqueue.needEvent(4, 5, 0)).isTrue();
        assertThat(Virtqueue.needEvent(7, 9, 8)).isFalse(); // already behind: no second notification
        assertThat(Virtqueue.needEvent(0xffff, 0x0001, 0xfffe)).isTrue(); // the window wraps
        assertThat(Virtqueue.needEvent(0x0000, 0x0001, 0xfffe)).isTrue();
        assertThat(Virtqueue.needEvent(0x0001, 0x0001, 0xfffe)).isFalse();
        assertThat(Virtqueue.needEvent(0xfffd, 0x0001, 0xfffe)).isFalse();
        assertThat(Virtqueue.needEvent(0xfffe, 0xfffe, 0xfffe)).isFalse(); // nothing new
    }

    @Test
    void transmitKicksOncePerBatchAcrossTheIndexWrapAndReceiveBuffersAreNeverKicked() throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            VhostUserTransportTest.twoPorts(net, dir, 10, 10, Set.of());
            try (VhostUserFrontEnd s = new VhostUserFrontEnd(dir.resolve("a.sock"), VhostNet.FEATURES);
                    VhostUserFrontEnd r = new VhostUserFrontEnd(dir.resolve("b.sock"), VhostNet.FEATURES)) {
                assertThat(s.eventIdx).isTrue();
                r.postReceive(VhostUserFrontEnd.QUEUE);
                byte[] frame = TestFrames.untagged(VhostUserTransportTest.MAC_B, VhostUserTransportTest.MAC_A, 64);
                long posted = 0;
                int rounds = 0;
                long received = 0;
                // 270 full rings: the available and used indexes wrap past 65535
                while (posted < 270L * VhostUserFrontEnd.QUEUE) {
                    posted += s.pump(frame, rounds == 0);
                    rounds++;
                    long want = posted & 0xffff;
                    Await.until("the switch took every chain posted (round " + rounds + ")", WAIT,
                            () -> s.transmitted() == want);
                    // once it found the ring empty it asks to be kicked for the very next chain (a
                    // full batch is published before that last look, so wait for it)
                    Await.until("avail_event at " + want, WAIT, () -> s.availEvent(VhostNet.TX) == want);
                    received += r.recycle();
                }
                assertThat(s.kicks[VhostNet.TX]).as("one kick per batch of %d", VhostUserFrontEnd.QUEUE)
                        .isLessThanOrEqualTo(rounds);
                // receive buffers: the switch wants no kick (avail_event one behind the start: the
                // guest's index crosses it again only after 65536 buffers, once here)
                assertThat(r.kicks[VhostNet.RX]).as("receive kicks").isLessThanOrEqualTo(1);
                long got = received;
                VirtualEthernet.PortStatus rs = net.ports().stream().filter(p -> p.lparId() == 2).findFirst().orElseThrow();
                assertThat(got + rs.drops().getOrDefault("queue_full", 0L)).isEqualTo(posted);
                assertThat(got).isPositive();
            }
        }
    }

    @Test
    void theGuestIsInterruptedOnlyWhenTheUsedIndexCrossesItsUsedEvent() throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            VhostUserTransportTest.twoPorts(net, dir, 10, 10, Set.of());
            try (VhostUserFrontEnd s = new VhostUserFrontEnd(dir.resolve("a.sock"), VhostNet.FEATURES);
                    VhostUserFrontEnd r = new VhostUserFrontEnd(dir.resolve("b.sock"), VhostNet.FEATURES)) {
                r.postReceive(64);
                byte[] frame = TestFrames.untagged(VhostUserTransportTest.MAC_B, VhostUserTransportTest.MAC_A, 60);
                s.transmit(new NetHeader(), frame, 1);
                Await.until("the first frame", WAIT, () -> r.received() == 1);
                Await.until("its interrupt", WAIT, () -> r.interrupts(VhostNet.RX) > 0);
                // the guest polls and wants to hear only once the used index passes 4 (entries 2..5)
                r.interruptAt(VhostNet.RX, 4);
                for (int i = 2; i <= 5; i++) {
                    s.transmit(new NetHeader(), frame, 1);
                    int n = i;
                    Await.until("frame " + n, WAIT, () -> r.received() == n);
                }
                long[] count = new long[1];
                Await.until("the interrupt at entry 5", WAIT, () -> (count[0] = r.interrupts(VhostNet.RX)) > 0);
                assertThat(count[0]).as("frames 2, 3 and 4 interrupted nobody").isEqualTo(1);
                // used_event left behind (the guest does not read): no interrupt for the next ones
                s.transmit(new NetHeader(), frame, 1);
                Await.until("frame 6", WAIT, () -> r.received() == 6);
                r.interruptAt(VhostNet.RX, 6);
                s.transmit(new NetHeader(), frame, 1);
                Await.until("frame 7", WAIT, () -> r.received() == 7);
                Await.until("the interrupt at entry 7", WAIT, () -> (count[0] = r.interrupts(VhostNet.RX)) > 0);
                assertThat(count[0]).as("frame 6 was before used_event").isEqualTo(1);
            }
        }
    }

    @Test
    void withoutEventIdxTheFlagsStillRule() throws Exception {
        long noEventIdx = VhostNet.FEATURES & ~(1L << VhostUser.RING_F_EVENT_IDX);
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            VhostUserTransportTest.twoPorts(net, dir, 10, 10, Set.of());
            try (VhostUserFrontEnd s = new VhostUserFrontEnd(dir.resolve("a.sock"), noEventIdx);
                    VhostUserFrontEnd r = new VhostUserFrontEnd(dir.resolve("b.sock"), noEventIdx)) {
                assertThat(s.eventIdx).isFalse();
                r.postReceive(64);
                assertThat(r.kicks[VhostNet.RX]).as("NO_NOTIFY on the receive ring").isZero();
                byte[] frame = TestFrames.untagged(VhostUserTransportTest.MAC_B, VhostUserTransportTest.MAC_A, 60);
                for (int i = 1; i <= 3; i++) {
                    s.transmit(new NetHeader(), frame, 1);
                    int n = i;
                    Await.until("frame " + n, WAIT, () -> r.received() == n);
                    Await.until("its interrupt", WAIT, () -> r.interrupts(VhostNet.RX) > 0);
                }
                assertThat(s.kicks[VhostNet.TX]).isEqualTo(3);
            }
        }
    }
}
