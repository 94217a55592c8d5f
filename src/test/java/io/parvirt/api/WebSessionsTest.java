package io.parvirt.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Issue 16: the browser's sessions end when idle or logged out, and each has its own CSRF token. */
@Tag("unit")
class WebSessionsTest {
    /** A clock the test moves by hand. */
    static final class HandClock extends Clock {
        Instant now = Instant.parse("2026-12-02T12:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final HandClock clock = new HandClock();
    final WebSessions sessions = new WebSessions(Duration.ofMinutes(30), clock);

    @Test
    void aSessionUsedWithinTheIdleTimeoutLivesOnAndOneLeftIdleEnds() {
        var s = sessions.open("alice", "hmcoperator");
        clock.now = clock.now.plus(Duration.ofMinutes(29));
        assertThat(sessions.use(s.id)).isPresent();
        // each use renews it
        clock.now = clock.now.plus(Duration.ofMinutes(29));
        assertThat(sessions.use(s.id)).isPresent();
        clock.now = clock.now.plus(Duration.ofMinutes(31));
        assertThat(sessions.use(s.id)).isEmpty();
        assertThat(sessions.use(s.id)).as("gone for good").isEmpty();
    }

    @Test
    void aPagesOwnTimedRequestsDoNotKeepAnUntouchedLoginAlive() {
        var s = sessions.open("alice", "hmcoperator");
        // a live table asks for its sparklines' figures every few seconds: none of that renews the login
        for (int i = 0; i < 29; i++) {
            clock.now = clock.now.plus(Duration.ofMinutes(1));
            assertThat(sessions.use(s.id, false)).isPresent();
        }
        assertThat(sessions.alive(s)).isTrue();
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        assertThat(sessions.alive(s)).as("30 min without a person's request").isFalse();
        assertThat(sessions.use(s.id, false)).isEmpty();
        assertThat(sessions.use(s.id)).isEmpty();
    }

    @Test
    void logoutEndsTheSessionAndUnknownIdsAreNobody() {
        var s = sessions.open("alice", "hmcviewer");
        assertThat(sessions.alive(s)).isTrue();
        sessions.close(s.id);
        assertThat(sessions.alive(s)).isFalse();
        assertThat(sessions.use(s.id)).isEmpty();
        assertThat(sessions.use("made-up")).isEmpty();
        assertThat(sessions.use(null)).isEmpty();
    }

    @Test
    void eachSessionHasItsOwnUnguessableIdAndCsrfToken() {
        var a = sessions.open("alice", "hmcviewer");
        var b = sessions.open("alice", "hmcviewer");
        assertThat(a.id).isNotEqualTo(b.id).hasSizeGreaterThanOrEqualTo(43);
        assertThat(a.csrf).isNotEqualTo(b.csrf).isNotEqualTo(a.id);
        assertThat(a.csrfMatches(a.csrf)).isTrue();
        assertThat(a.csrfMatches(b.csrf)).isFalse();
        assertThat(a.csrfMatches(null)).isFalse();
        assertThat(a.csrfMatches("")).isFalse();
    }
}
