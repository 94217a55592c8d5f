package io.parvirt.hypervisor;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starting and signalling a VIOS's storage server, the VIOS partition's operating system: parvirt's
 * NBD server ({@code NbdServerMain} of {@code vios.nbd}) in a JVM of its own, so that a storage
 * fault never takes the daemon down. Like QEMU it is detached ({@code setsid}: its own session,
 * nobody's terminal) and outlives the daemon; it writes its pid file once it serves, and is found
 * again by that file and the partition's UUID on its command line ({@link QemuProcess#find}).
 *
 * <p>Under a root daemon it runs as root with every capability dropped ({@code setpriv
 * --bounding-set=-all --inh-caps=-all --no-new-privs}): it needs none (it opens only root-owned
 * files and binds sockets in root's directories), and without them it cannot override file modes
 * of other users, trace or signal their processes, change owners or load modules. It keeps uid 0,
 * so root-owned files stay open to it: docs/security.md says why and what to do.
 */
public final class StorageServerProcess {
    static final String MAIN_CLASS = "io.parvirt.vios.nbd.NbdServerMain";
    /** A JVM with less heap than this does not start the server reliably. */
    static final long MIN_HEAP_MB = 32;

    private StorageServerProcess() {
    }

    /**
     * The command line, a pure function of the spec (golden file in the tests). The partition's
     * memory is the JVM's budget: a quarter for the heap, a quarter for the connections' direct
     * buffers (about 1.1 MiB each), the rest for the JVM itself and the page cache it leans on.
     */
    public static List<String> commandLine(LaunchSpec s) {
        LaunchSpec.StorageServer v = s.storageServer();
        long quarter = Math.max(MIN_HEAP_MB, s.memMb() / 4);
        List<String> a = new ArrayList<>(List.of("setsid"));
        if (s.qemuUser() != null) {
            // a root daemon's server keeps uid 0 (it opens the VIOS's root-owned disks) but no capability
            a.addAll(List.of("setpriv", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"));
        }
        a.addAll(List.of(v.java(), "-Xms" + MIN_HEAP_MB + "m",
                "-Xmx" + quarter + "m", "-XX:MaxDirectMemorySize=" + quarter + "m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                // the socket's descriptor, for splicing large writes' payloads into the file (PayloadPipe)
                "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
                "-Dparvirt.log.dir=" + s.runDir(), "-cp", v.classPath(), MAIN_CLASS));
        a.addAll(List.of("--uuid", s.uuid(), "--exports", v.exportsFile().toString(), "--socket-dir",
                s.nbdDir().toString(), "--pid-file", s.pidFile().toString(), "--console-socket",
                s.serialSocket().toString(), "--control-socket", controlSocket(s).toString(), "--log-dir",
                s.runDir().toString()));
        return a;
    }

    /**
     * Where the daemon asks the running server for snapshots of the devices it serves (issue 19);
     * a dot name in the sockets' directory, which no virtual target device's socket can have.
     */
    public static Path controlSocket(LaunchSpec s) {
        return s.nbdDir().resolve(".snapshots.sock");
    }

    /** Starts the server; returns once it serves (its pid file names it), with its process handle. */
    static ProcessHandle launch(LaunchSpec s, long timeoutMs) throws LaunchException {
        validate(s);
        Path log = s.runDir().resolve("storage.log");
        try {
            Files.createDirectories(s.nbdDir());
            if (s.qemuUser() != null) {
                QemuUser.shareNewFiles(s.qemuUser(), s.nbdDir()); // clients' QEMU connects to its sockets
            }
            Files.deleteIfExists(s.pidFile());
            Process p = new ProcessBuilder(commandLine(s)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            long deadline = System.nanoTime() + timeoutMs * 1_000_000;
            while (System.nanoTime() < deadline) {
                Optional<ProcessHandle> h = QemuProcess.find(s.pidFile(), s.uuid());
                if (h.isPresent()) {
                    return h.get();
                }
                // setsid forks (and exits 0) only when it leads a process group; then the pid file tells.
                if (!p.isAlive() && p.exitValue() != 0) {
                    throw new LaunchException(RefCode.STORAGE_SERVER_FAILED, "the storage server failed (exit "
                            + p.exitValue() + "): " + lastLine(log));
                }
                Thread.sleep(50);
            }
            p.destroyForcibly();
            throw new LaunchException(RefCode.STORAGE_SERVER_FAILED, "the storage server did not start serving "
                    + "within " + timeoutMs / 1000 + " s: " + lastLine(log));
        } catch (IOException e) {
            throw new LaunchException(RefCode.STORAGE_SERVER_FAILED, "the storage server could not be run: "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException(RefCode.STORAGE_SERVER_FAILED, "interrupted while starting the storage server");
        }
    }

    static void validate(LaunchSpec s) throws LaunchException {
        if (!new File(s.storageServer().java()).canExecute()) {
            throw new LaunchException(RefCode.STORAGE_SERVER_FAILED, "the Java runtime " + s.storageServer().java()
                    + " the storage server needs is missing: reinstall parvirt's JDK (./parvirt finds it)");
        }
        // A virtual target device's name is at most 15 characters (the VIOS's device names).
        for (Path p : new Path[] {s.serialSocket(), s.nbdDir().resolve("x".repeat(15) + ".sock")}) {
            if (p.toString().getBytes(StandardCharsets.UTF_8).length > QemuProcess.MAX_SOCKET_PATH) {
                throw new LaunchException(RefCode.LAUNCH_INVALID, "the socket path " + p + " is longer than "
                        + QemuProcess.MAX_SOCKET_PATH + " bytes: use a shorter PARVIRT_HOME");
            }
        }
    }

    /** Asks the server to re-read its exports file (SIGHUP); false when it is not running. */
    static boolean reload(ProcessHandle h) {
        try {
            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(h.pid())).redirectErrorStream(true)
                    .start();
            return kill.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The threads of the server: its virtual processors, as far as the dispatcher is concerned. */
    static List<Long> threads(ProcessHandle h) {
        List<Long> out = new ArrayList<>();
        try (var s = Files.list(Path.of("/proc", Long.toString(h.pid()), "task"))) {
            for (Path t : s.toList()) {
                out.add(Long.parseLong(t.getFileName().toString()));
            }
        } catch (IOException | NumberFormatException e) {
            // gone: no threads to dispatch
        }
        out.sort(null);
        return out;
    }

    private static String lastLine(Path log) {
        try {
            String all = Files.readString(log).strip();
            return all.isEmpty() ? "no message" : all.lines().reduce((a, b) -> b).orElse(all);
        } catch (IOException e) {
            return "no message";
        }
    }
}
