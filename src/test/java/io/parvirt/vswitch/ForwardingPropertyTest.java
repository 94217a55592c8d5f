package io.parvirt.vswitch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One million random frames through the forwarding core over random switches: 2..16 ports with
 * random PVIDs, additional VLANs, 802.1Q and trunk priorities; ports detach and come back; sinks
 * refuse or throw at random; the clock jumps past the aging time. Every delivery is checked as it
 * happens: never to the sender, never outside the frame's VLAN, unicast to a partition only if
 * that partition owns the destination, tagged exactly when the receiver is a tagged member, and
 * the same bytes apart from the tag. Every frame's fate is checked against an independent model
 * of the rules: who is offered it, or which drop is counted on its sender.
 *
 * <p>The seed is printed (in the test's output file); {@code -Dvswitch.seed=N} replays a run.
 */
@Tag("unit")
class ForwardingPropertyTest {
    static final int FRAMES = 1_000_000;
    static final int FRAMES_PER_SWITCH = 500;
    static final long SECOND = 1_000_000_000L;

    /** One port as the model sees it, with its sink, which checks each delivery as it is offered. */
    final class Member implements FrameSink {
        final PortConfig config;
        Port port;
        double fullRate;
        double failRate;
        boolean offered;
        int accepted;
        int refused;
        int failed;
        int sentFrom;

        void attach() {
            port = sw.attach(config, this);
            accepted = 0;
            refused = 0;
            failed = 0;
            sentFrom = 0;
        }

        /** Sorted: the config's set iterates in a different order in every JVM, and a seed must replay. */
        final int[] additional;

        Member(PortConfig config) {
            this.config = config;
            this.additional = config.additionalVlans().stream().mapToInt(Integer::intValue).sorted().toArray();
        }

        boolean memberOf(int vlan) {
            return config.pvid() == vlan || config.ieee8021q() && config.additionalVlans().contains(vlan);
        }

        @Override
        public boolean offer(ByteBuffer b) {
            check(!offered, () -> "offered twice to " + this);
            offered = true;
            checkDelivery(this, b);
            if (rnd.nextDouble() < failRate) {
                failed++;
                throw new IllegalStateException("sink failure (test)");
            }
            if (rnd.nextDouble() < fullRate) {
                refused++;
                return false;
            }
            accepted++;
            return true;
        }

        @Override
        public String toString() {
            return config.toString();
        }
    }

    Random rnd;
    long seed;
    long now;
    VirtualSwitch sw;
    List<Member> attached;
    List<Member> detached;
    long[] outside;
    // The frame being sent, and what the model expects.
    Member sender;
    byte[] frame;
    byte[] frameUntagged;
    int frameVlan;
    int framePcp;
    long frameDst;

    @Test
    void noFrameLeavesItsVlanReachesItsSenderOrAPartitionThatDoesNotOwnItsDestination() {
        seed = Long.getLong("vswitch.seed", System.nanoTime());
        System.out.println("ForwardingPropertyTest seed " + seed + " (replay: -Dvswitch.seed=" + seed + ")");
        rnd = new Random(seed);
        ByteBuffer direct = ByteBuffer.allocateDirect(4096);
        ByteBuffer heap = ByteBuffer.allocate(4096);
        ByteBuffer little = ByteBuffer.allocateDirect(4096).order(ByteOrder.LITTLE_ENDIAN);
        long delivered = 0;
        long dropped = 0;
        long[] fates = new long[1 + DropReason.values().length];
        for (int sent = 0; sent < FRAMES;) {
            newSwitch();
            for (int i = 0; i < FRAMES_PER_SWITCH; i++, sent++) {
                churn();
                now += rnd.nextInt(100) == 0 ? 400 * SECOND : rnd.nextLong(2 * SECOND);
                sender = attached.get(rnd.nextInt(attached.size()));
                frame = randomFrame();
                ByteBuffer in = switch (rnd.nextInt(10)) {
                    case 0 -> heap;
                    case 1 -> little;
                    default -> direct;
                };
                int off = rnd.nextInt(16);
                in.clear().position(off);
                in.put(frame).flip().position(off);
                DropReason expected = classify();
                List<Member> expectedTo = expected == null ? receivers() : List.of();
                if (expected == null && expectedTo.isEmpty() && !isGroup(frameDst)) {
                    expected = DropReason.NO_DESTINATION;
                }
                long[] before = snapshot(sender.port.counters());
                for (Member m : attached) {
                    m.offered = false;
                }
                sw.receive(sender.port, in);
                sender.sentFrom++;
                check(in.position() == off && in.limit() == off + frame.length, () -> "buffer moved");
                long[] after = snapshot(sender.port.counters());
                for (DropReason r : DropReason.values()) {
                    long want = r == expected ? 1 : 0;
                    if (r != DropReason.QUEUE_FULL && r != DropReason.PORT_FAILED) {
                        long got = after[r.ordinal()] - before[r.ordinal()];
                        DropReason e = expected;
                        check(got == want, () -> "sender counted " + got + " " + r + ", expected drop " + e);
                    }
                }
                int offers = 0;
                for (Member m : attached) {
                    offers += m.offered ? 1 : 0;
                }
                int count = offers;
                check(offers == expectedTo.size() && expectedTo.stream().allMatch(m -> m.offered),
                        () -> count + " offered, expected " + expectedTo);
                delivered += offers;
                dropped += expected == null ? 0 : 1;
                fates[expected == null ? 0 : 1 + expected.ordinal()]++;
            }
            checkCounters();
        }
        System.out.println("ForwardingPropertyTest: " + FRAMES + " frames, " + delivered + " offers, " + dropped
                + " dropped at the sender; forwarded " + fates[0] + ", "
                + Arrays.stream(DropReason.values()).filter(r -> fates[1 + r.ordinal()] > 0)
                        .map(r -> r + " " + fates[1 + r.ordinal()]).toList());
        assertThat(delivered).isGreaterThan(FRAMES / 2);
    }

    private void newSwitch() {
        int[] pool = new int[2 + rnd.nextInt(5)];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(4094) : 1 + i;
        }
        int maxFrame = rnd.nextInt(4) == 0 ? 64 + rnd.nextInt(2000) : 1518;
        SwitchSettings settings = new SwitchSettings(1 + rnd.nextInt(400), rnd.nextInt(9), maxFrame);
        now = rnd.nextLong();
        sw = new VirtualSwitch("S" + seed, settings, () -> now);
        attached = new ArrayList<>();
        detached = new ArrayList<>();
        outside = new long[1 + rnd.nextInt(30)];
        for (int i = 0; i < outside.length; i++) {
            outside[i] = 0x0A00_0000_0000L | rnd.nextInt(1 << 24);
        }
        int n = 2 + rnd.nextInt(15);
        Set<Long> macs = new HashSet<>();
        for (int i = 0; i < n; i++) {
            long mac;
            do {
                mac = 0x0200_0000_0000L | rnd.nextInt(1 << 24);
            } while (!macs.add(mac));
            int pvid = pool[rnd.nextInt(pool.length)];
            boolean ieee = rnd.nextBoolean();
            Set<Integer> addl = new HashSet<>();
            if (ieee) {
                for (int v : pool) {
                    if (v != pvid && rnd.nextInt(3) == 0) {
                        addl.add(v);
                    }
                }
            }
            int trunk = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(rnd.nextBoolean() ? 2 : 15) : 0;
            Member m = new Member(new PortConfig("p" + i, mac, pvid, ieee, addl, trunk));
            int behaviour = rnd.nextInt(10);
            m.fullRate = behaviour == 0 ? 0.3 : 0;
            m.failRate = behaviour == 1 ? 0.3 : 0;
            m.attach();
            attached.add(m);
        }
    }

    /** Now and then a port leaves, or one that left comes back (new port, same adapter). */
    private void churn() {
        int r = rnd.nextInt(500);
        if (r == 0 && attached.size() > 2) {
            Member m = attached.remove(rnd.nextInt(attached.size()));
            sw.detach(m.port);
            assertThat(m.port.learned).as("a detached port keeps no learned address").isZero();
            checkCounters(m);
            detached.add(m);
        } else if (r == 1 && !detached.isEmpty()) {
            Member m = detached.remove(rnd.nextInt(detached.size()));
            m.attach();
            attached.add(m);
        }
    }

    private byte[] randomFrame() {
        int len = switch (rnd.nextInt(40)) {
            case 0 -> rnd.nextInt(18);
            case 1 -> sw.settings().maxFrameSize() - 2 + rnd.nextInt(8);
            default -> 14 + rnd.nextInt(100);
        };
        byte[] b = new byte[len];
        rnd.nextBytes(b);
        long dst = pickDst();
        long src = pickSrc();
        for (int i = 0; i < 6; i++) {
            put(b, i, (byte) (dst >>> (40 - 8 * i)));
            put(b, 6 + i, (byte) (src >>> (40 - 8 * i)));
        }
        boolean tag = rnd.nextInt(100) < (sender.config.ieee8021q() ? 55 : 10);
        if (!tag) {
            put16(b, 12, rnd.nextInt(50) == 0 ? 0x88A8 : 0x88B5);
        } else {
            put16(b, 12, 0x8100);
            put16(b, 14, rnd.nextInt(8) << 13 | (rnd.nextInt(8) == 0 ? 1 << 12 : 0) | pickVid());
            put16(b, 16, rnd.nextInt(30) == 0 ? (rnd.nextBoolean() ? 0x8100 : 0x88A8) : 0x88B5);
        }
        return b;
    }

    private long pickDst() {
        return switch (rnd.nextInt(20)) {
            case 0, 1, 2 -> pick(attached).config.mac();
            case 3, 4, 5, 6 -> pick(attached.stream().filter(m -> m.memberOf(sender.config.pvid())).toList())
                    .config.mac();
            case 7 -> detached.isEmpty() ? sender.config.mac() : pick(detached).config.mac();
            case 8, 9, 10 -> outside[rnd.nextInt(outside.length)];
            case 11 -> sender.config.mac();
            case 12, 13, 14 -> TestFrames.BROADCAST;
            case 15, 16 -> rnd.nextBoolean() ? 0x0100_5E00_0000L | rnd.nextInt(1 << 23) : 0x3333_0000_0000L
                    | (rnd.nextLong() & 0xFFFF_FFFFL);
            default -> rnd.nextLong() & 0xFEFF_FFFF_FFFFL;
        };
    }

    private long pickSrc() {
        if (sender.config.trunk() && rnd.nextInt(3) > 0) {
            return outside[rnd.nextInt(outside.length)];
        }
        return switch (rnd.nextInt(40)) {
            case 0, 1 -> outside[rnd.nextInt(outside.length)];
            case 2 -> pick(attached).config.mac();
            case 3 -> rnd.nextBoolean() ? 0 : TestFrames.MULTICAST;
            case 4 -> rnd.nextLong() & 0xFFFF_FFFF_FFFFL;
            default -> sender.config.mac();
        };
    }

    private int pickVid() {
        PortConfig c = sender.config;
        return switch (rnd.nextInt(10)) {
            case 0 -> 0;
            case 1 -> rnd.nextInt(10) == 0 ? 4095 : 1 + rnd.nextInt(4094);
            case 2, 3 -> c.pvid();
            case 4 -> pick(attached).config.pvid();
            default -> sender.additional.length == 0 ? c.pvid()
                    : sender.additional[rnd.nextInt(sender.additional.length)];
        };
    }

    /** The model of classification: the drop the sender must count, or null with {@link #frameVlan} set. */
    private DropReason classify() {
        byte[] b = frame;
        PortConfig c = sender.config;
        int max = sw.settings().maxFrameSize();
        frameDst = b.length >= 6 ? mac(b, 0) : 0;
        if (b.length < 14) {
            return DropReason.RUNT;
        }
        boolean tagged = get16(b, 12) == 0x8100;
        frameVlan = c.pvid();
        framePcp = -1;
        if (tagged) {
            if (b.length < 18) {
                return DropReason.RUNT;
            }
            if (b.length > max + 4) {
                return DropReason.OVERSIZED;
            }
            int tci = get16(b, 14);
            int vid = tci & 0xFFF;
            int inner = get16(b, 16);
            if (vid == 4095 || inner == 0x8100 || inner == 0x88A8) {
                return DropReason.MALFORMED_TAG;
            }
            if (vid != 0) {
                if (!c.ieee8021q() || vid != c.pvid() && !c.additionalVlans().contains(vid)) {
                    return DropReason.VLAN_NOT_PERMITTED;
                }
                frameVlan = vid;
            }
            framePcp = tci & 0xF000;
        } else if (b.length > max) {
            return DropReason.OVERSIZED;
        }
        long src = mac(b, 6);
        if (!c.trunk() && src != c.mac()) {
            return DropReason.SPOOFED_SOURCE;
        }
        if (c.trunk() && (src == 0 || isGroup(src))) {
            return DropReason.INVALID_SOURCE;
        }
        if (c.trunk() && activeTrunk(frameVlan) != sender) {
            return DropReason.STANDBY_TRUNK;
        }
        frameUntagged = TestFrames.strip(b);
        return null;
    }

    /** The trunk member of {@code vlan} with the best priority (the first attached among equals). */
    private Member activeTrunk(int vlan) {
        Member active = null;
        for (Member m : attached) {
            if (m.memberOf(vlan) && m.config.trunk()
                    && (active == null || m.config.trunkPriority() < active.config.trunkPriority())) {
                active = m;
            }
        }
        return active;
    }

    /** The model of forwarding: whom a frame that passed classification is offered to. */
    private List<Member> receivers() {
        Member active = null;
        List<Member> partitions = new ArrayList<>();
        Member owner = null;
        for (Member m : attached) {
            if (!m.memberOf(frameVlan)) {
                continue;
            }
            if (m.config.mac() == frameDst) {
                owner = m;
            }
            if (!m.config.trunk()) {
                partitions.add(m);
            } else if (active == null || m.config.trunkPriority() < active.config.trunkPriority()) {
                active = m; // attach order breaks ties: the first stays active
            }
        }
        boolean fromTrunk = sender.config.trunk();
        List<Member> out = new ArrayList<>();
        if (isGroup(frameDst)) {
            partitions.stream().filter(m -> m != sender).forEach(out::add);
            if (!fromTrunk && active != null) {
                out.add(active);
            }
        } else if (owner != null) {
            if (owner != sender) {
                out.add(owner);
            }
        } else if (!fromTrunk && active != null) {
            out.add(active);
        }
        return out;
    }

    /** The invariants every single delivery must hold, whatever the model says. */
    private void checkDelivery(Member to, ByteBuffer b) {
        check(to != sender, () -> "delivered to its sender");
        check(to.memberOf(frameVlan), () -> "delivered outside VLAN " + frameVlan + " to " + to);
        check(isGroup(frameDst) || to.config.trunk() || to.config.mac() == frameDst,
                () -> "unicast to a partition that does not own the destination: " + to);
        byte[] got = new byte[b.remaining()];
        b.get(b.position(), got);
        boolean taggedMember = frameVlan != to.config.pvid();
        check(TestFrames.hasTag(got) == taggedMember, () -> "tag present: " + !taggedMember + " for " + to);
        if (taggedMember) {
            int tci = get16(got, 14);
            check((tci & 0xFFF) == frameVlan, () -> "tag with VLAN id " + (tci & 0xFFF));
            check((tci & 0xF000) == (framePcp < 0 ? 0 : framePcp), () -> "priority bits " + (tci >>> 12));
        }
        check(Arrays.equals(TestFrames.strip(got), frameUntagged),
                () -> "bytes apart from the tag differ: " + TestFrames.hex(got));
    }

    private void check(boolean ok, Supplier<String> what) {
        if (!ok) {
            throw new AssertionError(describe(what.get()));
        }
    }

    /** Conservation: every frame and every offer is counted where it belongs. */
    private void checkCounters() {
        for (Member m : attached) {
            checkCounters(m);
        }
    }

    private void checkCounters(Member m) {
        PortCounters c = m.port.counters();
        assertThat(c.rxFrames()).as("rx of %s", m).isEqualTo(m.sentFrom);
        assertThat(c.txFrames()).as("tx of %s", m).isEqualTo(m.accepted);
        assertThat(c.drops(DropReason.QUEUE_FULL)).as("queue full at %s", m).isEqualTo(m.refused);
        assertThat(c.drops(DropReason.PORT_FAILED)).as("failures of %s", m).isEqualTo(m.failed);
        assertThat(m.port.learned).as("learned by %s", m).isBetween(0, sw.settings().macLimitPerPort());
    }

    private static long[] snapshot(PortCounters c) {
        long[] s = new long[DropReason.values().length];
        for (DropReason r : DropReason.values()) {
            s[r.ordinal()] = c.drops(r);
        }
        return s;
    }

    private String describe(String what) {
        return what + " (seed " + seed + ", from " + sender + ", frame " + TestFrames.hex(frame) + ")";
    }

    private <T> T pick(List<T> list) {
        return list.get(rnd.nextInt(list.size()));
    }

    private static boolean isGroup(long mac) {
        return (mac & (1L << 40)) != 0;
    }

    private static long mac(byte[] b, int i) {
        long m = 0;
        for (int k = 0; k < 6; k++) {
            m = m << 8 | (b[i + k] & 0xFF);
        }
        return m;
    }

    private static int get16(byte[] b, int i) {
        return TestFrames.get16(b, i);
    }

    private static void put(byte[] b, int i, byte v) {
        if (i < b.length) {
            b[i] = v;
        }
    }

    private static void put16(byte[] b, int i, int v) {
        TestFrames.put16(b, i, v);
    }
}
