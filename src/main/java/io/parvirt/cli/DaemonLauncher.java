package io.parvirt.cli;

import io.parvirt.home.ParvirtHome;
import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds the home's daemon, or starts one in the background when none runs. */
final class DaemonLauncher {
    private DaemonLauncher() {
    }

    static boolean running(ParvirtHome home) {
        if (!Files.exists(home.socket())) {
            return false;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(home.socket()));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** True while another process holds the home's daemon lock: a daemon is starting or running. */
    static boolean lockedByAnother(ParvirtHome home) {
        try (var ch = java.nio.channels.FileChannel.open(home.lockFile(), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            var lock = ch.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
            return false;
        }
    }

    static String token(ParvirtHome home) throws IOException {
        return Files.readString(home.tokenFile()).strip();
    }

    /** Starts {@code parvirt serve --auto} detached from this terminal and waits until it answers. */
    static void start(ParvirtHome home) throws IOException, InterruptedException {
        home.create();
        Path out = home.logs().resolve("daemon.out");
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        // No class-data archive of its own (it would halve the start on a busy host): a JDK 25.0.3
        // daemon crashed once in CDS's lambda-proxy lookup from an auto-created dynamic archive.
        cmd.add("-XX:+UseSerialGC");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.add("serve");
        cmd.add("--auto");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("PARVIRT_HOME", home.root().toString());
        long before = Files.exists(out) ? Files.size(out) : 0;
        Process p = pb.start();
        System.err.println("parvirt: no daemon was running for " + home.root() + "; started one (pid " + p.pid()
                + ", log " + home.logs().resolve("daemon.log") + ")");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (running(home) && Files.exists(home.tokenFile())) {
                return;
            }
            if (!p.isAlive() && !lockedByAnother(home)) {
                throw new IOException("the daemon exited at start (code " + p.exitValue() + ")" + reason(out, before)
                        + "; see " + out);
            }
            Thread.sleep(50);
        }
        throw new IOException("the daemon did not answer within 60 s; see " + out);
    }

    /** The sentence this start of the daemon printed last ({@code parvirt: ...}) after {@code from}, if any. */
    private static String reason(Path out, long from) {
        try {
            byte[] all = Files.readAllBytes(out);
            List<String> lines = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
                    java.nio.charset.StandardCharsets.UTF_8).lines().toList();
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("parvirt: ")) {
                    return ": " + lines.get(i).substring("parvirt: ".length());
                }
            }
        } catch (IOException e) {
            // the log is only a better message; the caller names the file anyway
        }
        return "";
    }
}
