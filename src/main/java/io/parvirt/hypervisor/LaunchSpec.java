package io.parvirt.hypervisor;

import java.nio.file.Path;

/**
 * Everything the QEMU command line is made from: what the profile grants, the image, and where the
 * partition's sockets live. {@link QemuCommandLine#of} turns it into arguments and nothing else.
 */
public record LaunchSpec(String qemuBinary, String name, int lparId, String uuid, long memMb, long maxMemMb,
        int vcpus, int maxVcpus, Accelerator accel, Path kernel, Path initramfs, Path disk, String cmdline,
        Path runDir) {

    public Path qmpSocket() {
        return runDir.resolve("qmp.sock");
    }

    public Path agentSocket() {
        return runDir.resolve("qga.sock");
    }

    public Path serialSocket() {
        return runDir.resolve("serial.sock");
    }

    public Path pidFile() {
        return runDir.resolve("qemu.pid");
    }
}
