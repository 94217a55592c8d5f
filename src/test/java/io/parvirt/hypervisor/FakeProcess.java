package io.parvirt.hypervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in for a partition's QEMU: {@code sleep} started through a link named for the partition's
 * UUID, so that its command line names the UUID as QEMU's does ({@code -uuid}), and its pid file
 * written as QEMU's {@code -pidfile} is. The link lives in {@code dir}, so the command line names
 * that directory too.
 */
final class FakeProcess {
    private FakeProcess() {
    }

    static ProcessHandle start(Path dir, String uuid, Path pidFile) throws IOException {
        Files.createDirectories(dir);
        Path link = dir.resolve("qemu-" + uuid);
        if (!Files.exists(link)) {
            Path sleep = Files.exists(Path.of("/usr/bin/sleep")) ? Path.of("/usr/bin/sleep") : Path.of("/bin/sleep");
            Files.createSymbolicLink(link, sleep);
        }
        ProcessHandle h = new ProcessBuilder(link.toString(), "600").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().toHandle();
        if (pidFile != null) {
            Files.createDirectories(pidFile.getParent());
            Files.writeString(pidFile, h.pid() + "\n");
        }
        return h;
    }

    /** A process whose command line does not name the partition (a pid reused by another program). */
    static ProcessHandle stranger() throws IOException {
        return new ProcessBuilder("sleep", "600").redirectOutput(ProcessBuilder.Redirect.DISCARD).start().toHandle();
    }
}
