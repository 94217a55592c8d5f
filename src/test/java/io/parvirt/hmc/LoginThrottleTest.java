package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.store.SqliteStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, hole 6: password checks told which users exist (unknown names returned before any
 * hashing) and had no throttle. Unknown names now cost a hash; after five failures in a row a user
 * name (twenty from one client address) waits a doubling back-off, and every failure is a console event.
 */
@Tag("unit")
class LoginThrottleTest {
    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-02T12:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @TempDir
    Path dir;
    SqliteStore store;
    HmcUsers users;
    final TestClock clock = new TestClock();

    @BeforeEach
    void setUp() {
        store = new SqliteStore(dir.resolve("parvirt.db"));
        users = new HmcUsers(store, clock);
        users.save(users.create("alice", "hmcoperator", "right-pass"), "test");
        users.save(users.create("bob", "hmcviewer", "bob-pass"), "test");
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void anUnknownNameCostsTheSameHashAsAWrongPassword() {
        long before = users.hashesComputed();
        assertThat(users.authenticate("nobody", "x", "10.0.0.1")).isEmpty();
        assertThat(users.hashesComputed() - before).isEqualTo(1);
        assertThat(users.authenticate("alice", "wrong", "10.0.0.1")).isEmpty();
        assertThat(users.hashesComputed() - before).isEqualTo(2);
    }

    @Test
    void afterFiveFailuresEvenTheRightPasswordWaitsAndTheWaitDoubles() {
        for (int i = 0; i < 5; i++) {
            assertThat(users.authenticate("alice", "wrong" + i, "10.0.0.1")).isEmpty();
        }
        long hashes = users.hashesComputed();
        assertThat(users.authenticate("alice", "right-pass", "10.0.0.9")).as("held back, from any address").isEmpty();
        assertThat(users.hashesComputed()).as("a held-back attempt is not even checked").isEqualTo(hashes);
        clock.now = clock.now.plus(Duration.ofMillis(1100));
        assertThat(users.authenticate("alice", "right-pass", "10.0.0.9")).hasValue("hmcoperator");
        assertThat(users.authenticate("alice", "right-pass", "10.0.0.9")).as("a success clears the count")
                .hasValue("hmcoperator");
        assertThat(LoginThrottle.backoff(5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(LoginThrottle.backoff(7)).isEqualTo(Duration.ofSeconds(4));
        assertThat(LoginThrottle.backoff(40)).isEqualTo(LoginThrottle.MAX_BACKOFF);
    }

    @Test
    void oneAddressSprayingManyNamesIsHeldBackToo() {
        for (int i = 0; i < LoginThrottle.FREE_FAILURES_PER_ADDRESS; i++) {
            assertThat(users.authenticate("guess" + i, "pw", "10.6.6.6")).isEmpty();
        }
        assertThat(users.authenticate("bob", "bob-pass", "10.6.6.6")).as("the address waits").isEmpty();
        assertThat(users.authenticate("bob", "bob-pass", "10.0.0.2")).as("another address does not")
                .hasValue("hmcviewer");
    }

    @Test
    void everyFailureIsAConsoleEventNamingTheUserAndTheAddress() {
        users.authenticate("alice", "wrong", "10.0.0.1");
        assertThat(store.events(Instant.EPOCH)).anySatisfy(e -> {
            assertThat(e.category()).isEqualTo("login");
            assertThat(e.text()).isEqualTo("Failed login for user alice from 10.0.0.1 (1 in a row).");
        });
    }
}
