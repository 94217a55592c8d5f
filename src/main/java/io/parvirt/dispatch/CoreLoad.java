package io.parvirt.dispatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * What each host CPU spends outside the shared partitions' vCPU threads, over about the last
 * second: QEMU's other threads, a lending dedicated partition's vCPU, the daemon, interrupts, and
 * whatever else the host runs there. Shown in the dispatcher's trace, for diagnosis.
 *
 * <p>Not used for placement. Home cores that counted it as each core's load chased a load that
 * floats: with another process taking 0.7–0.9 of a core during a ten-partition run, the kernel
 * kept it on whichever core the partitions left lighter, and placement changed 131 times in
 * 195 s. What does run where placement puts it, QEMU's other
 * threads, is kept on the partition's cores and counted with the partition
 * ({@link CpuControl#SWEEP_EVERY}).
 *
 * <p>A CPU's busy time is the interval less its idle and iowait time, which the kernel counts
 * exactly at idle entry and exit (busy fields are sampled at the tick and overstate a core held by
 * CFS bandwidth control); /proc shows them in 10 ms ticks, hence a window of {@link #WINDOW}
 * intervals: 1 % of a core at the default 100 ms. A partition's vCPU time is charged evenly to the
 * cores its threads were allowed over the interval.
 */
final class CoreLoad {
    /** Per-CPU idle time, cumulative. */
    interface Source {
        /** Adds each CPU's idle and iowait ns so far into {@code idleNs} (index: CPU number); false when unreadable. */
        boolean idle(long[] idleNs);
    }

    /** No idle times: every core's outside load is unknown (tests whose clocks are fakes). */
    static final Source UNKNOWN = idleNs -> false;

    /** Intervals the figures cover. */
    static final int WINDOW = 10;
    private final Source source;
    private final int cpus;
    /** Vcpu ns charged to each CPU so far. */
    private final long[] charged;
    /** Ring of {@link #WINDOW} + 1 readings: time, idle and charged ns per CPU. */
    private final long[] at = new long[WINDOW + 1];
    private final long[][] idle;
    private final long[][] vcpu;
    private int readings;
    private final long[] scratch;

    CoreLoad(Source source, List<Integer> hostCpus) {
        this.source = source;
        this.cpus = hostCpus.stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        this.charged = new long[cpus];
        this.idle = new long[WINDOW + 1][cpus];
        this.vcpu = new long[WINDOW + 1][cpus];
        this.scratch = new long[cpus];
    }

    /** Charges {@code ranNs} of a partition's vCPU time over the last interval evenly to {@code cores}. */
    void charge(List<Integer> cores, long ranNs) {
        if (cores.isEmpty() || ranNs <= 0) {
            return;
        }
        long each = ranNs / cores.size();
        for (int c : cores) {
            if (c < cpus) {
                charged[c] += each;
            }
        }
    }

    /** Reads the CPUs' idle time at {@code nowNs}, after the interval's vCPU time was charged. */
    void sample(long nowNs) {
        Arrays.fill(scratch, 0);
        if (!source.idle(scratch)) {
            readings = 0; // a gap: start the window again
            return;
        }
        int slot = readings % at.length;
        at[slot] = nowNs;
        System.arraycopy(scratch, 0, idle[slot], 0, cpus);
        System.arraycopy(charged, 0, vcpu[slot], 0, cpus);
        readings++;
    }

    /**
     * Cores' worth of {@code cpu}'s time that went neither to idle nor to the charged vCPUs over
     * the window (at least 0); -1 until two readings exist.
     */
    double outside(int cpu) {
        if (readings < 2 || cpu >= cpus) {
            return -1;
        }
        int last = (readings - 1) % at.length;
        int first = (readings - Math.min(readings, at.length)) % at.length;
        long span = at[last] - at[first];
        if (span <= 0) {
            return -1;
        }
        long busy = span - (idle[last][cpu] - idle[first][cpu]);
        long out = busy - (vcpu[last][cpu] - vcpu[first][cpu]);
        return Math.max(0, out / (double) span);
    }

    /**
     * {@code /proc/stat}'s per-CPU lines ({@code cpuN user nice system idle iowait ...}), read with
     * one {@code pread} at offset 0 into a kept buffer (6 µs on this host); the CPU lines come
     * first, before the interrupt counts.
     */
    static final class ProcStat implements Source {
        private static final long NS_PER_TICK = 10_000_000; // USER_HZ 100
        private final Path path;
        private FileChannel channel;
        private ByteBuffer buf = ByteBuffer.allocate(4096);

        ProcStat(Path path) {
            this.path = path;
        }

        @Override
        public boolean idle(long[] idleNs) {
            try {
                if (channel == null) {
                    channel = FileChannel.open(path, StandardOpenOption.READ);
                    buf = ByteBuffer.allocate(Math.max(4096, 256 * idleNs.length + 512));
                }
                buf.clear();
                channel.read(buf, 0);
            } catch (IOException e) {
                return false;
            }
            return parse(buf.array(), buf.position(), idleNs);
        }

        /** Adds each {@code cpuN} line's idle + iowait into {@code idleNs}; true when one was found. */
        static boolean parse(byte[] b, int len, long[] idleNs) {
            boolean any = false;
            int i = 0;
            while (i + 3 < len && b[i] == 'c' && b[i + 1] == 'p' && b[i + 2] == 'u') {
                int end = i;
                while (end < len && b[end] != '\n') {
                    end++;
                }
                if (end == len) {
                    break; // cut off by the buffer: not read whole
                }
                int p = i + 3;
                int cpu = -1;
                if (b[p] >= '0' && b[p] <= '9') {
                    cpu = 0;
                    while (p < len && b[p] >= '0' && b[p] <= '9') {
                        cpu = cpu * 10 + b[p++] - '0';
                    }
                }
                long idleTicks = 0;
                for (int field = 1; field <= 5 && p < end; field++) {
                    while (p < end && b[p] == ' ') {
                        p++;
                    }
                    long v = 0;
                    while (p < end && b[p] >= '0' && b[p] <= '9') {
                        v = v * 10 + b[p++] - '0';
                    }
                    if (field >= 4) { // idle, iowait
                        idleTicks += v;
                    }
                }
                if (cpu >= 0 && cpu < idleNs.length) {
                    idleNs[cpu] += idleTicks * NS_PER_TICK;
                    any = true;
                }
                i = end + 1;
            }
            return any;
        }
    }
}
