package io.parvirt.bench;

import io.parvirt.vswitch.FrameSink;
import io.parvirt.vswitch.Port;
import io.parvirt.vswitch.PortConfig;
import io.parvirt.vswitch.SwitchSettings;
import io.parvirt.vswitch.VirtualSwitch;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The forwarding core alone: {@link VirtualSwitch#receive} on one thread, so ops/s is frames per
 * second per core. Unicast from partition A to partition B in VLAN 10, from a direct buffer as a
 * transport's receive buffer holds it; the sinks only count, so the figure is the switch's cost
 * (classify, source check, table lookup, delivery, counters), not a transport's copy.
 * {@code unicastTagInserted} delivers to a tagged member (the tag is written into the switch's
 * scratch buffer: one copy of the frame). Run with {@code -prof gc} to see it allocates nothing.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class VswitchBench {
    static final long A = 0x26E6B0001002L;
    static final long B = 0x26E6B0002002L;
    static final long Q = 0x26E6B0003002L;

    @Param({"64", "1500"})
    public int frameSize;

    private VirtualSwitch sw;
    private Port a;
    private ByteBuffer toB;
    private ByteBuffer toQ;
    private final long[] delivered = new long[2];

    @Setup(Level.Trial)
    public void setUp() {
        sw = new VirtualSwitch("ETHERNET0", SwitchSettings.DEFAULTS);
        a = sw.attach(new PortConfig("a", A, 10, false, Set.of(), 0), f -> true);
        sw.attach(new PortConfig("b", B, 10, false, Set.of(), 0), counting(0));
        sw.attach(new PortConfig("q", Q, 1, true, Set.of(10), 0), counting(1));
        toB = frame(B, A);
        toQ = frame(Q, A);
    }

    private FrameSink counting(int i) {
        return f -> {
            delivered[i]++;
            return true;
        };
    }

    private ByteBuffer frame(long dst, long src) {
        ByteBuffer b = ByteBuffer.allocateDirect(frameSize + 64);
        b.position(32);
        b.putShort((short) (dst >>> 32)).putInt((int) dst).putShort((short) (src >>> 32)).putInt((int) src);
        b.putShort((short) 0x88B5);
        while (b.position() < 32 + frameSize) {
            b.put((byte) b.position());
        }
        return b.flip().position(32);
    }

    @TearDown(Level.Trial)
    public void check() {
        if (delivered[0] == 0 && delivered[1] == 0 || a.counters().drops() != 0) {
            throw new IllegalStateException("frames were not delivered: " + a.counters());
        }
    }

    /** Untagged A to B, same PVID: the received bytes are handed over as they are. */
    @Benchmark
    public long unicast() {
        sw.receive(a, toB);
        return delivered[0];
    }

    /** Untagged A to an 802.1Q port that is a tagged member of VLAN 10: the tag is inserted. */
    @Benchmark
    public long unicastTagInserted() {
        sw.receive(a, toQ);
        return delivered[1];
    }
}
