package io.parvirt.vios.nbd;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The NBD server as a process of its own: the VIOS partition's "operating system" runs it, apart
 * from the host daemon.
 *
 * <pre>
 * java -cp parvirt.jar:lib/* io.parvirt.vios.nbd.NbdServerMain --socket-dir DIR
 *      --export NAME=FILE[:ro] [--export ...] [--max-connections N] [--poll-us N] [--log-dir DIR]
 * </pre>
 *
 * Prints {@code serving NAME SIZE SOCKET} on standard output for each export once all of them
 * listen (a parent can wait for those lines), then serves until SIGTERM or SIGINT, when it closes
 * every connection, syncs the files and removes the sockets. Exit status 2 for a bad command line,
 * 1 when an export cannot be served.
 */
public final class NbdServerMain {
    private NbdServerMain() {
    }

    /** The parsed command line. */
    record Options(Path socketDir, List<Export> exports, NbdSettings settings, Path logDir) {
    }

    public static void main(String[] args) throws InterruptedException {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("nbd: " + e.getMessage());
            System.err.println("usage: NbdServerMain --socket-dir DIR --export NAME=FILE[:ro] [--export ...] "
                    + "[--max-connections N] [--poll-us N] [--log-dir DIR]");
            System.exit(2);
            return;
        }
        if (System.getProperty("parvirt.log.dir") == null) {
            System.setProperty("parvirt.log.dir", o.logDir().toString()); // before the first logger
        }
        int status = run(o, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
        // stopped by a signal: the JVM is already exiting, with the signal's status
    }

    static int run(Options o, PrintStream out, PrintStream err) throws InterruptedException {
        NbdServer server = new NbdServer(o.socketDir(), o.settings());
        try {
            for (Export e : o.exports()) {
                Endpoint ep = server.serve(e);
                out.println("serving " + e.name() + " " + ep.size() + " " + ep.socket());
            }
        } catch (NbdException e) {
            err.println("nbd: " + e.getMessage());
            server.close();
            return 1;
        }
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "nbd-shutdown"));
        stopped.await();
        return 0;
    }

    static Options parse(String[] args) {
        Path socketDir = null;
        Path logDir = null;
        int max = NbdSettings.DEFAULTS.maxConnectionsPerExport();
        int poll = NbdSettings.DEFAULTS.pollMicros();
        List<Export> exports = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--socket-dir" -> socketDir = Path.of(v);
                case "--log-dir" -> logDir = Path.of(v);
                case "--export" -> exports.add(export(v));
                case "--max-connections" -> max = number(a, v);
                case "--poll-us" -> poll = number(a, v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (socketDir == null) {
            throw new IllegalArgumentException("--socket-dir is required");
        }
        if (exports.isEmpty()) {
            throw new IllegalArgumentException("at least one --export is required");
        }
        if (exports.stream().map(Export::name).distinct().count() != exports.size()) {
            throw new IllegalArgumentException("an export name is given twice");
        }
        return new Options(socketDir, List.copyOf(exports), new NbdSettings(max, poll),
                logDir == null ? socketDir : logDir);
    }

    private static int number(String option, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number: " + v);
        }
    }

    /** {@code NAME=FILE}, {@code NAME=FILE:ro} or {@code NAME=FILE:rw}. */
    static Export export(String v) {
        int eq = v.indexOf('=');
        if (eq <= 0 || eq == v.length() - 1) {
            throw new IllegalArgumentException("--export takes NAME=FILE[:ro]: " + v);
        }
        String name = v.substring(0, eq);
        String file = v.substring(eq + 1);
        boolean ro = false;
        if (file.endsWith(":ro")) {
            ro = true;
            file = file.substring(0, file.length() - 3);
        } else if (file.endsWith(":rw")) {
            file = file.substring(0, file.length() - 3);
        }
        if (file.isEmpty()) {
            throw new IllegalArgumentException("--export takes NAME=FILE[:ro]: " + v);
        }
        return new Export(name, Path.of(file), ro);
    }
}
