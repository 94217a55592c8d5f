package io.parvirt.console;

import java.util.Objects;

/**
 * A vterm session starting or ending, for the audit trail of who held a console's keyboard when.
 * The console does not know people: {@code who} and {@code origin} are what the one who handed out
 * the socket said when claiming it ({@link VirtualConsole#claim}); a client that attached without a
 * claim (someone with access to the 0600 socket itself) is {@link #UNNAMED}. {@code by} names who
 * ended it, for a take-over or rmvterm; empty otherwise.
 */
public record SessionEvent(Kind kind, boolean keyboard, String who, String origin, String by) {
    public static final String UNNAMED = "an unnamed client";

    public enum Kind {
        /** the keyboard session or a read-only view started */
        OPENED,
        /** its client left (detached, closed the page, lost the connection) */
        RELEASED,
        /** another user took the keyboard */
        TAKEN_OVER,
        /** rmvterm closed it */
        FORCED_OFF,
        /** the console closed: the partition stopped */
        CONSOLE_CLOSED
    }

    public SessionEvent {
        Objects.requireNonNull(kind, "kind");
        who = who == null ? UNNAMED : who;
        origin = origin == null ? "" : origin;
        by = by == null ? "" : by;
    }
}
