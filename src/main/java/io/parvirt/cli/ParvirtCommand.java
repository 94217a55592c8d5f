package io.parvirt.cli;

import io.parvirt.daemon.Daemon;
import io.parvirt.home.ParvirtHome;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code parvirt serve} and {@code parvirt daemon status|stop}. */
@Command(name = "parvirt", subcommands = {ParvirtCommand.Serve.class, ParvirtCommand.DaemonCmd.class, GuestCommand.class,
                VswitchCommand.class,
                ImageCommand.class},
        mixinStandardHelpOptions = true, description = "parvirt host daemon control")
final class ParvirtCommand {

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Run the host daemon and the HMC service (REST API) in the foreground.")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--listen", paramLabel = "HOST:PORT",
                description = "TCP address of the REST API (default: listen= in parvirt.properties, else 127.0.0.1:12443)")
        String listen;

        @Option(names = "--auto", hidden = true, description = "started by the CLI: fall back to a free port")
        boolean auto;

        @Override
        public Integer call() throws Exception {
            ParvirtHome home = ParvirtHome.fromEnvironment();
            home.create();
            System.setProperty("parvirt.log.dir", home.logs().toString());
            Daemon d;
            try {
                d = Daemon.start(home, listen);
            } catch (Daemon.DaemonException e) {
                if (!auto || e.kind() != Daemon.DaemonException.Kind.LISTEN_UNAVAILABLE) {
                    System.err.println("parvirt: " + e.getMessage());
                    return 1;
                }
                d = Daemon.start(home, "127.0.0.1:0");
            }
            Daemon daemon = d;
            Runtime.getRuntime().addShutdownHook(new Thread(daemon::stop));
            System.out.println("parvirt: serving " + home.root() + " on " + Files.readString(home.listenFile())
                    + daemon.tlsFingerprint().map(f -> " (TLS, certificate SHA-256 " + f + ")").orElse("")
                    + " and " + home.socket());
            System.out.flush();
            daemon.await();
            return 0;
        }
    }

    @Command(name = "daemon", mixinStandardHelpOptions = true, description = "Show or stop the daemon of this home.",
            subcommands = {DaemonCmd.Status.class, DaemonCmd.Stop.class})
    static final class DaemonCmd {
        @Command(name = "status", description = "Show whether a daemon serves this home.")
        static final class Status implements Callable<Integer> {
            @Override
            public Integer call() throws IOException {
                ParvirtHome home = ParvirtHome.fromEnvironment();
                if (!DaemonLauncher.running(home)) {
                    System.out.println("parvirt daemon: not running (home " + home.root() + ")");
                    return 3;
                }
                System.out.println("parvirt daemon: running, pid " + Files.readString(home.pidFile()).strip()
                        + ", home " + home.root() + ", api " + Files.readString(home.listenFile()).strip()
                        + ", socket " + home.socket());
                System.out.println("dispatching: " + dispatching(home));
                return 0;
            }
        }

        /** Whether processor dispatching reaches the host; never silent when it does not. */
        private static String dispatching(ParvirtHome home) {
            try {
                UnixHttp.Response r = UnixHttp.request(home.socket(), "GET", "/api/v1/dispatch",
                        DaemonLauncher.token(home), null);
                com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(r.body());
                if (n.path("enforced").asBoolean()) {
                    return "enforced with " + n.path("mechanism").asText() + ", " + n.path("partitions").size()
                            + " partition(s) dispatched";
                }
                return "NOT ENFORCED: " + n.path("problem").asText();
            } catch (IOException | RuntimeException e) {
                return "unknown (" + e.getMessage() + ")";
            }
        }

        @Command(name = "stop", description = "Stop the daemon of this home.")
        static final class Stop implements Callable<Integer> {
            @Override
            public Integer call() throws Exception {
                ParvirtHome home = ParvirtHome.fromEnvironment();
                if (!DaemonLauncher.running(home)) {
                    System.out.println("parvirt daemon: not running (home " + home.root() + ")");
                    return 0;
                }
                long pid = Long.parseLong(Files.readString(home.pidFile()).strip());
                try {
                    UnixHttp.post(home.socket(), "/api/v1/daemon/stop", DaemonLauncher.token(home), "{}");
                } catch (IOException e) {
                    // the daemon may close the connection as it stops; its exit below is what counts
                }
                // Polled, not onExit(): for a process that is not its child the JDK polls from 300 ms
                // upwards, which made every stop take a second or two longer than the daemon did.
                var ph = ProcessHandle.of(pid);
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (ph.isPresent() && ph.get().isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                System.out.println("parvirt daemon: stopped (pid " + pid + ")");
                return 0;
            }
        }
    }
}
