package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class DispatchLoopTest {
    private static final long INTERVAL = Dispatcher.DEFAULT_INTERVAL.toNanos();

    @Test
    void aCheapIntervalKeepsTheConfiguredInterval() {
        // 3 partitions: ~50 µs of CPU per interval, 0.25 % of a core at 20 ms
        assertThat(DispatchLoop.waitNs(INTERVAL, 50_000)).isEqualTo(INTERVAL);
    }

    @Test
    void aDearIntervalWaitsLongerSoThatTheLoopStaysWithinOnePercentOfACore() {
        // DispatchTickBench: 307 µs per interval with 20 partitions of 2 vCPUs
        long wait = DispatchLoop.waitNs(INTERVAL, 307_000);
        assertThat(wait).isEqualTo(30_700_000);
        assertThat(307_000.0 / wait).isLessThanOrEqualTo(DispatchLoop.CPU_BUDGET);
    }

    @Test
    void theLoopCountsItsIntervalsAndItsCpu() throws Exception {
        int[] runs = {0};
        try (DispatchLoop loop = new DispatchLoop(Duration.ofMillis(10), () -> runs[0]++)) {
            loop.start();
            io.parvirt.testing.Await.until("three intervals", Duration.ofSeconds(30), () -> loop.ticks() >= 3);
        }
        assertThat(runs[0]).isGreaterThanOrEqualTo(3);
    }
}
