package io.parvirt.vswitch;

import io.parvirt.vhost.GuestMemory;
import io.parvirt.vhost.VhostUser;
import static io.parvirt.vswitch.VhostUserFrontEnd.GPA;
import static io.parvirt.vswitch.VhostUserTransportTest.ALL;
import static io.parvirt.vswitch.VhostUserTransportTest.MAC_A;
import static io.parvirt.vswitch.VhostUserTransportTest.MAC_B;
import static io.parvirt.vswitch.VhostUserTransportTest.WAIT;
import static io.parvirt.vswitch.VhostUserTransportTest.receive;
import static io.parvirt.vswitch.VhostUserTransportTest.twoPorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.testing.Await;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a live migration and memory DLPAR ask of a vhost-user port (issue 17), against the real
 * back end through {@link VhostUserFrontEnd} (QEMU's side of the protocol, real Unix sockets, memfd
 * memory and log): the dirty log marks exactly the pages the switch wrote while logging is on and
 * none after, SEND_RARP announces the guest from its port, and memory regions come and go one by
 * one (CONFIGURE_MEM_SLOTS) with frames landing in hot-plugged memory and never in unplugged memory.
 */
@Tag("unit")
class VhostUserMigrationTest {
    static final long MAC_T = 0x0E5056003002L;

    @TempDir
    Path dir;

    static long page(long gpa) {
        return gpa & ~4095L;
    }

    static VirtualEthernet.PortStatus port(VirtualEthernet net, int lparId) {
        return net.ports().stream().filter(p -> p.lparId() == lparId).findFirst().orElseThrow();
    }

