package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Issue 18: what each core spends outside the shared partitions' vCPUs. */
@Tag("unit")
class CoreLoadTest {
    static final long MS = 1_000_000;

    /** A fake host of two CPUs whose idle time the test sets. */
    static final class Idle implements CoreLoad.Source {
        final long[] ns = new long[2];
        boolean readable = true;

        @Override
        public boolean idle(long[] idleNs) {
            System.arraycopy(ns, 0, idleNs, 0, 2);
            return readable;
        }
    }

    @Test
    void aCoresBusyTimeLessTheVcpusChargedToItIsItsOutsideLoad() {
        Idle host = new Idle();
        CoreLoad load = new CoreLoad(host, List.of(0, 1));
        assertThat(load.outside(0)).as("unknown before two readings").isEqualTo(-1);
        long t = 0;
        load.sample(t);
        for (int i = 0; i < 30; i++) {
            t += 100 * MS;
            // A on CPU 0 ran 40 ms, B on both ran 80 ms (40 charged to each).
            // CPU 0 idled 10 ms: busy 90, charged 80, outside 10. CPU 1 idled 30: busy 70, charged 40.
            host.ns[0] += 10 * MS;
            host.ns[1] += 30 * MS;
            load.charge(List.of(0), 40 * MS);
            load.charge(List.of(0, 1), 80 * MS);
            load.sample(t);
        }
        assertThat(load.outside(0)).isCloseTo(0.10, offset(1e-9));
        assertThat(load.outside(1)).isCloseTo(0.30, offset(1e-9));
    }

    @Test
    void outsideLoadPerCore() {
        Idle host = new Idle();
        CoreLoad load = new CoreLoad(host, List.of(0, 1));
        long t = 0;
        load.sample(t);
        for (int i = 0; i < 30; i++) {
            t += 100 * MS;
            host.ns[0] += 10 * MS; // busy 90: 70 charged, 20 outside
            host.ns[1] += 30 * MS; // busy 70: 60 charged, 10 outside
            load.charge(List.of(0), 70 * MS);
            load.charge(List.of(1), 60 * MS);
            load.sample(t);
        }
        assertThat(load.outside(0)).isCloseTo(0.20, offset(1e-9));
        assertThat(load.outside(1)).isCloseTo(0.10, offset(1e-9));
        // The window: a change shows in full after WINDOW intervals, not before.
        for (int i = 0; i < CoreLoad.WINDOW / 2; i++) {
            t += 100 * MS;
            host.ns[0] += 30 * MS; // outside 0 now
            load.charge(List.of(0), 70 * MS);
            load.charge(List.of(1), 60 * MS);
            host.ns[1] += 30 * MS;
            load.sample(t);
        }
        assertThat(load.outside(0)).isCloseTo(0.10, offset(1e-9));
        for (int i = 0; i < CoreLoad.WINDOW; i++) {
            t += 100 * MS;
            host.ns[0] += 30 * MS;
            host.ns[1] += 30 * MS;
            load.charge(List.of(0), 70 * MS);
            load.charge(List.of(1), 60 * MS);
            load.sample(t);
        }
        assertThat(load.outside(0)).isCloseTo(0.0, offset(1e-9));
        assertThat(load.outside(1)).isCloseTo(0.10, offset(1e-9));
        assertThat(load.outside(7)).as("no such CPU").isEqualTo(-1);
    }

    @Test
    void anUnreadableReadingStartsTheWindowAgain() {
        Idle host = new Idle();
        CoreLoad load = new CoreLoad(host, List.of(0, 1));
        load.sample(0);
        host.ns[0] += 50 * MS;
        load.sample(100 * MS);
        assertThat(load.outside(0)).isCloseTo(0.5, offset(1e-9));
        host.readable = false;
        load.sample(200 * MS);
        assertThat(load.outside(0)).isEqualTo(-1);
        host.readable = true;
        load.sample(300 * MS);
        host.ns[0] += 100 * MS;
        load.sample(400 * MS);
        assertThat(load.outside(0)).isCloseTo(0.0, offset(1e-9));
    }

    @Test
    void procStatsCpuLinesGiveIdleAndIowait() {
        byte[] text = ("cpu  5804929 3989 1164821 2877603 18483 0 11864 11405 0 0\n"
                + "cpu0 3004505 1067 563288 1373985 6088 0 2734 5854 0 0\n"
                + "cpu1 2800423 2921 601533 1503618 12395 0 9129 5550 0 0\n"
                + "intr 1 2 3\n").getBytes(StandardCharsets.US_ASCII);
        long[] idle = new long[2];
        assertThat(CoreLoad.ProcStat.parse(text, text.length, idle)).isTrue();
        assertThat(idle[0]).isEqualTo((1373985L + 6088) * 10 * MS);
        assertThat(idle[1]).isEqualTo((1503618L + 12395) * 10 * MS);
        // Cut off inside cpu1's line: cpu0 is read, cpu1 not.
        long[] cut = new long[2];
        assertThat(CoreLoad.ProcStat.parse(text, 120, cut)).isTrue();
        assertThat(cut[0]).isEqualTo(idle[0]);
        assertThat(cut[1]).isZero();
    }

    /** The host's own /proc/stat, against a reading of it by hand: the same CPUs, the same idle times within a few ticks. */
    @Test
    void theHostsProcStatIsReadAsTheKernelWritesIt() throws IOException {
        List<Integer> cpus = CpuList.online();
        long[] idle = new long[cpus.getLast() + 1];
        CoreLoad.ProcStat stat = new CoreLoad.ProcStat(Path.of("/proc/stat"));
        assertThat(stat.idle(idle)).isTrue();
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            String[] f = line.split("\\s+");
            if (f[0].matches("cpu\\d+")) {
                int cpu = Integer.parseInt(f[0].substring(3));
                long byHand = (Long.parseLong(f[4]) + Long.parseLong(f[5])) * 10 * MS;
                assertThat(idle[cpu]).as(line).isCloseTo(byHand, offset(500 * MS)).isPositive();
            }
        }
        // Read again while this thread spins for 300 ms: the CPUs idle at least 0.8 of a core less
        // than the time that passed, in all.
        long[] before = idle.clone();
        long t0 = System.nanoTime();
        long spun = 0;
        while (System.nanoTime() - t0 < 300 * MS) {
            spun++;
        }
        long span = System.nanoTime() - t0;
        long[] after = new long[idle.length];
        assertThat(stat.idle(after)).isTrue();
        long idled = 0;
        for (int c : cpus) {
            idled += after[c] - before[c];
        }
        assertThat(spun).isPositive();
        assertThat(idled).as("idle ns over %d ns on %d CPUs", span, cpus.size())
                .isLessThanOrEqualTo((long) ((cpus.size() - 0.8) * span) + 20 * MS);
    }
}
