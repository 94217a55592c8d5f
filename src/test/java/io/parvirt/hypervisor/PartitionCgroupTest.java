package io.parvirt.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.parvirt.cgroup.CgroupLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a partition's process joins {@code parvirt/<home>/lpar<id>} on the host's real cgroups,
 * and the home's groups weigh as many processes as the host has CPUs, so that the partitions
 * together are not one process's worth against the host's own.
 */
@Tag("unit")
class PartitionCgroupTest {
    @Test
    void theHomesGroupsWeighAsManyProcessesAsTheHostHasCpus() throws Exception {
        String home = "pcgtest" + ProcessHandle.current().pid();
        CgroupLayout layout = CgroupLayout.detect(CgroupLayout.HOST_ROOT, home);
        Path homeGroup = layout.home("cpu");
        assumeTrue(Files.isWritable(layout.hierarchy("cpu")), "needs root and the cpu controller");
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        PartitionCgroup group = PartitionCgroup.of(home, 7);
        try {
            assertThat(group.join(sleeper.pid())).isTrue();
            assertThat(Files.readString(layout.partition("cpu", 7).resolve("cgroup.procs")).strip())
                    .isEqualTo(Long.toString(sleeper.pid()));
            int cpus = Runtime.getRuntime().availableProcessors();
            String file = layout.unified() ? "cpu.weight" : "cpu.shares";
            String want = Integer.toString(layout.unified() ? Math.min(10_000, 100 * cpus) : 1024 * cpus);
            assertThat(Files.readString(homeGroup.resolve(file)).strip()).isEqualTo(want);
            assertThat(Files.readString(homeGroup.getParent().resolve(file)).strip()).isEqualTo(want);
        } finally {
            sleeper.destroy();
            sleeper.waitFor(10, TimeUnit.SECONDS);
            Thread.sleep(100); // the exited task leaves cgroup.procs
            group.remove();
        }
        assertThat(homeGroup).as("the home's group goes with its last partition").doesNotExist();
    }
}
