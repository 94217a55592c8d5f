package io.parvirt.vswitch;

import io.parvirt.vhost.GuestMemory;
import io.parvirt.vhost.Posix;
import io.parvirt.vhost.Virtqueue;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The switch thread's work for one 64-byte frame between two vhost-user ports, on one thread: a
 * {@link VhostUserPort#drain} of S's transmit ring (take the chain, copy it, forward it, write it
 * into R's next receive buffer, give both chains back), a ring's worth (255 frames) per operation, so
 * the score is time per frame. Both guests' memory is a memfd mapped as the port maps QEMU's; the
 * ports are set up as a Linux guest's negotiation leaves them (version 1 header, MRG_RXBUF,
 * EVENT_IDX, offloads) without a session: no socket, no kick, no loop turn. Between operations the
 * benchmark plays the guests: S makes its 255 chains available again, R posts as many receive buffers
 * (descriptors rewritten, as a driver does). What it leaves out, by design: the cache lines the
 * guests' CPUs write (here all on one core), and the loop's per-turn and per-batch costs (the
 * wake-up, the interrupt) that {@code bench/vhost-user-mpps.sh} includes.
 *
 * <p>Run: {@code JMH_NAME=vhost-user-port bench/jmh.sh io.parvirt.vswitch.VhostUserPortBench} (ns per
 * frame). On a loaded host compare two builds in one JVM, chunk by chunk, by thread CPU time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class VhostUserPortBench {
    static final int QUEUE = 256;
    static final int FRAMES = QUEUE - 1;
    static final int RX_BUFFER = 2048;
    static final long GPA = 0x4000_0000L;
    static final long RING = 0;
    static final long BUFS = 0x10000;
    static final long SIZE = BUFS + (long) QUEUE * RX_BUFFER;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle IDX = U16.varHandle();
    static final long MAC_S = 0x0E5056001002L;
    static final long MAC_R = 0x0E5056002002L;

    private SwitchLoop loop;
    private VhostUserPort s;
    private VhostUserPort r;
    private MemorySegment sMem;
    private MemorySegment rMem;
    private int txAvail;
    private int rxAvail;
    private int rxUsedSeen;

    @Setup(Level.Trial)
    public void setUp() {
        loop = new SwitchLoop();
        loop.close(); // only for the ports' constructor: the benchmark's thread is the loop here
        VirtualSwitch sw = new VirtualSwitch("ETHERNET0", SwitchSettings.DEFAULTS);
        s = port(sw, "s", MAC_S);
        r = port(sw, "r", MAC_R);
        sMem = s.memory.segment(0);
        rMem = r.memory.segment(0);
        // S: every descriptor points at the same frame (as the benchmark's sender does).
        byte[] frame = TestFrames.untagged(MAC_R, MAC_S, 64);
        new NetHeader().write(sMem, BUFS, NetHeader.SIZE, 0);
        MemorySegment.copy(frame, 0, sMem, ValueLayout.JAVA_BYTE, BUFS + NetHeader.SIZE, frame.length);
        for (int d = 0; d < QUEUE; d++) {
            descriptor(sMem, d, GPA + BUFS, NetHeader.SIZE + frame.length, 0);
        }
        postReceive(QUEUE);
    }

    private VhostUserPort port(VirtualSwitch sw, String name, long mac) {
        VhostUserPort p = new VhostUserPort(Path.of("/nonexistent"), name, 2, sw, loop);
        p.port = sw.attach(new PortConfig(name + "/2", mac, 10, false, Set.of(), 0), p);
        int fd = Posix.memfd(name, SIZE);
        GuestMemory m = new GuestMemory();
        long uva = mac == MAC_S ? 0x7f00_0000_0000L : 0x7e00_0000_0000L; // the front end's own address: any
        if (!m.add(GPA, SIZE, uva, 0, fd)) {
            throw new IllegalStateException("cannot map the guest memory");
        }
        Posix.close(fd);
        p.memory = m;
        p.headerSize = NetHeader.SIZE;
        p.mergeable = true;
        p.guestOffloads = true;
        for (Virtqueue q : new Virtqueue[] {p.rx, p.tx}) {
            q.eventIdx = true;
            q.num = QUEUE;
            long base = uva + (q.index == VhostNet.RX ? RING : RING + 0x8000);
            q.descAddr = base;
            q.availAddr = base + 16L * QUEUE;
            q.usedAddr = base + 0x1000;
            q.enabled = true;
            if (!q.resolve(m)) {
                throw new IllegalStateException("ring outside the memory");
            }
        }
        return p;
    }

    private static void descriptor(MemorySegment mem, int d, long addr, int len, int flags) {
        long o = RING + 0x8000 + 16L * d;
        mem.set(U64, o, addr);
        mem.set(U32, o + 8, len);
        mem.set(U16, o + 12, (short) flags);
        mem.set(U16, o + 14, (short) 0);
    }

    private void postReceive(int n) {
        for (int i = 0; i < n; i++) {
            int d = rxAvail % QUEUE;
            long o = RING + 16L * d;
            rMem.set(U64, o, GPA + BUFS + (long) d * RX_BUFFER);
            rMem.set(U32, o + 8, RX_BUFFER);
            rMem.set(U16, o + 12, (short) Virtqueue.DESC_WRITE);
            rMem.set(U16, o + 14, (short) 0);
            rMem.set(U16, RING + 16L * QUEUE + 4 + 2L * d, (short) d);
            rxAvail++;
        }
        IDX.setRelease(rMem, RING + 16L * QUEUE + 2, (short) rxAvail);
    }

    /**
     * A ring of frames (less one: a drain of a whole batch would leave its next batch to a loop
     * turn) from S to R, then both guests do their part for the next.
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int ring() {
        long txRing = RING + 0x8000;
        for (int i = 0; i < FRAMES; i++) {
            sMem.set(U16, txRing + 16L * QUEUE + 4 + 2L * (txAvail % QUEUE), (short) (txAvail % QUEUE));
            txAvail++;
        }
        IDX.setRelease(sMem, txRing + 16L * QUEUE + 2, (short) txAvail);
        s.drain();
        s.drained.tryAcquire();
        int used = (short) IDX.getAcquire(rMem, RING + 0x1000 + 2) & 0xffff;
        int n = (used - rxUsedSeen) & 0xffff;
        rxUsedSeen = used;
        postReceive(n);
        return n;
    }

    @TearDown(Level.Trial)
    public void check() {
        PortCounters c = r.port.counters();
        if (c.txFrames() == 0 || s.port.counters().drops() != 0 || c.drops() != 0) {
            throw new IllegalStateException("frames were not delivered: s " + s.port.counters() + ", r " + c);
        }
        loop.close();
    }
}
