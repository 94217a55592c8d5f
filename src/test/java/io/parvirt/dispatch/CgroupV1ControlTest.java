package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.cgroup.CgroupLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The v1 enforcer on a directory tree shaped like cgroupfs: cpu and cpuset trees as {@link CgroupLayout} lays them out. */
@Tag("unit")
class CgroupV1ControlTest {
    @TempDir
    Path root;

    /** A v1 cpuset group as the kernel creates it: empty cpus and mems until written. */
    private void cpuset(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cpuset.cpus"), "");
        Files.writeString(dir.resolve("cpuset.mems"), "");
    }

    @Test
    void bandwidthAndPinningGoToTheVcpuGroupsAndSharesOneLevelUp() throws Exception {
        CgroupLayout layout = CgroupLayout.detect(root, "h1");
        Files.createDirectories(layout.hierarchy("cpu"));
        Files.writeString(layout.hierarchy("cpu").resolve("tasks"), "");
        Files.createDirectories(layout.hierarchy("cpuset"));
        Files.writeString(layout.hierarchy("cpuset").resolve("tasks"), "");
        Files.writeString(layout.hierarchy("cpuset").resolve("cpuset.cpus"), "0-3\n");
        Files.writeString(layout.hierarchy("cpuset").resolve("cpuset.mems"), "0\n");
        cpuset(layout.home("cpuset").getParent());
        cpuset(layout.home("cpuset"));
        cpuset(layout.partition("cpuset", 4));
        cpuset(layout.vcpus("cpuset", 4));
        cpuset(layout.emulator("cpuset", 4));
        CpuControl c = CpuControl.forHost(root, "h1", 50_000);
        assertThat(c.mechanism()).contains("cgroup v1");
        // Each new cpuset level copies its parent's CPUs and memory nodes, or it could take no thread.
        assertThat(Files.readString(root.resolve("cpuset/parvirt/h1/cpuset.cpus"))).isEqualTo("0-3");

        c.apply(new CpuLimits(4, ProcessHandle.current().pid(), List.of(77L), 0.3, 307, "2"));

        Path vcpus = root.resolve("cpu/parvirt/h1/lpar4/vcpus");
        assertThat(Files.readString(vcpus.resolve("cpu.cfs_period_us"))).isEqualTo("50000");
        assertThat(Files.readString(vcpus.resolve("cpu.cfs_quota_us"))).isEqualTo("15000");
        assertThat(Files.readString(vcpus.resolve("tasks"))).isEqualTo("77");
        assertThat(Files.readString(root.resolve("cpu/parvirt/h1/lpar4/cpu.shares"))).isEqualTo("307");
        Path pinned = root.resolve("cpuset/parvirt/h1/lpar4/vcpus");
        assertThat(Files.readString(pinned.resolve("cpuset.cpus"))).isEqualTo("2");
        assertThat(Files.readString(pinned.resolve("tasks"))).isEqualTo("77");

        // QEMU's other threads (here this JVM's, but for the "vCPU" 77) go to the emulator cpuset,
        // on the same CPUs; a sweep for new ones comes every SWEEP_EVERY applies.
        Path emulator = root.resolve("cpuset/parvirt/h1/lpar4/emulator");
        assertThat(Files.readString(emulator.resolve("cpuset.cpus"))).isEqualTo("2");
        long moved = Long.parseLong(Files.readString(emulator.resolve("tasks")));
        assertThat(moved).isNotEqualTo(77L);
        assertThat(Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "task", Long.toString(moved)))
                .exists();
        Files.delete(emulator.resolve("tasks"));
        for (int i = 1; i < CpuControl.SWEEP_EVERY; i++) {
            c.apply(new CpuLimits(4, ProcessHandle.current().pid(), List.of(77L), 0.3, 307, "2"));
        }
        assertThat(emulator.resolve("tasks")).as("no sweep before SWEEP_EVERY applies").doesNotExist();
        Thread fresh = Thread.ofPlatform().start(() -> { // a thread made since the last sweep
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        c.apply(new CpuLimits(4, ProcessHandle.current().pid(), List.of(77L), 0.3, 307, "2"));
        fresh.interrupt();
        assertThat(emulator.resolve("tasks")).as("the sweep placed the new thread").exists();

        // Under the kernel's 1 ms minimum quota at this period: the period grows instead (issue 18).
        c.apply(new CpuLimits(4, ProcessHandle.current().pid(), List.of(77L), 0.01, 307, "2"));
        assertThat(Files.readString(vcpus.resolve("cpu.cfs_period_us"))).isEqualTo("100000");
        assertThat(Files.readString(vcpus.resolve("cpu.cfs_quota_us"))).isEqualTo("1000");

        // Unlimited: -1.
        c.apply(new CpuLimits(4, ProcessHandle.current().pid(), List.of(77L), 0, 307, "2"));
        assertThat(Files.readString(vcpus.resolve("cpu.cfs_quota_us"))).isEqualTo("-1");
    }
}
