package io.parvirt.vios.nbd;

import java.io.PrintStream;

/**
 * What the server process reports as it goes: each line on standard output (events) or standard
 * error (problems, after {@code nbd: }), flushed at once so a parent or a log sees it, and on the
 * console socket when there is one. One line per event: a message that spans lines is joined.
 */
final class StatusLines {
    private final PrintStream out;
    private final PrintStream err;
    private final ConsoleSocket console;

    /** {@code console} may be null. */
    StatusLines(PrintStream out, PrintStream err, ConsoleSocket console) {
        this.out = out;
        this.err = err;
        this.console = console;
    }

    synchronized void event(String line) {
        String l = oneLine(line);
        out.println(l);
        out.flush();
        if (console != null) {
            console.send(l);
        }
    }

    synchronized void problem(String message) {
        String l = "nbd: " + oneLine(message);
        err.println(l);
        err.flush();
        if (console != null) {
            console.send(l);
        }
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\R", " ");
    }
}
