package io.parvirt.ssh;

import io.parvirt.daemon.Daemon;
import io.parvirt.home.ParvirtHome;
import io.parvirt.it.Cli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;

/**
 * A real daemon in this JVM with the SSH endpoint on a free loopback port, on a fresh home whose
 * default image is a stand-in (no partition is activated here, and no image is built), and an
 * SSH client of MINA's. {@code ./parvirt} can be pointed at the same home ({@link #cli}).
 */
final class SshRig implements AutoCloseable {
    static final String USER = "hscroot";
    static final String PASSWORD = "abc123abc";
    final Path dir;
    Daemon daemon;
    int port;
    final SshClient client;

    SshRig(String extraConfig) {
        try {
            dir = Files.createTempDirectory("parvirt-ssh-");
            Path image = Files.createDirectories(dir.resolve("images/default"));
            byte[] kernel = new byte[0x206];
            System.arraycopy("HdrS".getBytes(StandardCharsets.US_ASCII), 0, kernel, 0x202, 4);
            Files.write(image.resolve("vmlinuz"), kernel);
            Files.writeString(image.resolve("initramfs.img"), "070701" + "0".repeat(100));
            Files.writeString(image.resolve("image.properties"), "description=stand-in\n");
            Files.writeString(dir.resolve("parvirt.properties"), "system.name=sys1\nlisten=127.0.0.1:0\n"
                    + "ssh.listen=127.0.0.1:0\nimages.dir=" + dir.resolve("images") + "\n" + extraConfig);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        startDaemon();
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.start();
    }

    /** Stops the daemon and starts it again on the same home (a new SSH port). */
    void restart() {
        daemon.stop();
        startDaemon();
    }

    private void startDaemon() {
        try {
            ParvirtHome home = new ParvirtHome(dir);
            daemon = Daemon.start(home, "127.0.0.1:0");
            port = Integer.parseInt(Files.readString(home.run().resolve("ssh-listen")).strip().split(":")[1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Daemon.DaemonException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ./parvirt on this home (its own JVM), as a user would type it. */
    Cli.Result cli(String... argv) {
        return Cli.run(dir, argv);
    }

    /**
     * {@code argv} through the route {@code ./parvirt} takes ({@code POST /api/v1/hmc/cli}, as the
     * home's owner), without a JVM started per command: what {@code ./parvirt} prints is this
     * answer's body and exit code (its local {@code --help} aside).
     */
    Cli.Result api(String... argv) {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            String listen = Files.readString(dir.resolve("run/listen")).strip();
            String token = Files.readString(dir.resolve("run/token")).strip();
            var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + listen
                    + "/api/v1/hmc/cli")).timeout(Duration.ofSeconds(120)).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
                                    java.util.Map.of("argv", argv)))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Cli.Result(Integer.parseInt(r.headers().firstValue("X-Parvirt-Exit-Code").orElse("-1")),
                    r.body(), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    ClientSession login(String user, String password) throws IOException {
        ClientSession s = client.connect(user, "127.0.0.1", port).verify(Duration.ofSeconds(10)).getSession();
        s.addPasswordIdentity(password);
        s.auth().verify(Duration.ofSeconds(20));
        return s;
    }

    record Exec(String out, String err, int status) {
    }

    /** One exec channel on an open session. */
    static Exec exec(ClientSession s, String command) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec ch = s.createExecChannel(command)) {
            ch.setOut(out);
            ch.setErr(err);
            ch.open().verify(Duration.ofSeconds(10));
            ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(30));
            Integer status = ch.getExitStatus();
            return new Exec(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                    status == null ? -1 : status);
        }
    }

    /** OpenSSH's ssh with sshpass answering the password prompt: {@code options} before the destination. */
    Exec openssh(String password, List<String> options, String command) {
        List<String> cmd = new ArrayList<>();
        if (password != null) {
            cmd.addAll(List.of("sshpass", "-p", password));
        }
        cmd.addAll(List.of("ssh", "-p", Integer.toString(port), "-o", "StrictHostKeyChecking=no", "-o",
                "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-n"));
        cmd.addAll(options);
        cmd.add(USER + "@127.0.0.1");
        cmd.add(command);
        return run(cmd);
    }

    static Exec run(List<String> cmd) {
        try {
            Path out = Files.createTempFile("ssh-out", ".txt");
            Path err = Files.createTempFile("ssh-err", ".txt");
            try {
                Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(cmd + " did not finish in 60 s");
                }
                return new Exec(Files.readString(out), Files.readString(err), p.exitValue());
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            client.stop();
        } finally {
            daemon.stop();
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory
            }
        }
    }
}