    @Test
    void whileLoggingEveryPageTheSwitchWritesIsMarkedAndNoOtherAndNoneOnceItStops() throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            twoPorts(net, dir, 1, 1, Set.of());
            try (VhostUserFrontEnd a = new VhostUserFrontEnd(dir.resolve("a.sock"), ALL);
                    VhostUserFrontEnd b = new VhostUserFrontEnd(dir.resolve("b.sock"), ALL)) {
                assertThat(b.has(VhostUser.PROTOCOL_F_LOG_SHMFD)).isTrue();
                b.postReceive(64);
                b.startLogging();
                // A 64 KB segment lands in 32 of b's 2 KB receive buffers (MRG_RXBUF): 16 pages.
                byte[] seg = TcpFrames.tcp4(MAC_B, MAC_A, 65000);
                a.transmit(TcpFrames.gso(NetHeader.GSO_TCPV4, 1448, seg.length, 0), seg, 9);
                assertThat(receive(b, new NetHeader())).isEqualTo(seg);
                int buffers = (b.headerSize + seg.length + VhostUserFrontEnd.RX_BUFFER - 1) / VhostUserFrontEnd.RX_BUFFER;
                long rxBufs = GPA + VhostUserFrontEnd.RX_BUFS;
                long rxUsed = GPA + VhostUserFrontEnd.RX_RING + VhostUserFrontEnd.usedOffset();
                long txUsed = GPA + VhostUserFrontEnd.TX_RING + VhostUserFrontEnd.usedOffset();
                Set<Long> written = new HashSet<>();
                for (long at = rxBufs; at < rxBufs + (long) buffers * VhostUserFrontEnd.RX_BUFFER; at += 4096) {
                    written.add(page(at));
                }
                written.add(page(rxUsed));
                assertThat(b.dirtyPages()).as("every page the frame and its used entries went to").containsAll(written);
                written.add(page(txUsed)); // the transmit ring's flags, when the switch polled it
                assertThat(b.dirtyPages()).as("and nothing it did not write").isSubsetOf(written);
                assertThat(b.dirty(GPA + VhostUserFrontEnd.TX_BUFS)).isFalse(); // read, never written

                b.stopLogging();
                b.clearLog();
                a.transmit(new NetHeader(), TestFrames.untagged(MAC_B, MAC_A, 1000), 1);
                receive(b, new NetHeader());
                assertThat(b.dirtyPages()).as("logging is off").isEmpty();
            }
        }
    }

    @Test
    void sendRarpAnnouncesTheGuestFromItsPortToItsVlanAndTheTrunk() throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            twoPorts(net, dir, 1, 1, Set.of());
            net.connect(3, "t", List.of(new VirtualEthernet.Adapter(2, "ETHERNET0",
                    new PortConfig("t/2", MAC_T, 1, false, Set.of(), 1), dir.resolve("t.sock"), null,
                    Transport.VHOST_USER)));
            try (VhostUserFrontEnd a = new VhostUserFrontEnd(dir.resolve("a.sock"), ALL);
                    VhostUserFrontEnd b = new VhostUserFrontEnd(dir.resolve("b.sock"), ALL);
                    VhostUserFrontEnd t = new VhostUserFrontEnd(dir.resolve("t.sock"), ALL)) {
                assertThat(a.has(VhostUser.PROTOCOL_F_RARP)).isTrue();
                b.postReceive(8);
                t.postReceive(8);
                a.sendRarp(MAC_A);
                byte[] f = receive(b, new NetHeader());
                assertThat(receive(t, new NetHeader())).as("the outside hears it through the trunk").isEqualTo(f);
                assertThat(f).hasSize(VhostUserPort.RARP_BYTES);
                byte[] want = TestFrames.untagged(TestFrames.BROADCAST, MAC_A, 14);
                assertThat(java.util.Arrays.copyOf(f, 12)).isEqualTo(java.util.Arrays.copyOf(want, 12));
                assertThat(TestFrames.get16(f, 12)).isEqualTo(VhostUserPort.ETHERTYPE_RARP);
                assertThat(TestFrames.get16(f, 20)).as("reverse request").isEqualTo(3);
                assertThat(java.util.Arrays.copyOfRange(f, 22, 28)).isEqualTo(java.util.Arrays.copyOfRange(f, 6, 12));
                assertThat(java.util.Arrays.copyOfRange(f, 32, 38)).isEqualTo(java.util.Arrays.copyOfRange(f, 6, 12));
                assertThat(port(net, 1).rxFrames()).isEqualTo(1);

                // An announcement for an address that is not the adapter's is spoofing like any frame.
                a.sendRarp(MAC_B);
                Await.until("the spoofed announcement counted", WAIT,
                        () -> port(net, 1).drops().getOrDefault("spoofed_source", 0L) == 1);
                assertThat(b.receive(new NetHeader())).isNull();
            }
        }
    }

    @Test
    void anArrivingPartitionsAddressStaysWithTheTrunkUntilItsGuestAnnouncesItselfHere() throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            net.connect(2, "b", List.of(VhostUserTransportTest.adapter("b/2", MAC_B, 1, Set.of(), dir.resolve("b.sock"))));
            net.connect(3, "t", List.of(new VirtualEthernet.Adapter(2, "ETHERNET0",
                    new PortConfig("t/2", MAC_T, 1, false, Set.of(), 1), dir.resolve("t.sock"), null,
                    Transport.VHOST_USER)));
            try (VhostUserFrontEnd b = new VhostUserFrontEnd(dir.resolve("b.sock"), ALL);
                    VhostUserFrontEnd t = new VhostUserFrontEnd(dir.resolve("t.sock"), ALL)) {
                b.postReceive(16);
                t.postReceive(16);
                // A runs on another system: the outside, through the trunk, sends from its address.
                t.transmit(new NetHeader(), TestFrames.untagged(MAC_B, MAC_A, 100), 1);
                receive(b, new NetHeader());
                net.connectArriving(1, "a", List.of(VhostUserTransportTest.adapter("a/2", MAC_A, 1, Set.of(),
                        dir.resolve("a.sock"))));
                try (VhostUserFrontEnd a = new VhostUserFrontEnd(dir.resolve("a.sock"), ALL)) {
                    a.postReceive(16);
                    byte[] toA = TestFrames.untagged(MAC_A, MAC_B, 200);
                    b.transmit(new NetHeader(), toA, 1);
                    assertThat(receive(t, new NetHeader())).as("before the switch-over: where A still runs")
                            .isEqualTo(toA);
                    assertThat(a.receive(new NetHeader())).isNull();

                    a.sendRarp(MAC_A); // the switch-over: QEMU's announce-self on this side
                    assertThat(TestFrames.get16(receive(t, new NetHeader()), 12)).isEqualTo(VhostUserPort.ETHERTYPE_RARP);
                    b.transmit(new NetHeader(), toA, 1);
                    assertThat(receive(a, new NetHeader())).as("at once after the announcement").isEqualTo(toA);
                    assertThat(t.receive(new NetHeader())).isNull();
                    // The trunk's learned entry is gone: the address is A's own now.
                    t.transmit(new NetHeader(), TestFrames.untagged(MAC_A, MAC_T, 100), 1);
                    assertThat(receive(a, new NetHeader())).hasSize(100);
                }
            }
        }
    }

    @Test
    void memoryRegionsComeAndGoOneByOneAndFramesLandOnlyInMemoryThatIsThere() throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            twoPorts(net, dir, 1, 1, Set.of());
            // a's memory goes over as SET_MEM_TABLE (a front end without CONFIGURE_MEM_SLOTS), b's as ADD_MEM_REG.
            try (VhostUserFrontEnd a = new VhostUserFrontEnd(dir.resolve("a.sock"), ALL,
                    VhostNet.PROTOCOL_FEATURES & ~(1L << VhostUser.PROTOCOL_F_CONFIGURE_MEM_SLOTS));
                    VhostUserFrontEnd b = new VhostUserFrontEnd(dir.resolve("b.sock"), ALL)) {
                assertThat(b.has(VhostUser.PROTOCOL_F_CONFIGURE_MEM_SLOTS)).isTrue();
                assertThat(b.maxMemSlots()).isEqualTo(GuestMemory.MAX_REGIONS).isGreaterThan(VhostUser.TABLE_REGIONS);
                long dimm = 0x1_0000_0000L;
                VhostUserFrontEnd.Region r = b.addRegion(dimm, 1 << 20);
                b.postReceiveAt(dimm + 4096, 2048);
                byte[] f = TestFrames.untagged(MAC_B, MAC_A, 1000);
                a.transmit(new NetHeader(), f, 1);
                Await.until("the frame in hot-plugged memory", WAIT, () -> b.received() == 1);
                assertThat(b.receivedLength(0)).isEqualTo(b.headerSize + f.length);
                assertThat(r.mem().asSlice(4096 + b.headerSize, f.length).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(f);

                assertThat(b.removeRegion(r)).as("REM_MEM_REG acknowledged").isZero();
                b.postReceiveAt(dimm + 4096, 2048);
                a.transmit(new NetHeader(), f, 1);
                Await.until("a buffer in unplugged memory refused", WAIT,
                        () -> port(net, 2).drops().getOrDefault("malformed_chain", 0L) == 1);
                assertThat(b.received()).isEqualTo(2); // given back empty
                assertThat(b.receivedLength(1)).isZero();

                // Every slot can be used (boot memory is one), and none past them.
                List<VhostUserFrontEnd.Region> more = new ArrayList<>();
                for (int i = 1; i < GuestMemory.MAX_REGIONS; i++) {
                    more.add(b.addRegion(dimm + ((long) i << 20), 1 << 16));
                }
                assertThatThrownBy(() -> b.addRegion(dimm + (64L << 20), 1 << 16)).isInstanceOf(IOException.class);
                for (VhostUserFrontEnd.Region m : more) {
                    assertThat(b.removeRegion(m)).isZero();
                }
                b.postReceive(1); // descriptor 2, in boot memory
                a.transmit(new NetHeader(), f, 1);
                Await.until("the next frame in boot memory", WAIT, () -> b.received() == 3);
                long buf = VhostUserFrontEnd.RX_BUFS + 2L * VhostUserFrontEnd.RX_BUFFER + b.headerSize;
                assertThat(b.mem.asSlice(buf, f.length).toArray(ValueLayout.JAVA_BYTE)).as("boot memory still serves")
                        .isEqualTo(f);
            }
        }
    }
}
