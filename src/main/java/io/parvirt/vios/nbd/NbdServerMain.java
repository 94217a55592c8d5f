package io.parvirt.vios.nbd;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * The NBD server as a process of its own: the VIOS partition's "operating system" runs it, apart
 * from the host daemon, and outlives the daemon.
 *
 * <pre>
 * java -cp parvirt.jar:lib/* io.parvirt.vios.nbd.NbdServerMain --socket-dir DIR
 *      (--exports FILE | --export NAME=FILE[:ro] [--export ...])
 *      [--pid-file FILE] [--uuid UUID] [--console-socket PATH]
 *      [--max-connections N] [--poll-us N] [--log-dir DIR] [--control-socket PATH]
 * </pre>
 *
 * <ul>
 * <li>{@code --exports FILE}: the exports come from an {@link ExportsFile}, which may change while
 *     the server runs: SIGHUP re-reads it and follows it (new names served, missing ones withdrawn,
 *     changed ones served again, unchanged ones untouched with their connections; reloads one at a
 *     time, in order), then prints {@code reloaded N exports} (N: the exports the file lists). An
 *     export that cannot be served is reported ({@code nbd: cannot serve NAME: REASON} on standard
 *     error) and skipped, at start as on a reload, and tried again on the next reload: one deleted
 *     backing file must not stop a VIOS from serving its other clients. A file that cannot be read
 *     is exit status 1 at start; on a reload, {@code nbd: reload failed: ...} and nothing changes.</li>
 * <li>{@code --export NAME=FILE[:ro]}: a fixed list; an export that cannot be served is exit status
 *     1. SIGHUP stops the server, as SIGTERM does.</li>
 * <li>{@code --pid-file FILE}: the pid and a newline, written atomically once the initial exports
 *     are served (or reported) and SIGHUP is handled: the readiness signal. Removed on a clean stop.</li>
 * <li>{@code --uuid UUID}: not used by the server; it is on the command line so that the host
 *     daemon, restarted, can recognise its server in {@code /proc/PID/cmdline}.</li>
 * <li>{@code --console-socket PATH}: a Unix socket ({@code rw-------}) whose clients get a banner,
 *     then every status line from the moment they connect ({@link ConsoleSocket}). Removed on a
 *     clean stop.</li>
 * <li>{@code --control-socket PATH}: where the host daemon asks for snapshots of the served
 *     devices ({@link SnapshotControl}). Removed on a clean stop.</li>
 * </ul>
 *
 * Prints {@code serving NAME SIZE SOCKET} on standard output for each export it starts serving and
 * {@code withdrawn NAME} for each it stops, then serves until SIGTERM or SIGINT, when it closes
 * every connection, syncs the files and removes the sockets and the pid file. Exit status 2 for a
 * bad command line, 1 when the server cannot start.
 */
public final class NbdServerMain {
    static final String USAGE = "usage: NbdServerMain --socket-dir DIR (--exports FILE | --export NAME=FILE[:ro] "
            + "[--export ...]) [--pid-file FILE] [--uuid UUID] [--console-socket PATH] [--max-connections N] "
            + "[--poll-us N] [--log-dir DIR] [--control-socket PATH]";

    private NbdServerMain() {
    }

    /**
     * The parsed command line: either {@code exports} (the {@code --export} options) or
     * {@code exportsFile} is given. {@code pidFile}, {@code uuid} and {@code consoleSocket} may be null.
     */
    record Options(Path socketDir, List<Export> exports, Path exportsFile, NbdSettings settings, Path logDir,
            Path pidFile, UUID uuid, Path consoleSocket, Path controlSocket) {
    }

