package io.parvirt.vswitch;

import static io.parvirt.vswitch.TestFrames.BROADCAST;
import static io.parvirt.vswitch.TestFrames.MULTICAST;
import static io.parvirt.vswitch.TestFrames.get16;
import static io.parvirt.vswitch.TestFrames.strip;
import static io.parvirt.vswitch.TestFrames.tagged;
import static io.parvirt.vswitch.TestFrames.tci;
import static io.parvirt.vswitch.TestFrames.untagged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The forwarding rules of the 802.1Q switch, one behaviour each, on in-memory ports. */
@Tag("unit")
class VirtualSwitchTest {
    static final long A = 0x02_00_00_00_00_0AL;
    static final long B = 0x02_00_00_00_00_0BL;
    static final long C = 0x02_00_00_00_00_0CL;
    static final long D = 0x02_00_00_00_00_0DL;
    static final long Q = 0x02_00_00_00_01_01L;
    static final long Q2 = 0x02_00_00_00_01_02L;
    static final long T1 = 0x02_00_00_00_02_01L;
    static final long T2 = 0x02_00_00_00_02_02L;
    /** Stations outside, behind the trunks. */
    static final long X = 0x0A_00_00_00_00_01L;
    static final long Y = 0x0A_00_00_00_00_02L;

    long now = 5_000_000_000L;
    VirtualSwitch sw = new VirtualSwitch("ETHERNET0", SwitchSettings.DEFAULTS, () -> now);
    final Map<String, Port> ports = new HashMap<>();
    final Map<String, CapturingSink> sinks = new HashMap<>();

    Port attach(String name, long mac, int pvid, boolean ieee, Set<Integer> addl, int trunkPriority) {
        CapturingSink s = new CapturingSink();
        Port p = sw.attach(new PortConfig(name, mac, pvid, ieee, addl, trunkPriority), s);
        ports.put(name, p);
        sinks.put(name, s);
        return p;
    }

    /** A partition's adapter without 802.1Q. */
    Port plain(String name, long mac, int pvid) {
        return attach(name, mac, pvid, false, Set.of(), 0);
    }

    Port dot1q(String name, long mac, int pvid, Integer... addl) {
        return attach(name, mac, pvid, true, Set.of(addl), 0);
    }

    Port trunk(String name, long mac, int priority, int pvid, Integer... addl) {
        return attach(name, mac, pvid, true, Set.of(addl), priority);
    }

    void send(String from, byte[] frame) {
        sw.receive(ports.get(from), TestFrames.inBuffer(frame));
    }

    List<byte[]> got(String port) {
        return sinks.get(port).frames;
    }

    long drops(String port, DropReason r) {
        return ports.get(port).counters().drops(r);
    }

    List<String> learned() {
        return sw.macTable().stream().filter(MacEntry::learned).map(e -> e.vlan() + ":" + e.macText() + "@" + e.port())
                .toList();
    }

    @Test
    void untaggedFramesTravelInTheSendersPvid() {
        plain("a", A, 10);
        plain("b", B, 10);
        plain("c", C, 20);
        byte[] f = untagged(B, A, 64);
        send("a", f);
        send("a", untagged(BROADCAST, A, 60));
        assertThat(got("b")).hasSize(2);
        assertThat(got("b").getFirst()).isEqualTo(f);
        assertThat(got("c")).isEmpty();
    }

    @Test
    void aTaggedMemberGetsTheFrameWithTheVlanTagInserted() {
        plain("a", A, 10);
        dot1q("q", Q, 1, 10);
        byte[] f = untagged(Q, A, 100);
        send("a", f);
        byte[] out = sinks.get("q").only();
        assertThat(get16(out, 12)).isEqualTo(0x8100);
        assertThat(get16(out, 14)).as("priority 0, VLAN 10").isEqualTo(10);
        assertThat(strip(out)).isEqualTo(f);
        assertThat(ports.get("q").counters().txBytes()).isEqualTo(104);
    }

