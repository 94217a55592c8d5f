package io.parvirt.hypervisor;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starting, finding and stopping a partition's QEMU. QEMU runs in a session of its own and outlives
 * the daemon; it is found again through its pid file and the partition's UUID on its command line,
 * never by pid alone (pids are reused).
 */
public final class QemuProcess {
    /** sun_path is 108 bytes including the terminating NUL. */
    static final int MAX_SOCKET_PATH = 107;

    private QemuProcess() {
    }

    /** Checks what QEMU would only report later and less clearly. */
    static void validate(LaunchSpec s) throws LaunchException {
        if (!new File(s.qemuBinary()).canExecute()) {
            throw new LaunchException(RefCode.LAUNCH_INVALID, "QEMU (" + s.qemuBinary() + ") is not installed: run "
                    + "apt-get install qemu-system-x86 qemu-utils");
        }
        for (Path p : new Path[] {s.kernel(), s.initramfs(), s.disk()}) {
            if (p != null && !Files.isReadable(p)) {
                throw new LaunchException(RefCode.IMAGE_MISSING, "the image file " + p + " is missing or unreadable: "
                        + "rebuild the image with ./parvirt image build");
            }
        }
        for (Path p : new Path[] {s.qmpSocket(), s.agentSocket(), s.serialSocket()}) {
            if (p.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
                throw new LaunchException(RefCode.LAUNCH_INVALID, "the socket path " + p + " is longer than "
                        + MAX_SOCKET_PATH + " bytes: use a shorter PARVIRT_HOME");
            }
        }
    }

    /**
     * Runs QEMU; returns once its pid file names it and its monitor socket exists, with its process
     * handle. QEMU stays in the foreground in a session of its own ({@link QemuCommandLine#confinement}):
     * it is the daemon's child until the daemon ends, then init's, and outlives it either way.
     */
    static ProcessHandle launch(LaunchSpec s) throws LaunchException {
        return launch(s, QemuCommandLine.of(s));
    }

    /** A migration's target: the same command line waiting for the incoming stream. */
    static ProcessHandle launchIncoming(LaunchSpec s) throws LaunchException {
        return launch(s, QemuCommandLine.incoming(s));
    }

    private static ProcessHandle launch(LaunchSpec s, List<String> cmd) throws LaunchException {
        validate(s);
        try {
            Files.createDirectories(s.runDir());
            Path err = s.runDir().resolve("qemu.err");
            for (Path old : new Path[] {s.pidFile(), s.qmpSocket(), err}) {
                Files.deleteIfExists(old);
            }
            if (s.qemuUser() != null) {
                confine(s);
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (true) {
                Optional<ProcessHandle> h = find(s.pidFile(), s.uuid());
                if (h.isPresent() && Files.exists(s.qmpSocket())) {
                    return h.get();
                }
                if (!p.isAlive() && p.exitValue() != 0) {
                    throw failure(s, "QEMU failed (exit " + p.exitValue() + ")");
                }
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new LaunchException(RefCode.QEMU_FAILED, "QEMU did not finish starting within 120 s");
                }
                Thread.sleep(5); // a migration's target is on the clock: QEMU is ready within tens of ms
            }
        } catch (IOException e) {
            throw new LaunchException(RefCode.QEMU_FAILED, "QEMU could not be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException(RefCode.QEMU_FAILED, "interrupted while starting QEMU");
        }
    }

    /** What QEMU, run as its unprivileged user, must reach: its run directory, image files and NBD sockets. */
    private static void confine(LaunchSpec s) throws IOException {
        QemuUser.shareRunDir(s.qemuUser(), s.runDir());
        for (Path image : new Path[] {s.kernel(), s.initramfs()}) {
            if (image != null) {
                QemuUser.grant(s.qemuUser(), image, false);
            }
        }
        if (s.disk() != null) {
            QemuUser.grant(s.qemuUser(), s.disk(), true);
        }
        for (LaunchSpec.ScsiDevice d : s.scsi()) {
            if (d.socket() != null) {
                QemuUser.grant(s.qemuUser(), d.vhostUser() ? d.vhostSocket() : d.socket(), true);
            }
        }
    }

    /** A QEMU that ended while starting: {@code what}, and the last line it wrote. */
    static LaunchException failure(LaunchSpec s, String what) {
        String why = lastLogLine(s);
        return new LaunchException(RefCode.QEMU_FAILED, what + ": " + (why.isEmpty() ? "no message" : why));
    }

    /** The last line QEMU wrote to its standard output and error ({@code qemu.err}), or "". */
    static String lastLogLine(LaunchSpec s) {
        try {
            String log = Files.readString(s.runDir().resolve("qemu.err")).strip();
            return log.lines().reduce((a, b) -> b).orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    /** The live QEMU of the pid file, if it is still the partition's (its command line names the UUID). */
    static Optional<ProcessHandle> find(Path pidFile, String uuid) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isEmpty() || !h.get().isAlive()) {
                return Optional.empty();
            }
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.UTF_8);
            return cmdline.contains(uuid) ? h : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
