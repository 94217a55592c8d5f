package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ThrottleWatchTest {
    private static final long MS = 1_000_000;

    @Test
    void threeThrottledPeriodsWithinFortyFiveMillisecondsAreABurst() {
        ThrottleWatch w = new ThrottleWatch();
        w.see(10, -1, 0);
        w.see(11, -1, 20 * MS);
        assertThat(w.burst(20 * MS)).isFalse();
        w.see(13, -1, 40 * MS); // 3 periods since 40 ms ago
        assertThat(w.burst(40 * MS)).isTrue();
    }

    @Test
    void anIdleGuestsWakeUpOverrunsTwoPeriodsAndIsNoBurst() {
        ThrottleWatch w = new ThrottleWatch();
        w.see(10, -1, 0);
        w.see(12, -1, 20 * MS);
        w.see(12, -1, 40 * MS);
        w.see(13, -1, 60 * MS); // 3 periods, but over 60 ms and never more than 2 in 45
        assertThat(w.burst(60 * MS)).isFalse();
    }

    @Test
    void periodsCountedOverLongerThanTheBurstWindowAreNoBurst() {
        ThrottleWatch w = new ThrottleWatch();
        w.see(10, -1, 0);
        w.see(14, -1, 100 * MS); // the interval's own reading: 4 periods, spread over 100 ms
        assertThat(w.burst(100 * MS)).isFalse();
    }

    @Test
    void quietIsNoThrottledPeriodForFortyMilliseconds() {
        ThrottleWatch w = new ThrottleWatch();
        w.see(10, -1, 0);
        w.see(12, -1, 20 * MS);
        w.see(12, -1, 40 * MS);
        assertThat(w.quiet(40 * MS)).isFalse();
        w.see(12, -1, 60 * MS);
        assertThat(w.quiet(60 * MS)).isTrue();
        w.see(13, -1, 80 * MS);
        assertThat(w.quiet(80 * MS)).isFalse();
    }

    @Test
    void anUnknownCountIsNoReading() {
        ThrottleWatch w = new ThrottleWatch();
        w.see(-1, -1, 0);
        w.see(-1, -1, 60 * MS);
        assertThat(w.quiet(60 * MS)).isFalse();
        assertThat(w.burst(60 * MS)).isFalse();
    }

    /**
     * Issue 18, bench/dispatch.sh phase 4: C (2 vCPUs at 2 ms a period) woke; at the first watch step
     * after its first full period its CPUs had been throttled 18 ms, in two periods: a burst, a
     * step or two before the third throttled period would say so.
     */
    @Test
    void mostOfAStepSpentThrottledInAThrottledPeriodIsABurst() {
        ThrottleWatch w = new ThrottleWatch();
        w.see(10, 500 * MS, 0);
        w.see(12, 518 * MS, 20 * MS);
        assertThat(w.burst(20 * MS)).isTrue();
    }

    @Test
    void anIdleGuestsWakeUpIsThrottledForLessThanAPeriodAndIsNoBurst() {
        ThrottleWatch w = new ThrottleWatch();
        w.see(10, 500 * MS, 0);
        w.see(12, 508 * MS, 20 * MS); // 4 ms of work at a quota of 2 ms a period: 8 ms throttled
        assertThat(w.burst(20 * MS)).isFalse();
        // Throttled time with no throttled period counted in the step, or over longer than a step,
        // is no burst either.
        ThrottleWatch late = new ThrottleWatch();
        late.see(10, 500 * MS, 0);
        late.see(10, 515 * MS, 20 * MS);
        assertThat(late.burst(20 * MS)).isFalse();
        ThrottleWatch slow = new ThrottleWatch();
        slow.see(10, 500 * MS, 0);
        slow.see(12, 520 * MS, 40 * MS);
        assertThat(slow.burst(40 * MS)).isFalse();
    }
}
