package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** QEMU's own NBD client, run as the partitions' QEMU would be: qemu-io and qemu-img (Debian's qemu-utils). */
final class QemuTools {
    private QemuTools() {
    }

    /** What a finished command said. */
    record Result(int exit, String output) {
    }

    static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes(); // until the process closes its output
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** qemu-io on {@code uri} with each of {@code commands}; asserts it succeeded. */
    static String qemuIo(String uri, String... commands) throws IOException, InterruptedException {
        Result r = run(qemuIoCommand(uri, false, commands));
        assertThat(r.exit()).as("qemu-io %s: %s", List.of(commands), r.output()).isZero();
        assertThat(r.output()).doesNotContain("failed");
        return r.output();
    }

    static List<String> qemuIoCommand(String uri, boolean readOnly, String... commands) {
        List<String> cmd = new java.util.ArrayList<>(List.of("qemu-io", "-f", "raw"));
        if (readOnly) {
            cmd.add("-r");
        }
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        cmd.add(uri);
        return cmd;
    }
}
