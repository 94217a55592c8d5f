package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.dispatch.Dispatcher.Running;
import io.parvirt.dispatch.Dispatcher.Snapshot;
import io.parvirt.model.Allocation;
import io.parvirt.model.ProcMode;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.ProcessorSettings;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SharingMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's phases 3 and 4 played through the whole dispatching policy (meter, demand estimate,
 * allocator, quota policy: {@link Dispatcher#tick} at its default interval), deterministically: C's work is a
 * recorded sequence from bench/dispatch.sh's libvirt run ({@code src/test/resources/dispatch}), A
 * and B burn their virtual processors, and the kernel is a model of CFS bandwidth control at the
 * 10 ms period: in each period a partition runs its work up to its quota and its virtual
 * processors, is counted throttled when work was left, and waits for what was left. The model is a
 * fake where the real part cannot run reproducibly: on a shared 2-core host the real kernel's share
 * depends on the load (bench/dispatch.sh measures it, and DispatchScenarioTest runs it); this test
 * asserts what the policy decides.
 *
 * <p>PowerVM's figure for each 10 ms period is {@link Allocator#allocate} given the true work of
 * that period (what a hypervisor that sees every window would give); windows of 100 and 250 ms,
 * cut off the tick boundaries as the bench's are, compare each partition's use with it.
 */
@Tag("unit")
class DispatchPolicyScenarioTest {
    private static final long MS = 1_000_000;
    private static final int PERIOD_MS = 10;
    /** The dispatcher's default interval, in 10 ms periods. */
    private static final int PERIODS_PER_TICK = (int) (Dispatcher.DEFAULT_INTERVAL.toMillis() / PERIOD_MS);
    private static final int PERIODS_PER_SAMPLE = 5;
    private static final double ENTITLEMENT = 0.20;
    private static final int POOL = 1;
    private static final SharedProcessorPool POOL1 = new SharedProcessorPool(POOL, "pool1", 1, ProcUnits.ZERO);

    /** The kernel's side, modelled: the quotas the dispatcher writes and the periods it throttled. */
    private static final class ModelKernel implements CpuControl {
        final Map<Integer, Double> quota = new HashMap<>();
        final Map<Integer, Long> throttled = new HashMap<>();

        @Override
        public void apply(CpuLimits limits) {
            quota.put(limits.lparId(), limits.quotaCores());
        }

        @Override
        public long throttled(int lparId) {
            return throttled.getOrDefault(lparId, 0L);
        }

        @Override
        public void release(int lparId) {
        }

        @Override
        public void close() {
        }

        @Override
        public String mechanism() {
            return "model of CFS bandwidth (10 ms period)";
        }
    }

    /** What a run gave: per 10 ms period, each partition's use and PowerVM's figure (cores), and the quotas. */
    private record Run(List<double[]> used, List<double[]> powervm, List<double[]> quotas) {
    }

    private static Allocation inPool1(int id, int vps, SharingMode mode, int weight) {
        ProcUnits u = ProcUnits.parse("u", "0.2");
        ProcessorSettings limits = new ProcessorSettings(ProcMode.SHARED, 1, vps, vps, ProcUnits.MIN_PER_VP, u,
                ProcUnits.ofCores(vps), mode, weight, 0);
        return new Allocation(id, 256, u, vps, false, mode, weight, POOL, limits);
    }

    /** bench/dispatch.sh's A (capped, 1 VP), B (uncapped, weight 64 after phase 2, 2 VPs), C (uncapped 64, 2 VPs). */
    private static final List<Allocation> PARTITIONS = List.of(inPool1(1, 1, SharingMode.CAP, 0),
            inPool1(2, 2, SharingMode.UNCAP, 64), inPool1(3, 2, SharingMode.UNCAP, 64));

    private static double[] recorded(String name) throws IOException {
        try (InputStream in = DispatchPolicyScenarioTest.class.getResourceAsStream("/dispatch/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).mapToDouble(Double::parseDouble).toArray();
        }
    }

    /** Plays C's recorded work (cores per 50 ms sample) beside A and B burning. */
    private static Run play(double[] cWork) {
        ModelKernel kernel = new ModelKernel();
        Map<Long, long[]> clock = new HashMap<>(); // pid -> {run ns, wait ns}
        long[] now = {0};
        List<Running> running = new ArrayList<>();
        for (Allocation a : PARTITIONS) {
            long pid = 100L * a.lparId();
            clock.put(pid, new long[2]);
            running.add(new Running(a.lparId(), "lp" + a.lparId(), pid, List.of(pid + 1), a));
        }
        Dispatcher d = new Dispatcher(new Dispatcher.Config(Dispatcher.DEFAULT_INTERVAL, 10_000, Path.of("/none"),
                "model", true), () -> new Snapshot(2.0, List.of(SharedProcessorPool.initial(0), POOL1), running), e -> { },
                (pid, tids) -> new ThreadClock.Reading(clock.get(pid)[0], clock.get(pid)[1], tids.size()),
                () -> now[0], List.of(0, 1), new Dispatcher.Enforcer(kernel, ""));
        d.tick(); // the first reading
        Run run = new Run(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        double cLeft = 0; // ms of C's work of the current sample not done yet
        int periods = cWork.length * PERIODS_PER_SAMPLE;
        for (int p = 0; p < periods; p++) {
            if (p % PERIODS_PER_SAMPLE == 0) {
                // a sample's work arrives at its start; work a time-based loop did not get is gone
                cLeft = cWork[p / PERIODS_PER_SAMPLE] * PERIODS_PER_SAMPLE * PERIOD_MS;
            }
            double[] want = {PERIOD_MS, 2.0 * PERIOD_MS, Math.min(2.0 * PERIOD_MS, cLeft)}; // ms of core time
            double[] got = new double[3];
            double[] quotas = new double[3];
            List<Allocator.Claim> claims = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Allocation a = PARTITIONS.get(i);
                quotas[i] = kernel.quota.getOrDefault(a.lparId(), 0.0);
                double allowed = quotas[i] > 0 ? quotas[i] * PERIOD_MS : Double.MAX_VALUE;
                got[i] = Math.min(want[i], allowed);
                long pid = 100L * a.lparId();
                clock.get(pid)[0] += Math.round(got[i] * MS);
                clock.get(pid)[1] += Math.round((want[i] - got[i]) * MS); // a throttled thread waits
                if (want[i] - got[i] > 1e-9) {
                    kernel.throttled.merge(a.lparId(), 1L, Long::sum);
                }
                claims.add(new Allocator.Claim(a.lparId(), POOL, ENTITLEMENT, a.vcpus(), a.capped(), a.uncapWeight(),
                        want[i] / PERIOD_MS));
            }
            cLeft -= got[2];
            Map<Integer, Allocator.Grant> ideal = Allocator.allocate(2.0, List.of(new Allocator.Pool(POOL, 1.0, 0)),
                    claims);
            double[] used = new double[3];
            double[] powervm = new double[3];
            for (int i = 0; i < 3; i++) {
                used[i] = got[i] / PERIOD_MS;
                powervm[i] = ideal.get(PARTITIONS.get(i).lparId()).total();
            }
            assertThat(used[0] + used[1] + used[2]).as("the 2 host cores hold every quota").isLessThanOrEqualTo(2.0);
            run.used().add(used);
            run.powervm().add(powervm);
            run.quotas().add(quotas);
            now[0] += PERIOD_MS * MS;
            if ((p + 1) % PERIODS_PER_TICK == 0) {
                d.tick();
            }
        }
        return run;
    }

    /** Share of windows of {@code length} periods, starting {@code offset} periods in, with every partition within 0.05. */
    private static double onTarget(Run run, int length, int offset) {
        int on = 0;
        int all = 0;
        for (int start = offset; start + length <= run.used().size(); start += length) {
            boolean ok = true;
            for (int i = 0; i < 3; i++) {
                double used = 0;
                double powervm = 0;
                for (int p = start; p < start + length; p++) {
                    used += run.used().get(p)[i];
                    powervm += run.powervm().get(p)[i];
                }
                ok &= Math.abs(used - powervm) / length <= 0.05;
            }
            on += ok ? 1 : 0;
            all++;
        }
        return on / (double) all;
    }

    /** Every 100 ms window: a partition with work gets at least its entitlement of it (min(work, 0.20)). */
    private static void entitlementHeldInEveryWindow(Run run) {
        for (int start = 5; start + PERIODS_PER_TICK <= run.used().size(); start += PERIODS_PER_TICK) {
            for (int i = 0; i < 3; i++) {
                double used = 0;
                double entitled = 0;
                for (int p = start; p < start + PERIODS_PER_TICK; p++) {
                    used += run.used().get(p)[i];
                    entitled += Math.min(ENTITLEMENT, run.powervm().get(p)[i]);
                }
                assertThat(used).as("partition %d in the window from %d ms", i + 1, start * PERIOD_MS)
                        .isGreaterThanOrEqualTo(entitled - 1e-6);
            }
        }
    }

    @Test
    void phase3AnIdlePartitionsWakeUpsDoNotMoveItsNeighboursGrant() throws IOException {
        Run run = play(recorded("phase3-c.txt"));
        entitlementHeldInEveryWindow(run);
        // B keeps what the idle C donates: its quota never drops to the 0.40 it has when C wants
        // more (what the estimate did when it took one throttled period for wanting more).
        for (int p = 3 * PERIODS_PER_TICK; p < run.quotas().size(); p++) {
            assertThat(run.quotas().get(p)[1]).as("B's quota in period %d", p).isGreaterThanOrEqualTo(0.7);
        }
        assertThat(onTarget(run, 10, 5)).as("100 ms windows on target").isGreaterThanOrEqualTo(0.95);
        assertThat(onTarget(run, 25, 5)).as("250 ms windows on target").isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void phase4ABurstingPartitionHasItsEntitlementAtOnceAndItsDonationBackWithinOneTick() throws IOException {
        Run run = play(recorded("phase4-c.txt"));
        entitlementHeldInEveryWindow(run);
        // A tick that C spends wholly busy, after a tick in which it was busy too: it is no longer
        // held below PowerVM's figure (the donation came back at the tick between).
        for (int t = 2; t < run.used().size() / PERIODS_PER_TICK; t++) {
            if (busy(run, t - 1) && busy(run, t)) {
                for (int p = t * PERIODS_PER_TICK; p < (t + 1) * PERIODS_PER_TICK; p++) {
                    assertThat(run.used().get(p)[2]).as("C in period %d", p)
                            .isGreaterThanOrEqualTo(run.powervm().get(p)[2] - 0.05);
                }
            }
        }
        // issue 18's targets (bench/dispatch.sh measures the real kernel's)
        assertThat(onTarget(run, 10, 5)).as("100 ms windows on target").isGreaterThanOrEqualTo(0.80);
        assertThat(onTarget(run, 25, 5)).as("250 ms windows on target").isGreaterThanOrEqualTo(0.95);
    }

    /** Whether C had work beyond its entitlement in every period of tick {@code t}. */
    private static boolean busy(Run run, int t) {
        for (int p = t * PERIODS_PER_TICK; p < (t + 1) * PERIODS_PER_TICK; p++) {
            if (run.powervm().get(p)[2] <= ENTITLEMENT + 1e-9) {
                return false;
            }
        }
        return true;
    }
}
