package io.parvirt.console;

import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Who the next clients of a session socket are. The socket is anonymous (a 0600 Unix socket the
 * daemon hands out by path), so whoever hands the path out claims the next connection in the name
 * of the user it serves, and the connection takes the oldest claim. A claim whose client never came
 * lapses after {@link #LAPSE_NANOS}, so it cannot name a later stranger.
 */
final class VtermClaims {
    static final long LAPSE_NANOS = 60_000_000_000L;

    /** A user's claim on the next connection, and where the user came from (the web console, SSH, ...). */
    record Claim(String who, String origin, long at) {
    }

    private final Deque<Claim> waiting = new ConcurrentLinkedDeque<>();

    void add(String who, String origin) {
        waiting.addLast(new Claim(who, origin, System.nanoTime()));
    }

    /** The oldest claim still valid, or null: the connection is nobody's we know. */
    Claim take() {
        long now = System.nanoTime();
        for (Claim c = waiting.pollFirst(); c != null; c = waiting.pollFirst()) {
            if (now - c.at() < LAPSE_NANOS) {
                return c;
            }
        }
        return null;
    }
}
