package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A home served as a user serves it: {@code ./parvirt serve} in a process of its own, on a test's
 * directory, with the shared image store. A test may kill that daemon and serve the home again
 * (re-adoption, crash recovery). Closing shuts down the named partitions, stops the daemon and waits for it.
 */
final class ServedHome implements AutoCloseable {
    /** How often waits on the home poll it: each probe is a {@code ./parvirt} process. */
    static final Duration POLL = Duration.ofMillis(300);

    final Path home;
    private final List<String> partitions;
    private Process daemon;

    private ServedHome(Path home, String extraConfig, List<String> partitions) throws Exception {
        this.home = home;
        this.partitions = partitions;
        writeProperties(home);
        Files.writeString(home.resolve("parvirt.properties"), extraConfig, java.nio.file.StandardOpenOption.APPEND);
        this.daemon = serve(home);
    }

    /** Serves {@code home}; {@code partitions} are shut down on close (the test defines them). */
    static ServedHome start(Path home, String... partitions) throws Exception {
        return new ServedHome(home, "", List.of(partitions));
    }

    /** The same with lines added to {@code parvirt.properties} ({@code KEY=VALUE\n} each). */
    static ServedHome startWith(Path home, String extraConfig, String... partitions) throws Exception {
        return new ServedHome(home, extraConfig, List.of(partitions));
    }

    static void writeProperties(Path home) throws IOException {
        Files.writeString(home.resolve("parvirt.properties"), "system.name=sys1\nlisten=127.0.0.1:0\nimages.dir="
                + RunningDaemon.sharedImages() + "\n");
    }

    /** {@code ./parvirt serve} on {@code home}, once it listens (it has written run/listen). */
    static Process serve(Path home) throws Exception {
        Files.deleteIfExists(home.resolve("run/listen"));
        ProcessBuilder pb = new ProcessBuilder(Cli.root().resolve("parvirt").toString(), "serve")
                .redirectErrorStream(true).redirectOutput(home.resolve("serve.out").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("PARVIRT_HOME", home.toString());
        Process p = pb.start();
        Await.on("the daemon to listen (run/listen)", () -> {
            assertThat(p.isAlive()).as("daemon alive; " + home.resolve("serve.out")).isTrue();
            return Files.exists(home.resolve("run/listen"));
        }).within(Duration.ofSeconds(60)).every(Duration.ofMillis(50)).until(Boolean.TRUE::equals);
        return p;
    }

    static String state(Path home, String name) {
        return Cli.run(home, "lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=" + name, "-F", "state")
                .stdout().strip();
    }

    static void awaitState(Path home, String name, String want, long seconds) {
        Await.on(name + " to be " + want, () -> state(home, name)).within(Duration.ofSeconds(seconds)).every(POLL)
                .until(want::equals);
    }

    Process daemon() {
        return daemon;
    }

    String state(String name) {
        return state(home, name);
    }

    void awaitState(String name, String want, long seconds) {
        awaitState(home, name, want, seconds);
    }

    Cli.Result run(String... argv) {
        return Cli.run(home, argv);
    }

    /** Runs a command that must succeed. */
    Cli.Result ok(String... argv) {
        Cli.Result r = Cli.run(home, argv);
        assertThat(r.exit()).as(String.join(" ", argv) + ": " + r.stdout() + r.stderr()).isZero();
        return r;
    }

    /** SIGKILL, as a crash: what the daemon started (QEMU, storage servers) is left running. */
    void kill() throws InterruptedException {
        daemon.destroyForcibly();
        daemon.waitFor(30, TimeUnit.SECONDS);
    }

    /** An orderly {@code ./parvirt daemon stop}. */
    void stop() throws InterruptedException {
        Cli.run(home, "daemon", "stop");
        daemon.waitFor(30, TimeUnit.SECONDS);
    }

    /** A new daemon on the same home (after {@link #kill} or {@link #stop}). */
    void serveAgain() throws Exception {
        daemon = serve(home);
    }

    @Override
    public void close() {
        for (String n : partitions) {
            Cli.run(home, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", n);
        }
        for (String n : partitions) {
            try {
                awaitState(n, "Not Activated", 30);
            } catch (AssertionError e) {
                // a failed test's partition (or daemon) in a state of its own: the daemon stop below still runs
            }
        }
        Cli.run(home, "daemon", "stop");
        try {
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        } catch (InterruptedException e) {
            daemon.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
