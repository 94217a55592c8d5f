package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class VcpuMeterTest {
    private long now = 1_000_000_000L;
    private long runNs;
    private long waitNs;
    private final VcpuMeter meter = new VcpuMeter((pid, tids, process) -> new ThreadClock.Reading(runNs, waitNs, tids.size()),
            () -> now);

    private boolean after(long intervalNs, long ran, long waited) {
        now += intervalNs;
        runNs += ran;
        waitNs += waited;
        return meter.measure(42, List.of(43L, 44L));
    }

    @Test
    void theFirstReadingMeasuresNoInterval() {
        assertThat(meter.measure(42, List.of(43L))).isFalse();
        assertThat(meter.measured()).isFalse();
        assertThat(meter.intervalNs()).isZero();
    }

    @Test
    void sharesOfACoreAreTimeRunAndWaitedOverTheInterval() {
        after(0, 5_000_000_000L, 0);
        assertThat(after(100_000_000, 50_000_000, 20_000_000)).isTrue();
        assertThat(meter.intervalNs()).isEqualTo(100_000_000);
        assertThat(meter.ranNs()).isEqualTo(50_000_000);
        assertThat(meter.used()).isCloseTo(0.5, within(1e-12));
        assertThat(meter.waited()).isCloseTo(0.2, within(1e-12));
        assertThat(meter.seconds()).isCloseTo(0.1, within(1e-12));
        // Two vCPUs both busy: two cores.
        after(100_000_000, 200_000_000, 0);
        assertThat(meter.used()).isCloseTo(2.0, within(1e-12));
        assertThat(meter.waited()).isZero();
    }

    @Test
    void aClockThatDidNotMoveMeasuresNothingAndKeepsTheLastShares() {
        after(0, 0, 0);
        after(100_000_000, 30_000_000, 0);
        assertThat(after(0, 10_000_000, 0)).isFalse();
        assertThat(meter.intervalNs()).isZero();
        assertThat(meter.used()).isCloseTo(0.3, within(1e-12));
    }

    @Test
    void aThreadThatEndedTakesItsTimeWithItButUseIsNeverNegative() {
        after(0, 900_000_000, 0);
        after(100_000_000, -800_000_000, 0);
        assertThat(meter.ranNs()).isZero();
        assertThat(meter.used()).isZero();
        // The next interval counts from the smaller sum.
        after(100_000_000, 40_000_000, 0);
        assertThat(meter.ranNs()).isEqualTo(40_000_000);
    }

    @Test
    void theProcessesOtherThreadsAreItsTimeBeyondTheVcpusReadAboutOnceASecond() {
        long[] processNs = {0};
        int[] asked = {0};
        VcpuMeter m = new VcpuMeter((pid, tids, process) -> {
            asked[0] += process ? 1 : 0;
            return new ThreadClock.Reading(runNs, waitNs, tids.size(), process ? processNs[0] : -1);
        }, () -> now);
        m.measure(42, List.of(43L));
        for (int i = 0; i < 10; i++) {
            now += 100_000_000;
            runNs += 50_000_000;
            processNs[0] += 70_000_000; // 50 ms of vCPUs and 20 of the rest in every 100
            m.measure(42, List.of(43L));
        }
        assertThat(asked[0]).as("at the first reading and a second later").isEqualTo(2);
        assertThat(m.otherThreads()).isCloseTo(0.2, within(1e-12));
        // Ticks coarser than the vCPUs' ns: the process's count may lag; never a negative share.
        for (int i = 0; i < 10; i++) {
            now += 100_000_000;
            runNs += 55_000_000;
            processNs[0] += 50_000_000;
            m.measure(42, List.of(43L));
        }
        assertThat(asked[0]).isEqualTo(3);
        assertThat(m.otherThreads()).isZero();
    }
}
