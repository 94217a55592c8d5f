package io.parvirt.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class CgroupLayoutTest {
    @Test
    void aRootWithControllersAtItsTopIsV2AndHasOneTree(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory\n");
        CgroupLayout l = CgroupLayout.detect(root, "h1");
        assertThat(l.unified()).isTrue();
        assertThat(l.partition("cpu", 7)).isEqualTo(root.resolve("parvirt/h1/lpar7"));
        assertThat(l.vcpus("cpuset", 7)).isEqualTo(root.resolve("parvirt/h1/lpar7/vcpus"));
        assertThat(l.processGroups(7)).containsExactly(root.resolve("parvirt/h1/lpar7"));
    }

    @Test
    void v1HasATreePerControllerAndTheProcessJoinsTheMountedOnes(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("cpu"));
        Files.createDirectories(root.resolve("cpuset"));
        CgroupLayout l = CgroupLayout.detect(root, "h1");
        assertThat(l.unified()).isFalse();
        assertThat(l.home("cpuset")).isEqualTo(root.resolve("cpuset/parvirt/h1"));
        assertThat(l.vcpus("cpu", 3)).isEqualTo(root.resolve("cpu/parvirt/h1/lpar3/vcpus"));
        // cpuacct is not mounted here: the process is placed under cpu only.
        assertThat(l.processGroups(3)).containsExactly(root.resolve("cpu/parvirt/h1/lpar3"));
        Files.createDirectories(root.resolve("cpuacct"));
        assertThat(l.processGroups(3)).containsExactly(root.resolve("cpu/parvirt/h1/lpar3"),
                root.resolve("cpuacct/parvirt/h1/lpar3"));
    }

    @Test
    void noCgroupsMeansNoGroupsToJoin(@TempDir Path root) {
        assertThat(CgroupLayout.detect(root, "h1").processGroups(1)).isEmpty();
    }
}
