package io.parvirt.dispatch;

import io.parvirt.cgroup.CgroupFiles;
import io.parvirt.cgroup.CgroupLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/** Applies the dispatcher's decisions to the host: cgroup v1, cgroup v2, or nothing (reported). */
interface CpuControl {
    /** The v1 controllers the dispatcher writes (under v2 the names only say which file is meant). */
    String CPU = "cpu";
    String CPUSET = "cpuset";

    /**
     * Applies between two sweeps of a partition's threads for QEMU's other threads (main loop, I/O
     * thread, RCU, workers), which are kept on the partition's cores too, unlimited. Left to the
     * kernel they ran wherever it balanced them, 0.10–0.13 core for ten partitions, and the
     * partitions of the core they chose fell short by it: in bench/dispatch-ten.sh runs whose two
     * cores were each granted 0.94, core 0's vCPUs got 0.90 and core 1's 0.93 (bench/RESULTS.md,
     * issue 18). On the partition's cores their time goes with the partition, and home cores count
     * it there ({@link HomeCores}). The first apply sweeps; a thread QEMU makes later starts in its
     * maker's groups, and QEMU's main loop and I/O thread make them (its thread pool has new workers
     * made in its own context, not the submitting vCPU's), so later sweeps, about every 30 s, only
     * catch stragglers: a sweep lists {@code /proc/<pid>/task} and looks at each entry, and the
     * controller's whole budget at 20 partitions is about 1 ms an interval.
     */
    int SWEEP_EVERY = 300;

    /** Places the partition's vCPU threads and sets their limits; writes only what changed. */
    void apply(CpuLimits limits) throws IOException;

    /**
     * How many bandwidth periods the partition's vCPU threads have been throttled in so far (the
     * kernel's {@code nr_throttled}); -1 when unknown.
     */
    long throttled(int lparId);

    /**
     * The time the partition's vCPU group has spent throttled so far, summed over CPUs, in ns
     * (v1 {@code throttled_time}, v2 {@code throttled_usec}), as the last {@link #throttled} read
     * it; -1 when unknown.
     */
    default long throttledNs(int lparId) {
        return -1;
    }

    /** Forgets a partition that is no longer running (its cgroups are removed when empty). */
    void release(int lparId);

    /**
     * The daemon stops: the home's cgroups that no running partition holds are removed (a
     * partition's QEMU outlives the daemon, and keeps its groups for the next one).
     */
    void close();

    /** Removes {@code dir}'s empty child groups, then {@code dir} if it is empty (rmdir only). */
    static void removeEmpty(CgroupFiles files, Path dir) {
        for (Path child : files.directories(dir)) {
            removeEmpty(files, child);
        }
        try {
            files.removeDirectory(dir);
        } catch (IOException e) {
            // a group with threads in it: a running partition's
        }
    }

    /** How dispatching is enforced, for the status command and the API. */
    String mechanism();

    /**
     * The enforcer for this host: cgroup v2 when the unified hierarchy has controllers at the
     * root, else cgroup v1's cpu and cpuset controllers. Throws when neither can be written, with
     * the reason (not root, controller missing), so that the dispatcher can say so.
     */
    static CpuControl forHost(Path cgroupRoot, String homeTag, int periodUs) throws IOException {
        CgroupLayout layout = CgroupLayout.detect(cgroupRoot, homeTag);
        return layout.unified() ? CgroupV2Control.open(layout, CgroupFiles.LOCAL, periodUs)
                : CgroupV1Control.open(layout, periodUs);
    }

    /** {@code nr_throttled} of a cgroup's {@code cpu.stat} (v1 and v2 alike), -1 when unreadable. */
    static long nrThrottled(CgroupFiles files, Path cpuStat) {
        try {
            return statField(files.read(cpuStat), "nr_throttled");
        } catch (IOException e) {
            return -1; // not there yet, or gone
        }
    }

    /** A field of a {@code cpu.stat} text ("name value" lines), -1 when absent or unreadable. */
    static long statField(String stat, String name) {
        int at = stat.startsWith(name + " ") ? 0 : stat.indexOf("\n" + name + " ");
        if (at < 0) {
            return -1;
        }
        int from = at == 0 ? name.length() + 1 : at + name.length() + 2;
        int end = stat.indexOf('\n', from);
        try {
            return Long.parseLong(stat.substring(from, end < 0 ? stat.length() : end).strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Moves thread {@code tid} of process {@code pid} into a cgroup; false when the thread has
     * ended meanwhile (a VIOS storage server's threads come and go with its connections).
     */
    static boolean moveThread(CgroupFiles files, Path tasksFile, long pid, long tid) throws IOException {
        try {
            files.write(tasksFile, Long.toString(tid));
            return true;
        } catch (IOException e) {
            if (files.exists(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid)))) {
                throw e;
            }
            return false;
        }
    }

    /**
     * Moves {@code pid}'s threads other than {@code vcpus} into {@code tasksFile} (QEMU's own: main
     * loop, I/O thread, workers) unless {@code moved} has them, and keeps in {@code moved} those that
     * are there. A thread QEMU makes later starts in its maker's groups, so a sweep now and then
     * finds only the few made by a vCPU thread (a worker it started) or before the first sweep.
     */
    static void moveOtherThreads(CgroupFiles files, Path tasksFile, long pid, Collection<Long> vcpus, Set<Long> moved)
            throws IOException {
        Set<Long> now = new HashSet<>();
        for (Path t : files.directories(Path.of("/proc", Long.toString(pid), "task"))) {
            long tid;
            try {
                tid = Long.parseLong(t.getFileName().toString());
            } catch (NumberFormatException e) {
                continue;
            }
            if (vcpus.contains(tid)) {
                continue;
            }
            now.add(tid);
            if (!moved.contains(tid) && moveThread(files, tasksFile, pid, tid)) {
                moved.add(tid);
            }
        }
        moved.retainAll(now);
    }
}
