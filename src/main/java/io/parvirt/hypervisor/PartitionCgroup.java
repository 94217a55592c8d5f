package io.parvirt.hypervisor;

import io.parvirt.cgroup.CgroupLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cgroup of one partition's QEMU process: {@code parvirt/<home>/lpar<id>} under each CPU
 * controller (cgroup v1 {@code cpu} and {@code cpuacct}, or the v2 unified tree), as
 * {@link CgroupLayout} places it. The dispatcher adds a child for the vCPU threads and sets the
 * limits; here it is only created, joined and removed.
 */
public final class PartitionCgroup {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionCgroup.class);
    private final List<Path> dirs;

    private PartitionCgroup(List<Path> dirs) {
        this.dirs = dirs;
    }

    public static PartitionCgroup of(String homeTag, int lparId) {
        return new PartitionCgroup(CgroupLayout.detect(CgroupLayout.HOST_ROOT, homeTag).processGroups(lparId));
    }

    public List<Path> dirs() {
        return dirs;
    }

    /**
     * Moves the whole process (all its threads) into the partition's cgroups, after weighing the
     * home's groups ({@link #weigh}).
     */
    public boolean join(long pid) {
        boolean ok = !dirs.isEmpty();
        for (Path d : dirs) {
            try {
                Files.createDirectories(d);
                weigh(d.getParent());
                weigh(d.getParent().getParent());
                Files.writeString(d.resolve("cgroup.procs"), Long.toString(pid));
            } catch (IOException e) {
                LOG.warn("partition process {} not placed in cgroup {}: {}", pid, d, e.getMessage());
                ok = false;
            }
        }
        return ok;
    }

    /**
     * Gives {@code parvirt} or {@code parvirt/<home>} the CPU weight of as many busy processes as the
     * host has CPUs ({@code cpu.shares} 1024 each under v1, {@code cpu.weight} 100 under v2). At the
     * default weight the whole group, every partition of the system, counted as one process against
     * each process outside it: a live migration's two QEMUs in it got half what the same two QEMUs
     * started by hand beside it got (issue 14: parvirt's move minus the anchor's, +284 ms with the
     * anchor at the root, +69 ms with the anchor in the same group). The partitions own the
     * system's processors; the host's own processes should not outweigh them. A group without the
     * file (cpuacct alone, or v2 without the cpu controller) is left as it is.
     */
    static void weigh(Path group) {
        int cpus = Runtime.getRuntime().availableProcessors();
        try {
            if (Files.exists(group.resolve("cpu.shares"))) {
                write(group.resolve("cpu.shares"), Integer.toString(Math.min(262_144, 1024 * cpus)));
            } else if (Files.exists(group.resolve("cpu.weight"))) {
                write(group.resolve("cpu.weight"), Integer.toString(Math.min(10_000, 100 * cpus)));
            }
        } catch (IOException e) {
            LOG.warn("cgroup {} not weighted: {}", group, e.getMessage());
        }
    }

    /** Writes {@code value} unless the file already holds it (each write of a weight re-weighs the group's tasks). */
    private static void write(Path file, String value) throws IOException {
        if (!Files.readString(file).strip().equals(value)) {
            Files.writeString(file, value);
        }
    }

    /** The dispatcher's child cgroups (its vCPU group) go first: a cgroup with children cannot be removed. */
    private static void removeChildren(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            return;
        }
        try (var s = Files.list(d)) {
            for (Path c : s.filter(Files::isDirectory).toList()) {
                removeChildren(c);
                Files.deleteIfExists(c);
            }
        }
    }

    /**
     * Removes the cgroups once the process is gone (an empty cgroup is removed with rmdir), and the
     * home's parent cgroup when this was its last partition.
     */
    public void remove() {
        for (Path d : dirs) {
            try {
                removeChildren(d);
                Files.deleteIfExists(d);
            } catch (IOException e) {
                LOG.warn("cgroup {} not removed: {}", d, e.getMessage());
            }
            try {
                Files.deleteIfExists(d.getParent());
            } catch (IOException e) {
                // another partition of this home still runs
            }
        }
    }
}
