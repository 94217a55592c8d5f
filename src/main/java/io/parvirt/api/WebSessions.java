package io.parvirt.api;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The browser's logins: a session is a random id (the HttpOnly cookie) bound to an HMC user and
 * role, with its own CSRF token. A page reads the token from {@code GET /api/v1/session} and sends
 * it in {@link #CSRF_HEADER} with every change: another site can make the browser send the cookie,
 * but cannot read the token (same-origin policy), so it cannot forge a change. A session unused for
 * the idle timeout is gone; only the id's holder can renew it by using it.
 */
final class WebSessions {
    static final String COOKIE = "parvirt_session";
    static final String CSRF_HEADER = "X-Parvirt-CSRF";
    static final Duration DEFAULT_IDLE = Duration.ofMinutes(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One login. {@code lastUsed} moves on each request; the rest never changes. */
    static final class Session {
        final String id;
        final String user;
        final String role;
        final String csrf;
        volatile Instant lastUsed;

        private Session(String id, String user, String role, String csrf, Instant now) {
            this.id = id;
            this.user = user;
            this.role = role;
            this.csrf = csrf;
            this.lastUsed = now;
        }

        /** Constant time: the comparison must not tell an attacker how much of a guess was right. */
        boolean csrfMatches(String given) {
            return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.US_ASCII),
                    csrf.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Duration idle;
    private final Clock clock;

    WebSessions(Duration idle, Clock clock) {
        this.idle = idle;
        this.clock = clock;
    }

    Duration idle() {
        return idle;
    }

    Session open(String user, String role) {
        expire();
        Session s = new Session(random(), user, role, random(), clock.instant());
        sessions.put(s.id, s);
        return s;
    }

    /** The live session with this id, renewed; empty for an unknown or idle-expired one. */
    Optional<Session> use(String id) {
        return use(id, true);
    }

    /**
     * As {@link #use(String)}; {@code renew} false for what a page asks by itself on a timer (a
     * sparkline's figures, a chart's refresh): only a person's own request keeps the login alive,
     * else a page left open on a live table would never reach the idle timeout.
     */
    Optional<Session> use(String id, boolean renew) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (now.isAfter(s.lastUsed.plus(idle))) {
            sessions.remove(id);
            return Optional.empty();
        }
        if (renew) {
            s.lastUsed = now;
        }
        return Optional.of(s);
    }

    /** Whether {@code s} is still a live login (not logged out, not idle too long); renews nothing. */
    boolean alive(Session s) {
        return sessions.get(s.id) == s && !clock.instant().isAfter(s.lastUsed.plus(idle));
    }

    void close(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** Forgets idle sessions at each login, so a stream of logins never abandoned cannot grow the map. */
    private void expire() {
        Instant cutoff = clock.instant().minus(idle);
        sessions.values().removeIf(s -> s.lastUsed.isBefore(cutoff));
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
