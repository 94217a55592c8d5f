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
        w.see(10, 0);
        w.see(11, 20 * MS);
        assertThat(w.burst(20 * MS)).isFalse();
        w.see(13, 40 * MS); // 3 periods since 40 ms ago
        assertThat(w.burst(40 * MS)).isTrue();
    }

    @Test
    void anIdleGuestsWakeUpOverrunsTwoPeriodsAndIsNoBurst() {
        ThrottleWatch w = new ThrottleWatch();
        w.see(10, 0);
        w.see(12, 20 * MS);
        w.see(12, 40 * MS);
        w.see(13, 60 * MS); // 3 periods, but over 60 ms and never more than 2 in 45
        assertThat(w.burst(60 * MS)).isFalse();
    }

    @Test
    void periodsCountedOverLongerThanTheBurstWindowAreNoBurst() {
        ThrottleWatch w = new ThrottleWatch();
        w.see(10, 0);
        w.see(14, 100 * MS); // the interval's own reading: 4 periods, spread over 100 ms
        assertThat(w.burst(100 * MS)).isFalse();
    }

    @Test
    void quietIsNoThrottledPeriodForFortyMilliseconds() {
        ThrottleWatch w = new ThrottleWatch();
        w.see(10, 0);
        w.see(12, 20 * MS);
        w.see(12, 40 * MS);
        assertThat(w.quiet(40 * MS)).isFalse();
        w.see(12, 60 * MS);
        assertThat(w.quiet(60 * MS)).isTrue();
        w.see(13, 80 * MS);
        assertThat(w.quiet(80 * MS)).isFalse();
    }

    @Test
    void anUnknownCountIsNoReading() {
        ThrottleWatch w = new ThrottleWatch();
        w.see(-1, 0);
        w.see(-1, 60 * MS);
        assertThat(w.quiet(60 * MS)).isFalse();
        assertThat(w.burst(60 * MS)).isFalse();
    }
}
