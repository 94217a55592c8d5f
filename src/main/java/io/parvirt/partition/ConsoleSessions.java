package io.parvirt.partition;

import io.parvirt.console.ConsoleException;
import io.parvirt.console.SessionEvent;
import io.parvirt.console.VirtualConsole;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.system.ManagedSystem;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code mkvterm} and {@code rmvterm} with their audit trail: who held a console's keyboard when.
 * Each socket handed out is the console's claim for the user it is handed to (a path of that
 * claim's own, taking one client: two users opening at once are never named for each other's
 * connection), so the console's session events (taken, viewed, released, taken over, forced off,
 * closed with the partition) name people; each becomes a console event ({@code lssvcevents -t
 * console}, {@code GET /api/v1/events}, the web console's Events page) in the category {@value
 * #CATEGORY}, beside the command's own line.
 */
final class ConsoleSessions {
    static final String CATEGORY = "audit";
    private final ManagedSystem sys;

    ConsoleSessions(ManagedSystem sys) {
        this.sys = sys;
    }

    /** The keyboard socket for {@code who} (coming from {@code origin}); refused while a session holds it. */
    Path open(Partition p, VirtualConsole console, String who, String origin) {
        if (console.sessionOpen()) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "A virtual terminal session is already open "
                    + "for partition " + p.name() + ". Use rmvterm to close it, then retry.");
        }
        watch(p, console);
        return claim(p, console, true, who, origin);
    }

    /** The viewers' socket for {@code who}: a read-only view, which may open at any time. */
    Path view(Partition p, VirtualConsole console, String who, String origin) {
        watch(p, console);
        return claim(p, console, false, who, origin);
    }

    /** The keyboard for {@code who}: the holder is told and ends; true in {@link PartitionOperations.TakenVterm}. */
    PartitionOperations.TakenVterm take(Partition p, VirtualConsole console, String who, String origin) {
        watch(p, console);
        boolean took = console.takeOver("\r\n[parvirt: " + who + " took over the keyboard of the console of "
                + p.name() + (origin.isEmpty() ? "" : " from " + origin) + "; this session ends]\r\n", who);
        return new PartitionOperations.TakenVterm(claim(p, console, true, who, origin), took);
    }

    /** rmvterm by {@code by}: every session of the console ends. */
    void close(VirtualConsole console, String by) {
        console.closeSession(by);
    }

    Optional<String> holder(VirtualConsole console) {
        return console.holder();
    }

    private static Path claim(Partition p, VirtualConsole console, boolean keyboard, String who, String origin) {
        try {
            return console.claim(keyboard, who, origin);
        } catch (ConsoleException e) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The virtual terminal of partition " + p.name()
                    + " cannot be opened: its session socket " + e.path().resolveSibling(p.id() + ".*.sock")
                    + " cannot be made (" + e.getCause().getMessage() + "). Check that directory, or use a shorter "
                    + "PARVIRT_HOME, then retry.");
        }
    }

    private void watch(Partition p, VirtualConsole console) {
        console.onSession(e -> sys.logEvent(e.kind() == SessionEvent.Kind.TAKEN_OVER
                || e.kind() == SessionEvent.Kind.FORCED_OFF ? e.by() : e.who(), CATEGORY, text(p.name(), e)));
    }

    /** The event in words: who, which console, what happened to the keyboard or the view, and from where. */
    static String text(String partition, SessionEvent e) {
        String session = e.keyboard() ? "keyboard" : "read-only view";
        String from = e.origin().isEmpty() ? "" : " from " + e.origin();
        String what = switch (e.kind()) {
            case OPENED -> e.keyboard() ? "keyboard taken by " + e.who() + from
                    : "read-only view opened by " + e.who() + from;
            case RELEASED -> e.keyboard() ? "keyboard released by " + e.who() : "read-only view of " + e.who()
                    + " closed";
            case TAKEN_OVER -> "keyboard taken over from " + e.who() + " by " + e.by();
            case FORCED_OFF -> session + " of " + e.who() + " forced off by rmvterm" + (e.by().isEmpty() ? ""
                    : " by " + e.by());
            case CONSOLE_CLOSED -> session + " of " + e.who() + " closed: the partition stopped";
        };
        return "Console of partition " + partition + ": " + what;
    }
}