    @Test
    void aTagBetweenTaggedMembersIsKeptWithItsPriority() {
        dot1q("q", Q, 1, 10);
        dot1q("q2", Q2, 2, 10, 20);
        byte[] f = tagged(Q2, Q, tci(5, 10), 90);
        send("q", f);
        assertThat(sinks.get("q2").only()).isEqualTo(f);
    }

    @Test
    void aPvidReceiverGetsTheTagStripped() {
        dot1q("q", Q, 1, 10);
        plain("a", A, 10);
        byte[] f = tagged(A, Q, tci(3, 10), 80);
        send("q", f);
        assertThat(sinks.get("a").only()).isEqualTo(strip(f)).hasSize(76);
    }

    @Test
    void aFrameTaggedWithTheSendersOwnPvidIsInThePvid() {
        dot1q("q", Q, 5, 10);
        plain("b", B, 5);
        dot1q("q2", Q2, 1, 5);
        plain("c", C, 10);
        byte[] f = tagged(BROADCAST, Q, tci(2, 5), 64);
        send("q", f);
        assertThat(sinks.get("b").only()).isEqualTo(strip(f));
        assertThat(sinks.get("q2").only()).isEqualTo(f);
        assertThat(got("c")).isEmpty();
        assertThat(ports.get("q").counters().drops()).isZero();
    }

    @Test
    void aPriorityTaggedFrameIsInThePvidFromAnyPort() {
        plain("a", A, 10);
        plain("b", B, 10);
        dot1q("q", Q, 1, 10);
        plain("c", C, 20);
        byte[] f = tagged(BROADCAST, A, tci(6, 0), 64);
        send("a", f);
        assertThat(sinks.get("b").only()).isEqualTo(strip(f));
        byte[] toQ = sinks.get("q").only();
        assertThat(get16(toQ, 14)).as("the VLAN id filled in, the priority kept").isEqualTo(tci(6, 10));
        assertThat(strip(toQ)).isEqualTo(strip(f));
        assertThat(got("c")).isEmpty();
        assertThat(ports.get("a").counters().drops()).isZero();
    }

    @Test
    void aTagOutsideThePortsVlansIsDroppedAndCounted() {
        dot1q("q", Q, 1, 10);
        plain("m", B, 20);
        send("q", tagged(BROADCAST, Q, tci(0, 20), 64));
        assertThat(drops("q", DropReason.VLAN_NOT_PERMITTED)).isEqualTo(1);
        assertThat(got("m")).isEmpty();
    }

    @Test
    void aPortWithout8021qMayNotSendTaggedFrames() {
        plain("a", A, 10);
        plain("b", B, 10);
        send("a", tagged(B, A, tci(0, 10), 64));
        assertThat(drops("a", DropReason.VLAN_NOT_PERMITTED)).isEqualTo(1);
        assertThat(got("b")).isEmpty();
    }

    @Test
    void unknownUnicastGoesOnlyToTheActiveTrunkWhichHasTheLowestPriorityNumber() {
        plain("a", A, 10);
        plain("b", B, 10);
        trunk("t2", T2, 2, 1, 10);
        trunk("t1", T1, 1, 10);
        byte[] f = untagged(X, A, 64);
        send("a", f);
        assertThat(sinks.get("t1").only()).isEqualTo(f);
        assertThat(got("t2")).isEmpty();
        assertThat(got("b")).isEmpty();
    }

    @Test
    void unknownUnicastWithoutATrunkIsCountedAsNoDestination() {
        plain("a", A, 10);
        plain("b", B, 10);
        send("a", untagged(X, A, 64));
        assertThat(drops("a", DropReason.NO_DESTINATION)).isEqualTo(1);
        assertThat(got("b")).isEmpty();
    }

