package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.cgroup.CgroupLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The v2 enforcer on a directory tree shaped like cgroupfs: it writes where {@link CgroupLayout} says. */
@Tag("unit")
class CgroupV2ControlTest {
    @TempDir
    Path root;

    private void group(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cgroup.subtree_control"), "cpuset cpu");
    }

    @Test
    void limitsGoToThePartitionsVcpuChildAndTheWeightOneLevelUp() throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory");
        CgroupLayout layout = CgroupLayout.detect(root, "h1");
        group(root);
        group(layout.home("cpu").getParent());
        group(layout.home("cpu"));
        group(layout.partition("cpu", 4)); // the hypervisor made it when it placed QEMU
        CpuControl c = CpuControl.forHost(root, "h1", 50_000);
        assertThat(c.mechanism()).contains("cgroup v2");

        c.apply(new CpuLimits(4, ProcessHandle.current().pid(), List.of(77L), 0.5, 1024, "0,1"));

        Path vcpus = root.resolve("parvirt/h1/lpar4/vcpus");
        assertThat(vcpus).isEqualTo(layout.vcpus("cpu", 4));
        assertThat(Files.readString(vcpus.resolve("cgroup.type"))).isEqualTo("threaded");
        assertThat(Files.readString(vcpus.resolve("cpu.max"))).isEqualTo("25000 50000");
        assertThat(Files.readString(vcpus.resolve("cpuset.cpus"))).isEqualTo("0,1");
        assertThat(Files.readString(vcpus.resolve("cgroup.threads"))).isEqualTo("77");
        Path emulator = root.resolve("parvirt/h1/lpar4/emulator");
        assertThat(Files.readString(emulator.resolve("cgroup.type"))).isEqualTo("threaded");
        assertThat(Files.readString(emulator.resolve("cpuset.cpus"))).as("QEMU's other threads on the same CPUs")
                .isEqualTo("0,1");
        assertThat(Files.readString(emulator.resolve("cgroup.threads"))).isNotEqualTo("77");
        // shares on v2's weight scale in proportion, as the kernel relates them (1024 is the default 100)
        assertThat(Files.readString(root.resolve("parvirt/h1/lpar4/cpu.weight"))).isEqualTo("100");
        c.apply(new CpuLimits(4, ProcessHandle.current().pid(), List.of(77L), 0.05, 51, "0,1"));
        assertThat(Files.readString(root.resolve("parvirt/h1/lpar4/cpu.weight"))).as("0.05 core").isEqualTo("5");

        Files.writeString(vcpus.resolve("cpu.stat"), "usage_usec 10\nnr_periods 9\nnr_throttled 3\n");
        assertThat(c.throttled(4)).isEqualTo(3);
        assertThat(c.throttled(5)).isEqualTo(-1);
    }
}