    public static void main(String[] args) throws InterruptedException {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("nbd: " + e.getMessage());
            System.err.println(USAGE);
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
        NbdServer server;
        List<Export> initial = o.exports();
        try {
            server = new NbdServer(o.socketDir(), o.settings());
            if (o.exportsFile() != null) {
                initial = ExportsFile.read(o.exportsFile());
            }
        } catch (IllegalArgumentException | IOException e) {
            err.println("nbd: " + e.getMessage());
            return 1;
        }
        ConsoleSocket console = null;
        if (o.consoleSocket() != null) {
            try {
                console = ConsoleSocket.open(o.consoleSocket(), () -> banner(server));
            } catch (IOException e) {
                err.println("nbd: " + e.getMessage());
                return 1;
            }
        }
        SnapshotControl control = null;
        if (o.controlSocket() != null) {
            try {
                control = SnapshotControl.open(o.controlSocket(), server);
            } catch (IOException e) {
                err.println("nbd: " + e.getMessage());
                if (console != null) {
                    console.close();
                }
                return 1;
            }
        }
        Lifetime life = new Lifetime(new ServedExports(server, new StatusLines(out, err, console)), console, control);
        // before the first socket: a SIGTERM from here on leaves nothing behind
        Runtime.getRuntime().addShutdownHook(new Thread(life::stop, "nbd-shutdown"));
        try {
            if (o.exportsFile() == null) {
                life.served.serveAll(initial);
            } else {
                life.served.follow(initial);
                ExecutorService reloads = Executors.newSingleThreadExecutor(
                        Thread.ofPlatform().daemon().name("nbd-reload").factory());
                Path file = o.exportsFile();
                // the handler only queues: one reload at a time, in the order the signals came
                ReloadSignal.onHangup(() -> reloads.execute(() -> life.served.reload(file)));
            }
            if (o.pidFile() != null) {
                life.ready(o.pidFile());
            }
        } catch (NbdException | IllegalStateException | IOException e) {
            err.println("nbd: " + e.getMessage());
            life.stop();
            return 1;
        }
        out.flush();
        life.stopped.await();
        return 0;
    }

    private static String banner(NbdServer server) {
        List<Endpoint> endpoints = server.endpoints();
        return "parvirt VIOS storage server (pid " + ProcessHandle.current().pid() + "): exports: "
                + (endpoints.isEmpty() ? "(none)"
                        : endpoints.stream().map(e -> e.export().name()).collect(Collectors.joining(", ")));
    }

    /** What the shutdown hook undoes; the pid file is written under the same lock, so a stop never misses it. */
    private static final class Lifetime {
        final ServedExports served;
        final ConsoleSocket console;
        final SnapshotControl control;
        final CountDownLatch stopped = new CountDownLatch(1);
        private PidFile pidFile;
        private boolean stopping;

        Lifetime(ServedExports served, ConsoleSocket console, SnapshotControl control) {
            this.served = served;
            this.console = console;
            this.control = control;
        }

        synchronized void ready(Path pid) throws IOException {
            if (!stopping) {
                pidFile = PidFile.write(pid);
            }
        }

        void stop() {
            synchronized (this) {
                stopping = true;
            }
            if (control != null) {
                control.close(); // first: no snapshot starts while the exports stop
            }
            served.close();
            if (console != null) {
                console.close();
            }
            synchronized (this) {
                if (pidFile != null) {
                    pidFile.remove(); // last: the daemon may take its absence for "stopped"
                    pidFile = null;
                }
            }
            stopped.countDown();
        }
    }

    static Options parse(String[] args) {
        Path socketDir = null;
        Path logDir = null;
        Path exportsFile = null;
        Path pidFile = null;
        Path consoleSocket = null;
        Path controlSocket = null;
        UUID uuid = null;
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
                case "--socket-dir" -> socketDir = path(a, v);
                case "--log-dir" -> logDir = path(a, v);
                case "--export" -> exports.add(export(v));
                case "--exports" -> exportsFile = path(a, v);
                case "--pid-file" -> pidFile = path(a, v);
                case "--console-socket" -> consoleSocket = path(a, v);
                case "--control-socket" -> controlSocket = path(a, v);
                case "--uuid" -> uuid = uuid(v);
                case "--max-connections" -> max = number(a, v);
                case "--poll-us" -> poll = number(a, v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (socketDir == null) {
            throw new IllegalArgumentException("--socket-dir is required");
        }
        if (exportsFile != null && !exports.isEmpty()) {
            throw new IllegalArgumentException("--export and --exports exclude each other");
        }
        if (exportsFile == null && exports.isEmpty()) {
            throw new IllegalArgumentException("--exports FILE or at least one --export is required");
        }
        if (exports.stream().map(Export::name).distinct().count() != exports.size()) {
            throw new IllegalArgumentException("an export name is given twice");
        }
        return new Options(socketDir, List.copyOf(exports), exportsFile, new NbdSettings(max, poll),
                logDir == null ? socketDir : logDir, pidFile, uuid, consoleSocket, controlSocket);
    }

    private static Path path(String option, String v) {
        if (v.isEmpty()) {
            throw new IllegalArgumentException(option + " takes a path");
        }
        try {
            return Path.of(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " takes a path: " + v);
        }
    }

    private static UUID uuid(String v) {
        try {
            return UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--uuid takes a UUID: " + v);
        }
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