    @Test
    void whenTheActiveTrunkDetachesTheStandbyTakesOver() {
        plain("a", A, 10);
        trunk("t1", T1, 1, 10);
        trunk("t2", T2, 2, 1, 10);
        send("t1", untagged(BROADCAST, X, 64));
        assertThat(learned()).containsExactly("10:0A0000000001@t1");
        sw.detach(ports.get("t1"));
        assertThat(learned()).as("the old trunk's outside is forgotten").isEmpty();
        byte[] f = untagged(X, A, 64);
        send("a", f);
        send("a", untagged(BROADCAST, A, 64));
        assertThat(got("t2")).hasSize(2);
        assertThat(strip(got("t2").getFirst())).isEqualTo(f);
        assertThat(get16(got("t2").getFirst(), 14)).isEqualTo(10);
        assertThat(got("t1")).isEmpty();
    }

    @Test
    void aBetterTrunkAttachingTakesOverAndEqualPrioritiesKeepTheFirst() {
        plain("a", A, 10);
        trunk("t2", T2, 3, 10);
        trunk("t3", 0x02_00_00_00_02_03L, 3, 10);
        send("a", untagged(X, A, 64));
        assertThat(got("t2")).hasSize(1);
        send("t2", untagged(BROADCAST, Y, 64));
        trunk("t1", T1, 1, 10);
        assertThat(learned()).isEmpty();
        send("a", untagged(X, A, 64));
        assertThat(got("t1")).hasSize(1);
        assertThat(got("t2")).hasSize(1);
        assertThat(got("t3")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(longs = {BROADCAST, MULTICAST})
    void broadcastAndMulticastReachEveryMemberOfTheVlanButTheSender(long group) {
        plain("a", A, 10);
        plain("b", B, 10);
        plain("c", C, 10);
        plain("d", D, 20);
        dot1q("q", Q, 1, 10, 20);
        trunk("t1", T1, 1, 10);
        trunk("t2", T2, 2, 10);
        byte[] f = untagged(group, A, 64);
        send("a", f);
        assertThat(sinks.get("b").only()).isEqualTo(f);
        assertThat(sinks.get("c").only()).isEqualTo(f);
        assertThat(strip(sinks.get("q").only())).isEqualTo(f);
        assertThat(sinks.get("t1").only()).isEqualTo(f);
        assertThat(got("a")).isEmpty();
        assertThat(got("d")).isEmpty();
        assertThat(got("t2")).as("a standby trunk gets nothing flooded").isEmpty();
    }

    @Test
    void trunksNeverForwardToEachOtherButTheirOwnAddressesAreReachable() {
        plain("a", A, 10);
        trunk("t1", T1, 1, 10);
        trunk("t2", T2, 2, 10);
        send("t1", untagged(BROADCAST, X, 64));
        send("t2", untagged(BROADCAST, Y, 64));
        assertThat(got("a")).as("the outside's broadcast arrives once, through the active trunk").hasSize(1);
        assertThat(drops("t2", DropReason.STANDBY_TRUNK)).as("a standby bridges nothing").isEqualTo(1);
        assertThat(got("t1")).isEmpty();
        assertThat(got("t2")).isEmpty();
        assertThat(learned()).as("a standby does not learn").containsExactly("10:0A0000000001@t1");
        send("t2", untagged(A, Y, 64));
        assertThat(got("a")).hasSize(1);
        assertThat(drops("t2", DropReason.STANDBY_TRUNK)).isEqualTo(2);
        send("t1", untagged(Y, X, 64));
        assertThat(drops("t1", DropReason.NO_DESTINATION)).isEqualTo(1);
        send("t1", untagged(T2, X, 64));
        assertThat(got("t2")).as("a trunk's own address is reachable").hasSize(1);
    }

    @Test
    void aSpoofedSourceIsDroppedExceptFromATrunk() {
        plain("a", A, 10);
        plain("b", B, 10);
        trunk("t", T1, 1, 10);
        send("a", untagged(B, X, 64));
        assertThat(drops("a", DropReason.SPOOFED_SOURCE)).isEqualTo(1);
        assertThat(got("b")).isEmpty();
        send("t", untagged(B, X, 64));
        assertThat(got("b")).hasSize(1);
        assertThat(learned()).containsExactly("10:0A0000000001@t");
    }

    @Test
    void aTrunkMayNotSendFromAGroupOrZeroAddress() {
        plain("a", A, 10);
        trunk("t", T1, 1, 10);
        send("t", untagged(A, MULTICAST, 64));
        send("t", untagged(A, 0, 64));
        assertThat(drops("t", DropReason.INVALID_SOURCE)).isEqualTo(2);
        assertThat(got("a")).isEmpty();
    }

    record Bad(String name, byte[] frame, DropReason reason) {
        @Override
        public String toString() {
            return name + " -> " + reason;
        }
    }

    static Stream<Bad> badFrames() {
        byte[] stackedQ = tagged(B, Q, tci(0, 10), 64);
        TestFrames.put16(stackedQ, 16, 0x8100);
        byte[] stackedS = tagged(B, Q, tci(0, 10), 64);
        TestFrames.put16(stackedS, 16, 0x88A8);
        return Stream.of(new Bad("empty", new byte[0], DropReason.RUNT),
                new Bad("13 bytes", untagged(B, Q, 13), DropReason.RUNT),
                new Bad("TPID 0x8100 but the tag cut short (17 bytes)", tagged(B, Q, tci(0, 10), 17), DropReason.RUNT),
                new Bad("1519 bytes untagged", untagged(B, Q, 1519), DropReason.OVERSIZED),
                new Bad("1523 bytes tagged", tagged(B, Q, tci(0, 10), 1523), DropReason.OVERSIZED),
                new Bad("VLAN id 4095", tagged(B, Q, tci(0, 4095), 64), DropReason.MALFORMED_TAG),
                new Bad("stacked 0x8100 tags", stackedQ, DropReason.MALFORMED_TAG),
                new Bad("an 802.1ad tag inside", stackedS, DropReason.MALFORMED_TAG));
    }

    @ParameterizedTest
    @MethodSource("badFrames")
    void aBadFrameIsCountedAndForwardingGoesOn(Bad bad) {
        dot1q("q", Q, 10, 20);
        plain("b", B, 10);
        send("q", bad.frame());
        assertThat(drops("q", bad.reason())).isEqualTo(1);
        assertThat(ports.get("q").counters().drops()).isEqualTo(1);
        assertThat(ports.get("q").counters().rxBytes()).isEqualTo(bad.frame().length);
        assertThat(got("b")).isEmpty();
        byte[] good = untagged(B, Q, 64);
        send("q", good);
        assertThat(sinks.get("b").only()).isEqualTo(good);
    }

    @Test
    void framesOfTheMaximumSizePassAndTheMaximumIsConfigurable() {
        dot1q("q", Q, 10, 20);
        plain("b", B, 10);
        send("q", untagged(B, Q, 1518));
        send("q", tagged(B, Q, tci(0, 10), 1522));
        assertThat(got("b")).hasSize(2);

        sw = new VirtualSwitch("JUMBO", new SwitchSettings(300, 256, 9000), () -> now);
        dot1q("q", Q, 10, 20);
        dot1q("j", B, 10, 20);
        send("q", untagged(B, Q, 9000));
        send("q", tagged(B, Q, tci(0, 20), 9004));
        send("q", untagged(B, Q, 9001));
        assertThat(got("j")).hasSize(2);
        assertThat(got("j").get(1)).hasSize(9004);
        assertThat(drops("q", DropReason.OVERSIZED)).isEqualTo(1);
    }

    @Test
    void learnedAddressesAgeOutAndStopCountingAgainstTheLimit() {
        sw = new VirtualSwitch("ETHERNET0", new SwitchSettings(300, 1, 1518), () -> now);
        plain("a", A, 10);
        trunk("t", T1, 1, 10);
        send("t", untagged(A, X, 64));
        send("t", untagged(A, Y, 64));
        assertThat(learned()).containsExactly("10:0A0000000001@t");
        assertThat(ports.get("t").counters().macLimitExceeded()).isEqualTo(1);
        now += Duration.ofSeconds(300).toNanos();
        assertThat(sw.macTable()).filteredOn(MacEntry::learned).singleElement()
                .extracting(MacEntry::age).isEqualTo(Duration.ofSeconds(300));
        now += Duration.ofSeconds(1).toNanos();
        assertThat(learned()).as("older than 300 s: ignored").isEmpty();
        send("t", untagged(A, Y, 64));
        assertThat(learned()).containsExactly("10:0A0000000002@t");
        assertThat(got("a")).hasSize(3);
    }

    @Test
    void aPortLearnsNoMoreAddressesThanItsLimitAndStillForwards() {
        sw = new VirtualSwitch("ETHERNET0", new SwitchSettings(300, 3, 1518), () -> now);
        plain("a", A, 10);
        trunk("t", T1, 1, 10, 20);
        for (int i = 1; i <= 5; i++) {
            send("t", untagged(BROADCAST, X + i, 64));
        }
        send("t", untagged(BROADCAST, X + 1, 64));
        assertThat(learned()).hasSize(3);
        assertThat(ports.get("t").counters().macLimitExceeded()).isEqualTo(2);
        assertThat(got("a")).hasSize(6);
        send("t", tagged(BROADCAST, X + 9, tci(0, 20), 64));
        assertThat(ports.get("t").counters().macLimitExceeded()).as("the limit is the port's, over all its VLANs")
                .isEqualTo(3);
    }

    @Test
    void aPartitionArrivingWithAnAddressLearnedFromTheTrunkTakesItOver() {
        sw = new VirtualSwitch("ETHERNET0", new SwitchSettings(300, 1, 1518), () -> now);
        plain("a", A, 10);
        trunk("t", T1, 1, 10);
        send("t", untagged(A, X, 64));
        plain("moved", X, 10);
        assertThat(learned()).isEmpty();
        send("a", untagged(X, A, 64));
        assertThat(got("moved")).hasSize(1);
        assertThat(got("t")).isEmpty();
        send("t", untagged(A, Y, 64));
        assertThat(learned()).as("the trunk's limit was given back").containsExactly("10:0A0000000002@t");
    }

    @Test
    void aFullQueueIsCountedOnTheReceivingPort() {
        plain("a", A, 10);
        plain("b", B, 10);
        sinks.get("b").full = true;
        send("a", untagged(B, A, 64));
        assertThat(drops("b", DropReason.QUEUE_FULL)).isEqualTo(1);
        assertThat(ports.get("b").counters().txFrames()).isZero();
        assertThat(ports.get("a").counters().drops()).isZero();
        assertThat(ports.get("a").counters().rxFrames()).isEqualTo(1);
    }

    @Test
    void aFailingPortIsCountedAndTheOthersStillGetTheirFrames() {
        plain("a", A, 10);
        plain("b", B, 10);
        plain("c", C, 10);
        sinks.get("b").failure = new IllegalStateException("guest gone");
        send("a", untagged(BROADCAST, A, 64));
        send("a", untagged(B, A, 64));
        send("a", untagged(C, A, 64));
        assertThat(drops("b", DropReason.PORT_FAILED)).isEqualTo(2);
        assertThat(got("c")).hasSize(2);
        assertThat(ports.get("c").counters().txFrames()).isEqualTo(2);
    }

    @Test
    void aSinkThatCallsBackIntoTheSwitchIsCountedAsFailed() {
        plain("a", A, 10);
        Port b = plain("b", B, 10);
        ports.put("b2", sw.attach(new PortConfig("b2", B + 100, 10, false, Set.of(), 0), f -> {
            sw.detach(b);
            return true;
        }));
        send("a", untagged(B + 100, A, 64));
        assertThat(drops("b2", DropReason.PORT_FAILED)).isEqualTo(1);
        assertThat(b.attached()).isTrue();
    }

    @Test
    void countersCountFramesAndBytesEachWay() {
        plain("a", A, 10);
        plain("b", B, 10);
        dot1q("q", Q, 1, 10);
        send("a", untagged(B, A, 100));
        send("a", untagged(BROADCAST, A, 60));
        PortCounters a = ports.get("a").counters();
        assertThat(List.of(a.rxFrames(), a.rxBytes(), a.txFrames(), a.txBytes())).containsExactly(2L, 160L, 0L, 0L);
        PortCounters b = ports.get("b").counters();
        assertThat(List.of(b.txFrames(), b.txBytes())).containsExactly(2L, 160L);
        PortCounters q = ports.get("q").counters();
        assertThat(List.of(q.txFrames(), q.txBytes())).containsExactly(1L, 64L);
        assertThat(a.dropsByReason()).hasSize(DropReason.values().length).allSatisfy((r, n) -> assertThat(n).isZero());
    }

    @Test
    void aFrameToItsOwnSenderGoesNowhere() {
        plain("a", A, 10);
        trunk("t", T1, 1, 10);
        send("a", untagged(A, A, 64));
        assertThat(drops("a", DropReason.NO_DESTINATION)).isEqualTo(1);
        assertThat(got("a")).isEmpty();
        assertThat(got("t")).isEmpty();
    }

    @Test
    void aDetachedPortGetsNothingAndSendsNothing() {
        Port a = plain("a", A, 10);
        Port b = plain("b", B, 10);
        sw.detach(b);
        sw.detach(b);
        send("a", untagged(BROADCAST, A, 64));
        send("a", untagged(B, A, 64));
        assertThat(got("b")).isEmpty();
        assertThat(drops("a", DropReason.NO_DESTINATION)).isEqualTo(1);
        assertThat(sw.ports()).containsExactly(a);
        assertThatThrownBy(() -> sw.receive(b, TestFrames.inBuffer(untagged(A, B, 64))))
                .isInstanceOf(IllegalArgumentException.class);
        plain("b", B, 10);
        send("a", untagged(B, A, 64));
        assertThat(got("b")).as("the name and address are free again").hasSize(1);
    }

    @Test
    void receiveLeavesTheBuffersPositionAndLimitAsTheyCame() {
        plain("a", A, 10);
        dot1q("q", Q, 1, 10);
        plain("b", B, 10);
        ByteBuffer in = TestFrames.inBuffer(untagged(BROADCAST, A, 64));
        int pos = in.position();
        int limit = in.limit();
        sw.receive(ports.get("a"), in);
        assertThat(in.position()).isEqualTo(pos);
        assertThat(in.limit()).isEqualTo(limit);
        ByteBuffer runt = TestFrames.inBuffer(new byte[5]);
        sw.receive(ports.get("a"), runt);
        assertThat(runt.position()).isEqualTo(7);
    }

    @Test
    void attachRejectsDuplicatesAndInvalidConfigurations() {
        plain("a", A, 10);
        FrameSink s = f -> true;
        record Cfg(PortConfig config, String message) {
        }
        List<Cfg> bad = List.of(new Cfg(new PortConfig("a", B, 10, false, Set.of(), 0), "already has a port named a"),
                new Cfg(new PortConfig("b", A, 10, false, Set.of(), 0), "MAC address 02000000000A"),
                new Cfg(new PortConfig("b", B, 0, false, Set.of(), 0), "port VLAN id must be 1..4094"),
                new Cfg(new PortConfig("b", B, 4095, false, Set.of(), 0), "port VLAN id must be 1..4094"),
                new Cfg(new PortConfig("b", B, 10, false, Set.of(20), 0), "need an IEEE 802.1Q adapter"),
                new Cfg(new PortConfig("b", B, 10, true, Set.of(10), 0), "is also the port VLAN id"),
                new Cfg(new PortConfig("b", B, 10, true, Set.of(4095), 0), "additional VLAN id must be 1..4094"),
                new Cfg(new PortConfig("b", MULTICAST, 10, false, Set.of(), 0), "not a 48-bit unicast address"),
                new Cfg(new PortConfig("b", 1L << 48, 10, false, Set.of(), 0), "not a 48-bit unicast address"),
                new Cfg(new PortConfig("b", B, 10, false, Set.of(), 16), "trunk priority"));
        for (Cfg c : bad) {
            assertThatThrownBy(() -> sw.attach(c.config(), s)).as(c.message())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(c.message());
        }
        assertThat(sw.ports()).hasSize(1);
    }
}
