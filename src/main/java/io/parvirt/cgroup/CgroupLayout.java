package io.parvirt.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cgroup directories of one parvirt home: {@code parvirt/<home>/lpar<id>} for a partition's
 * QEMU process and its {@code vcpus} child for the vCPU threads. Under cgroup v2 there is one tree
 * ({@code <root>/parvirt/...}); under v1 each controller has its own ({@code <root>/cpu/parvirt/...},
 * {@code <root>/cpuset/parvirt/...}), so the v1 paths take the controller's name.
 *
 * @param unified cgroup v2 (the root offers {@code cgroup.controllers})
 */
public record CgroupLayout(Path root, String homeTag, boolean unified) {
    /** Where the host mounts its cgroups. */
    public static final Path HOST_ROOT = Path.of("/sys/fs/cgroup");
    /** The v1 controllers a partition's QEMU process is placed in (the dispatcher adds {@code cpuset}). */
    public static final List<String> PROCESS_CONTROLLERS = List.of("cpu", "cpuacct");

    /** The layout under {@code root}: v2 when the unified hierarchy has controllers at its root, else v1. */
    public static CgroupLayout detect(Path root, String homeTag) {
        return detect(root, homeTag, CgroupFiles.LOCAL);
    }

    /** The same, looking at {@code files} (a guest's cgroupfs, in the v2 test). */
    public static CgroupLayout detect(Path root, String homeTag, CgroupFiles files) {
        return new CgroupLayout(root, homeTag, files.exists(root.resolve("cgroup.controllers")));
    }

    /** The tree a controller's groups live in: the root itself under v2, {@code <root>/<controller>} under v1. */
    public Path hierarchy(String controller) {
        return unified ? root : root.resolve(controller);
    }

    /** {@code parvirt/<home>}: every partition of this home. */
    public Path home(String controller) {
        return hierarchy(controller).resolve("parvirt").resolve(homeTag);
    }

    /** {@code parvirt/<home>/lpar<id>}: the partition's QEMU process (its I/O and monitor threads, unlimited). */
    public Path partition(String controller, int lparId) {
        return home(controller).resolve("lpar" + lparId);
    }

    /** {@code parvirt/<home>/lpar<id>/vcpus}: the partition's vCPU threads, which the dispatcher limits. */
    public Path vcpus(String controller, int lparId) {
        return partition(controller, lparId).resolve("vcpus");
    }

    /**
     * {@code parvirt/<home>/lpar<id>/emulator}: QEMU's other threads (main loop, I/O thread,
     * workers), which the dispatcher keeps on the partition's cores but does not limit.
     */
    public Path emulator(String controller, int lparId) {
        return partition(controller, lparId).resolve("emulator");
    }

    /**
     * The partition's groups its QEMU process joins: the one v2 group, or its group under each v1
     * process controller that is mounted (none when cgroups are not there at all).
     */
    public List<Path> processGroups(int lparId) {
        if (unified) {
            return List.of(partition("", lparId));
        }
        List<Path> dirs = new ArrayList<>();
        for (String c : PROCESS_CONTROLLERS) {
            if (Files.isDirectory(hierarchy(c))) {
                dirs.add(partition(c, lparId));
            }
        }
        return List.copyOf(dirs);
    }
}
