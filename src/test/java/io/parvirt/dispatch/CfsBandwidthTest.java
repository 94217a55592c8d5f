package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The bandwidth the enforcers write, and the window error it leaves, checked against a model of
 * CFS bandwidth control (a synthetic trace: the host cannot be measured quietly while others run
 * guests on it). The model is the kernel's rules as they bear on a busy group: a global runtime of
 * one quota refilled at each period (no burst, nothing carried over, as PowerVM's windows), CPUs
 * taking it in 5 ms slices ({@code sched_cfs_bandwidth_slice_us}), a running thread charged, and so
 * throttled, only at its CPU's 250 Hz tick, and a CPU that overran paying its debt from the next
 * period's runtime. Each thread has its own CPU (no competition from other groups).
 */
@Tag("unit")
class CfsBandwidthTest {
    @Test
    void thePeriodIsTheDispatchWindowUnlessTheKernelsOneMillisecondFloorNeedsMore() {
        assertThat(CfsBandwidth.of(0.8, 10_000)).isEqualTo(new CfsBandwidth(8000, 10_000));
        assertThat(CfsBandwidth.of(0.1, 10_000)).isEqualTo(new CfsBandwidth(1000, 10_000));
        assertThat(CfsBandwidth.of(0.05, 10_000)).isEqualTo(new CfsBandwidth(1000, 20_000));
        assertThat(CfsBandwidth.of(0.07, 10_000)).isEqualTo(new CfsBandwidth(1400, 20_000));
        assertThat(CfsBandwidth.of(0.01, 10_000)).isEqualTo(new CfsBandwidth(1000, 100_000));
        assertThat(CfsBandwidth.of(0.001, 10_000).periodUs()).isEqualTo(CfsBandwidth.MAX_PERIOD_US);
        assertThat(CfsBandwidth.of(1.5, 50_000)).isEqualTo(new CfsBandwidth(75_000, 50_000));
        assertThat(CfsBandwidth.of(0, 10_000).unlimited()).isTrue();
    }

    @Test
    void aFiftyMillisecondPeriodCannotHoldTheAcceptanceScenariosBInHundredMillisecondWindows() {
        // B of bench/dispatch.sh phase 3: 0.8 core on 2 vCPUs.
        Model at50 = Model.run(0.8, 2, 50_000);
        Model at10 = Model.run(0.8, 2, 10_000);
        System.out.printf("B 0.8 on 2 CPUs: P=50 ms: %.0f %% of 100 ms, %.0f %% of 250 ms windows within 0.05; "
                + "P=10 ms: %.0f %%, %.0f %%%n", 100 * at50.onTarget(100_000), 100 * at50.onTarget(250_000),
                100 * at10.onTarget(100_000), 100 * at10.onTarget(250_000));
        assertThat(at50.mean()).isCloseTo(0.8, org.assertj.core.data.Offset.offset(0.005));
        assertThat(at10.mean()).isCloseTo(0.8, org.assertj.core.data.Offset.offset(0.005));
        assertThat(at50.onTarget(100_000)).isLessThan(0.8);
        assertThat(at10.onTarget(100_000)).isGreaterThanOrEqualTo(0.8);
        assertThat(at10.onTarget(250_000)).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void tenMillisecondsHoldEveryPartitionOfTheScenarioInNearlyEveryWindow() {
        for (double[] g : new double[][] {{0.2, 1}, {0.5, 2}, {0.3, 2}, {0.4, 2}, {0.05, 1}}) {
            CfsBandwidth bw = CfsBandwidth.of(g[0], 10_000);
            Model m = Model.run(g[0], (int) g[1], bw.periodUs());
            System.out.printf("%.2f core on %d CPUs, P=%d ms: %.0f %% of 100 ms, %.0f %% of 250 ms windows%n", g[0],
                    (int) g[1], bw.periodUs() / 1000, 100 * m.onTarget(100_000), 100 * m.onTarget(250_000));
            assertThat(m.onTarget(250_000)).as("%s", g[0]).isGreaterThanOrEqualTo(0.95);
            assertThat(m.onTarget(100_000)).as("%s", g[0]).isGreaterThanOrEqualTo(0.8);
        }
    }

    @Test
    void everyQuotaWriteGivesUpToOnePeriodsQuotaMoreSoShortPeriodsShrinkWhatRewritesCost() {
        // 103 ms: the dispatcher's interval does not keep step with the kernel's period timer.
        double at50 = Model.run(0.8, 2, 50_000, 103_000).mean() - 0.8;
        double at10 = Model.run(0.8, 2, 10_000, 103_000).mean() - 0.8;
        System.out.printf("B 0.8 on 2 CPUs, quota written every ~100 ms: +%.3f core at P=50 ms, +%.3f at P=10 ms%n",
                at50, at10);
        assertThat(at50).isGreaterThan(0.15);
        assertThat(at10).isBetween(0.0, 0.08);
    }

    @Test
    void theSpreadFormulaBoundsWhatTheModelShows() {
        for (long period : new long[] {10_000, 20_000, 50_000}) {
            for (double[] g : new double[][] {{0.2, 1}, {0.5, 2}, {0.8, 2}}) {
                Model m = Model.run(g[0], (int) g[1], period);
                for (long w : new long[] {100_000, 250_000}) {
                    double bound = CfsBandwidth.windowSpread(g[0], g[1], period, w, Model.TICK_US);
                    assertThat(m.maxError(w)).as("q %s P %d W %d", g[0], period, w).isLessThanOrEqualTo(bound + 1e-9);
                }
            }
        }
    }

    /** The model: per 10 µs step, which CPUs run the group's threads; consumption sampled per window. */
    static final class Model {
        static final long TICK_US = 4000;
        static final long SLICE_US = 5000;
        static final long STEP_US = 10;
        static final long LENGTH_US = 10_000_000;
        private final long[] cumulative; // µs of CPU used up to each step

        private Model(long[] cumulative) {
            this.cumulative = cumulative;
        }

        static Model run(double cores, int cpus, long periodUs) {
            return run(cores, cpus, periodUs, 0);
        }

        /** {@code writeEveryUs}: the quota is written again that often (0: never), as tg_set_cfs_bandwidth does it. */
        static Model run(double cores, int cpus, long periodUs, long writeEveryUs) {
            CfsBandwidth bw = CfsBandwidth.of(cores, periodUs);
            long quota = bw.quotaUs();
            long period = bw.periodUs();
            int steps = (int) (LENGTH_US / STEP_US);
            long[] cum = new long[steps + 1];
            long global = quota;
            long[] local = new long[cpus];
            long[] unpaid = new long[cpus]; // run since the CPU's last tick, not yet charged
            boolean[] throttled = new boolean[cpus];
            long[] tickPhase = new long[cpus];
            for (int c = 0; c < cpus; c++) {
                tickPhase[c] = (c * 1370 + 530) % TICK_US; // CPUs tick out of step with each other and the period
            }
            long periodPhase = 2210;
            for (int s = 0; s < steps; s++) {
                long t = s * STEP_US;
                if ((t + periodPhase) % period == 0) {
                    global = quota;
                    for (int c = 0; c < cpus; c++) {
                        if (throttled[c]) {
                            // distribute_cfs_runtime: just enough to bring the CPU's runtime positive
                            long give = Math.min(global, -local[c] + 1);
                            global -= give;
                            local[c] += give;
                            throttled[c] = local[c] <= 0;
                        }
                    }
                }
                if (writeEveryUs > 0 && t > 0 && t % writeEveryUs == 0) {
                    global = quota; // the write refills the runtime and forgives every CPU's debt
                    for (int c = 0; c < cpus; c++) {
                        local[c] = 0;
                        throttled[c] = false;
                    }
                }
                long used = 0;
                for (int c = 0; c < cpus; c++) {
                    if (!throttled[c]) {
                        unpaid[c] += STEP_US;
                        used += STEP_US;
                    }
                    if ((t + tickPhase[c]) % TICK_US == 0 && unpaid[c] > 0) {
                        local[c] -= unpaid[c];
                        unpaid[c] = 0;
                        if (local[c] <= 0) {
                            long want = SLICE_US - local[c];
                            long give = Math.min(global, want);
                            global -= give;
                            local[c] += give;
                            throttled[c] = local[c] <= 0;
                        }
                    }
                }
                cum[s + 1] = cum[s] + used;
            }
            return new Model(cum);
        }

        double mean() {
            return cumulative[cumulative.length - 1] / (double) LENGTH_US;
        }

        /**
         * Windows as a sampler takes them: one starting every ms, each {@code windowUs} plus 0 to
         * 10 ms of lateness (a window of exactly a multiple of the period would hide the period's
         * burst; a sleeping sampler never is exact).
         */
        private double[] windows(long windowUs) {
            int from = (int) (1_000_000 / STEP_US); // after the first second
            int n = (int) ((cumulative.length - 1 - from - (windowUs + 11_000) / STEP_US) / 100);
            double[] used = new double[n];
            for (int i = 0; i < n; i++) {
                long length = windowUs + (i * 37L % 11) * 1000;
                int a = from + i * 100;
                int w = (int) (length / STEP_US);
                used[i] = (cumulative[a + w] - cumulative[a]) / (double) length;
            }
            return used;
        }

        double onTarget(long windowUs) {
            double[] w = windows(windowUs);
            double m = mean();
            int k = 0;
            for (double x : w) {
                k += Math.abs(x - m) <= 0.05 ? 1 : 0;
            }
            return k / (double) w.length;
        }

        double maxError(long windowUs) {
            double m = mean();
            double worst = 0;
            for (double x : windows(windowUs)) {
                worst = Math.max(worst, Math.abs(x - m));
            }
            return worst;
        }
    }
}
