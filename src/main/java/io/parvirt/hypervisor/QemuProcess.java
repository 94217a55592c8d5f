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
 * Starting, finding and stopping a partition's QEMU. QEMU daemonizes itself ({@code -daemonize}), so
 * it is nobody's child and outlives the daemon; it is found again through its pid file and the
 * partition's UUID on its command line, never by pid alone (pids are reused).
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

    /** Runs QEMU; returns once it has daemonized (its setup is complete) with its process handle. */
    static ProcessHandle launch(LaunchSpec s) throws LaunchException {
        validate(s);
        List<String> cmd = QemuCommandLine.of(s);
        try {
            Files.createDirectories(s.runDir());
            Files.deleteIfExists(s.pidFile());
            Path err = s.runDir().resolve("qemu.err");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new LaunchException(RefCode.QEMU_FAILED, "QEMU did not finish starting within 120 s");
            }
            if (p.exitValue() != 0) {
                String why = Files.readString(err).strip();
                throw new LaunchException(RefCode.QEMU_FAILED, "QEMU failed (exit " + p.exitValue() + "): "
                        + (why.isEmpty() ? "no message" : why.lines().reduce((a, b) -> b).orElse(why)));
            }
            return find(s.pidFile(), s.uuid()).orElseThrow(() -> new LaunchException(RefCode.QEMU_FAILED,
                    "QEMU started but its process was not found"));
        } catch (IOException e) {
            throw new LaunchException(RefCode.QEMU_FAILED, "QEMU could not be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException(RefCode.QEMU_FAILED, "interrupted while starting QEMU");
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
