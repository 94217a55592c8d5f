package io.parvirt.hmc;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed logins slow the next attempts down (issue 12): after {@value #FREE_FAILURES} failures in a
 * row for one user name, or {@value #FREE_FAILURES_PER_ADDRESS} from one client address (an address
 * may be a jump host or a NAT that many administrators share), further attempts for it are refused
 * without checking the password for a back-off that doubles with each failure (1 s, 2 s, 4 s, ... up
 * to {@link #MAX_BACKOFF}). A success clears the user's and the address's count. Counts live in
 * memory: a restarted daemon starts afresh, which an attacker cannot trigger.
 */
final class LoginThrottle {
    static final int FREE_FAILURES = 5;
    static final int FREE_FAILURES_PER_ADDRESS = 20;
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    /** Bounds memory under a spray of names or addresses: the oldest entries make room. */
    static final int MAX_ENTRIES = 10_000;

    private record Failures(int count, Instant blockedUntil) {
    }

    private final Clock clock;
    private final Map<String, Failures> byKey = new ConcurrentHashMap<>();

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long the user or the address must still wait; zero when an attempt may be checked now. */
    Duration wait(String user, String address) {
        Instant now = clock.instant();
        Duration w = Duration.ZERO;
        for (String key : new String[] {"u:" + user, "a:" + address}) {
            Failures f = byKey.get(key);
            if (f != null && f.blockedUntil().isAfter(now)) {
                Duration left = Duration.between(now, f.blockedUntil());
                w = left.compareTo(w) > 0 ? left : w;
            }
        }
        return w;
    }

    /** Counts a failure; returns the failure count of the user (for the event log). */
    int failed(String user, String address) {
        if (byKey.size() > MAX_ENTRIES) {
            byKey.clear(); // crude but bounded; losing counts only weakens the brake briefly
        }
        count("a:" + address, FREE_FAILURES_PER_ADDRESS);
        return count("u:" + user, FREE_FAILURES);
    }

    void succeeded(String user, String address) {
        byKey.remove("u:" + user);
        byKey.remove("a:" + address);
    }

    private int count(String key, int free) {
        Failures f = byKey.merge(key, new Failures(1, Instant.MIN), (old, one) -> {
            int n = old.count() + 1;
            return new Failures(n, n < free ? Instant.MIN : clock.instant().plus(backoff(n, free)));
        });
        return f.count();
    }

    /** The wait after {@code failures} failures in a row of a user name. */
    static Duration backoff(int failures) {
        return backoff(failures, FREE_FAILURES);
    }

    private static Duration backoff(int failures, int free) {
        int doublings = Math.min(Math.max(failures - free, 0), 20);
        Duration d = Duration.ofSeconds(1L << doublings);
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }
}
