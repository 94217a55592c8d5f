package io.parvirt.it;

import io.parvirt.daemon.Daemon;
import io.parvirt.home.ParvirtHome;
import io.parvirt.image.ImageException;
import io.parvirt.image.ImageStore;
import io.parvirt.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real daemon in this JVM on a fresh home in a temporary directory, listening on a free TCP port
 * and on the home's Unix socket. Tests talk to it over HTTP like any client.
 */
public final class RunningDaemon implements AutoCloseable {
    private final ParvirtHome home;
    private final Daemon daemon;
    private final HttpClient http = HttpClient.newHttpClient();

    private RunningDaemon(ParvirtHome home, Daemon daemon) {
        this.home = home;
        this.daemon = daemon;
    }

    public static RunningDaemon start() {
        return start("");
    }

    /** With extra lines for parvirt.properties (e.g. {@code qemu.binary=...}). */
    public static RunningDaemon start(String extraConfig) {
        return start(extraConfig, "");
    }

    /** {@code subdir}: a home below a fresh temporary directory; {@code length=N} makes the home path N long. */
    public static RunningDaemon start(String extraConfig, String subdir) {
        try {
            Path dir = Files.createTempDirectory("parvirt-it-");
            if (!subdir.isEmpty()) {
                // A home below it: the unprivileged QEMU user must be able to pass (the daemon checks).
                Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            }
            if (subdir.startsWith("length=")) {
                int want = Integer.parseInt(subdir.substring(7));
                dir = Files.createDirectories(dir.resolve("x".repeat(want - dir.toString().length() - 1)));
            } else if (!subdir.isEmpty()) {
                dir = Files.createDirectories(dir.resolve(subdir));
            }
            ParvirtHome home = new ParvirtHome(dir);
            home.create();
            Files.writeString(home.config(), "system.name=sys1\nimages.dir=" + sharedImages() + "\n" + extraConfig);
            return new RunningDaemon(home, Daemon.start(home, "127.0.0.1:0"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Daemon.DaemonException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A new daemon on the home another daemon served (that one stopped or was killed): it re-adopts
     * the partitions left running there.
     */
    public static RunningDaemon startAgain(ParvirtHome home) {
        try {
            return new RunningDaemon(home, Daemon.start(home, "127.0.0.1:0"));
        } catch (Daemon.DaemonException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A daemon for tests that activate nothing (the web console's): its images directory is its own
     * and empty, so no default image is built first.
     */
    public static RunningDaemon startWithoutImages() {
        return startWithoutImages("");
    }

    /** As {@link #startWithoutImages()}, with extra lines for parvirt.properties. */
    public static RunningDaemon startWithoutImages(String extraConfig) {
        try {
            Path dir = Files.createTempDirectory("parvirt-it-");
            ParvirtHome home = new ParvirtHome(dir);
            home.create();
            Files.writeString(home.config(), "system.name=sys1\nimages.dir=" + dir.resolve("images") + "\n"
                    + extraConfig);
            return new RunningDaemon(home, Daemon.start(home, "127.0.0.1:0"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Daemon.DaemonException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean sharedImagesReady;

    /**
     * One image store for every test home, so the default image is built once per checkout. It is
     * built here, in the test JVM, before any daemon sees it: a daemon killed by a test must not
     * leave a build of its own running into a directory JUnit is deleting.
     */
    public static synchronized Path sharedImages() {
        Path dir = Cli.root().resolve("target/test-images").toAbsolutePath();
        if (!sharedImagesReady) {
            try {
                new ImageStore(dir).ensureDefault(line -> System.out.println("image build: " + line));
            } catch (ImageException e) {
                throw new IllegalStateException("the default image for the tests: " + e.getMessage(), e);
            }
            sharedImagesReady = true;
        }
        return dir;
    }

    /** The daemon itself (tests that join two daemons in this JVM: mobility's in-process target). */
    public Daemon daemon() {
        return daemon;
    }

    public ParvirtHome home() {
        return home;
    }

    public int port() {
        return daemon.tcpPort();
    }

    /** The managed system's name, as its home's configuration gives it (the last {@code system.name}). */
    public String system() {
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newBufferedReader(home.config())) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("system.name", "sys1");
    }

    public String token() {
        try {
            return Files.readString(home.tokenFile()).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An API request with the home's token; {@code body} null for none. */
    public HttpResponse<String> api(String method, String path, String body) {
        return request(method, path, body, "Bearer " + token());
    }

    public HttpResponse<String> request(String method, String path, String body, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The result of one HMC command line run through the API, as the CLI would print it. */
    public record Hmc(int exit, String stdout) {
    }

    public Hmc hmc(String... argv) {
        StringBuilder b = new StringBuilder("{\"argv\":[");
        for (int i = 0; i < argv.length; i++) {
            b.append(i > 0 ? "," : "").append('"').append(argv[i].replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        }
        HttpResponse<String> r = api("POST", "/api/v1/hmc/cli", b.append("]}").toString());
        return new Hmc(Integer.parseInt(r.headers().firstValue("X-Parvirt-Exit-Code").orElse("-1")), r.body());
    }

    @Override
    public void close() {
        // QEMU and VIOS storage servers outlive their daemon by design (re-adoption); a test's partitions must not outlive the
        // test. They are stopped while the daemon runs, so that it cleans up after them: its supervisor removes the
        // partition's cgroup, then its run directory, which is what is awaited here.
        List<Path> runDirs = new ArrayList<>();
        for (Path pid : files(home.run())) {
            String name = pid.getFileName().toString();
            if (!name.equals("qemu.pid") && !name.equals("storage.pid")) {
                continue;
            }
            try {
                long process = Long.parseLong(Files.readString(pid).strip());
                runDirs.add(pid.getParent());
                ProcessHandle.of(process).ifPresent(h -> {
                    h.destroyForcibly();
                    h.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).exceptionally(t -> null).join();
                });
            } catch (IOException | NumberFormatException e) {
                // it stopped and the daemon removed its files meanwhile
            }
        }
        try {
            Await.until("the daemon to clean up after the partitions it ran " + runDirs, Duration.ofSeconds(10),
                    () -> runDirs.stream().noneMatch(Files::exists));
        } catch (AssertionError e) {
            // closing must not fail a test; what is left is in a temporary directory
        }
        daemon.stop();
        files(home.root()).stream().sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }

    /**
     * Every path under {@code root}, read while the daemon may still be removing some (a partition
     * that just stopped): a walk that meets a vanished entry is started again.
     */
    private static List<Path> files(Path root) {
        for (int attempt = 0; ; attempt++) {
            try (Stream<Path> s = Files.walk(root)) {
                return s.toList();
            } catch (IOException | UncheckedIOException e) {
                if (!Files.exists(root) || attempt == 5) {
                    return List.of();
                }
            }
        }
    }
}
