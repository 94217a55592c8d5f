package io.parvirt.it;


import io.parvirt.testing.Await;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A daemon on one host of a {@link NetnsLan}: {@code ./parvirt serve} run inside that host's
 * namespace on a home of its own, listening on the host's LAN address (not loopback, so its API
 * speaks TLS with its self-signed certificate). Commands reach it with {@link #run} through the
 * home's Unix socket. Never run a command on a stopped host's home: the CLI would start a daemon for
 * it in the test's own namespace.
 */
final class LanDaemon implements AutoCloseable {
    final NetnsLan lan;
    final int host;
    final Path home;
    private Process daemon;

    private LanDaemon(NetnsLan lan, int host, Path home) {
        this.lan = lan;
        this.host = host;
        this.home = home;
    }

    /** Serves a new home {@code home} as system {@code name} on host {@code host}; {@code extra}: more properties. */
    static LanDaemon start(NetnsLan lan, int host, Path home, String name, String extra) throws Exception {
        Files.createDirectories(home);
        // The test's temporary directory must let the unprivileged QEMU user pass (the daemon checks at start).
        Files.setPosixFilePermissions(home.getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Files.writeString(home.resolve("parvirt.properties"), "system.name=" + name + "\nlisten=" + lan.address(host)
                + ":12443\nhost.serial=" + String.format("%07X", 0x5EB1A00 + host) + "\nimages.dir=" + RunningDaemon.sharedImages()
                + "\n" + extra);
        LanDaemon d = new LanDaemon(lan, host, home);
        d.serve();
        return d;
    }

    String address() {
        return lan.address(host);
    }

    void serve() throws Exception {
        Files.deleteIfExists(home.resolve("run/listen"));
        ProcessBuilder pb = new ProcessBuilder(lan.exec(host, Cli.root().resolve("parvirt").toString(), "serve"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("serve.out")
                        .toFile())).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("PARVIRT_HOME", home.toString());
        Process p = pb.start();
        daemon = p;
        Await.on("the daemon of host " + host + " to listen", () -> {
            if (!p.isAlive()) {
                throw new AssertionError("the daemon of host " + host + " ended: " + Files.readString(home.resolve("serve.out")));
            }
            return Files.exists(home.resolve("run/listen"));
        }).within(Duration.ofSeconds(90)).every(Duration.ofMillis(50)).until(Boolean.TRUE::equals);
    }

    Cli.Result run(String... argv) {
        return Cli.run(home, argv);
    }

    /** Runs a command that must succeed. */
    Cli.Result ok(String... argv) {
        return Cli.ok(home, argv);
    }

    /** Whether the daemon process runs (a fault injection may end it by itself). */
    boolean alive() {
        return daemon != null && daemon.isAlive();
    }

    /** SIGKILL, as a crash would end it; its partitions' QEMU go on. Waits for the process. */
    void kill() throws InterruptedException {
        daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** An orderly stop; waits for the process. */
    void stop() throws InterruptedException {
        if (daemon != null && daemon.isAlive()) {
            Cli.run(home, "daemon", "stop");
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            daemon.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A test's teardown: the daemons stopped, the partitions they leave running ended (a QEMU
     * outlives its daemon by design), then the LAN, then the homes' directory (each may be null).
     */
    static void closeAll(NetnsLan lan, Path dir, LanDaemon... daemons) throws Exception {
        for (LanDaemon d : daemons) {
            if (d != null) {
                d.close();
                d.endPartitions();
            }
        }
        if (lan != null) {
            lan.close();
        }
        if (dir != null) {
            try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Kills the QEMU of every partition this home's daemon left running (by its run directory's pid files). */
    void endPartitions() throws java.io.IOException {
        Path lpars = home.resolve("run/lpar");
        if (!Files.isDirectory(lpars)) {
            return;
        }
        try (java.util.stream.Stream<Path> runDirs = Files.list(lpars)) {
            for (Path pidFile : runDirs.map(r -> r.resolve("qemu.pid")).filter(Files::exists).toList()) {
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()))
                        .filter(p -> p.info().commandLine().orElse("").contains(home.toString()))
                        .ifPresent(p -> {
                            p.destroyForcibly();
                            p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> p).join();
                        });
            }
        }
    }
}
