package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@link NbdServerMain} run as the host daemon runs it: a JVM of its own, on this test's class
 * path. Its standard output and error are read as they come, line by line.
 */
final class ServerProcess implements AutoCloseable {
    /** A bound on waiting for a line or a file, so a broken server fails the test instead of hanging it. */
    private static final long WAIT_SECONDS = 30;

    final Process process;
    private final BlockingQueue<String> out = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> err = new LinkedBlockingQueue<>();
    private final List<String> errSeen = new ArrayList<>();

    private ServerProcess(Process process) {
        this.process = process;
        drain(process.getInputStream(), out);
        drain(process.getErrorStream(), err);
    }

    static ServerProcess start(String... args) throws IOException {
        return start(List.of(), args);
    }

    /**
     * Started as by a parent that ignores SIGHUP ({@code nohup}, or a daemon that does): the ignored
     * disposition is inherited across exec, and the JVM then installs no handler of its own.
     */
    static ServerProcess startWithHangupIgnored(String... args) throws IOException {
        return start(List.of("sh", "-c", "trap '' HUP; exec \"$@\"", "sh"), args);
    }

    private static ServerProcess start(List<String> launcher, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                NbdServerMain.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        return new ServerProcess(p);
    }

    private static void drain(InputStream s, BlockingQueue<String> lines) {
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(s, StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // the process went
            }
        });
    }

    /** The next line on standard output. */
    String line() throws InterruptedException {
        String l = out.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(l).as("a line on standard output (stderr so far: %s)", errSeen).isNotNull();
        return l;
    }

    /** The next line on standard error. */
    String errorLine() throws InterruptedException {
        String l = err.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(l).as("a line on standard error").isNotNull();
        errSeen.add(l);
        return l;
    }

    /** Standard output's lines up to and including the next that starts with {@code prefix}. */
    List<String> linesUntil(String prefix) throws InterruptedException {
        List<String> lines = new ArrayList<>();
        String l;
        do {
            l = line();
            lines.add(l);
        } while (!l.startsWith(prefix));
        return lines;
    }

    /** Waits for the pid file, the server's signal that it is ready, and checks what it holds. */
    void awaitReady(Path pidFile) throws IOException {
        Await.on("the pid file " + pidFile, () -> Files.exists(pidFile) || !process.isAlive())
                .within(Duration.ofSeconds(WAIT_SECONDS)).detail(() -> "stderr: " + err).until(Boolean.TRUE::equals);
        assertThat(pidFile).as("pid file written (stderr: %s)", err).exists();
        assertThat(Files.readString(pidFile)).isEqualTo(process.pid() + "\n");
    }

    void hangUp() throws IOException, InterruptedException {
        signal("HUP");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    /** SIGTERM, then the exit status. */
    int terminate() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
        return process.exitValue();
    }

    /** The exit status of a process that ends on its own. */
    int exit() throws InterruptedException {
        assertThat(process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)).as("exited").isTrue();
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
