package io.parvirt.dispatch;

import static io.parvirt.cgroup.CgroupFiles.LOCAL;

import io.parvirt.cgroup.CgroupLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * cgroup v1: each partition's vCPU threads go to {@code cpu/parvirt/<home>/lpar<id>/vcpus}, where
 * {@code cpu.cfs_quota_us} over {@code cpu.cfs_period_us} is their bandwidth, and to the same path
 * under {@code cpuset}, whose {@code cpuset.cpus} keeps them on their cores. The partition's
 * {@code cpu.shares} is set one level up, on the group that also holds QEMU's other threads (which
 * the hypervisor placed there and which are not limited: they are I/O, not the partition's
 * processors). Those threads go to the cpuset {@code lpar<id>/emulator}, on the same cores as the
 * vCPUs, as libvirt's {@code emulatorpin} can put them: see {@link CpuControl#SWEEP_EVERY}.
 */
final class CgroupV1Control implements CpuControl {
    private final CgroupLayout layout;
    private final Path cpu;
    private final Path cpuset;
    private final int periodUs;
    private final Map<Integer, Applied> applied = new HashMap<>();
    private final ThrottleCounts throttleCounts = new ThrottleCounts();
    /** Each partition's vCPU group's {@code cpu.stat}, made once. */
    private final IntFunction<Path> cpuStat;

    /**
     * What was last written for a partition, so unchanged values are not written again, and its
     * groups' files, made once (building them each interval cost about as much as the writes saved).
     */
    private static final class Applied {
        final Path sharesFile;
        final Path vcpus;
        final Path pinned;
        final Path emulatorTasks;
        final Set<Long> threads = new HashSet<>();
        /** QEMU's other threads placed in the emulator cpuset, and applies left until the next sweep. */
        final Set<Long> others = new HashSet<>();
        int sweep;
        long quotaUs = Long.MIN_VALUE;
        long periodUs = -1;
        int shares = -1;
        String cpus = "";

        Applied(CgroupLayout layout, int lparId) {
            sharesFile = layout.partition(CPU, lparId).resolve("cpu.shares");
            vcpus = layout.vcpus(CPU, lparId);
            pinned = layout.vcpus(CPUSET, lparId);
            emulatorTasks = layout.emulator(CPUSET, lparId).resolve("tasks");
        }
    }

    private CgroupV1Control(CgroupLayout layout, int periodUs) {
        this.layout = layout;
        this.cpu = layout.home(CPU);
        this.cpuset = layout.home(CPUSET);
        this.cpuStat = id -> layout.vcpus(CPU, id).resolve("cpu.stat");
        this.periodUs = periodUs;
    }

    static CgroupV1Control open(CgroupLayout layout, int periodUs) throws IOException {
        for (String c : new String[] {CPU, CPUSET}) {
            if (!Files.exists(layout.hierarchy(c).resolve("tasks"))) {
                throw new IOException("the cgroup v1 controller " + layout.hierarchy(c) + " is not mounted");
            }
        }
        try {
            Files.createDirectories(layout.home(CPU));
            initCpuset(layout.hierarchy(CPUSET), layout.home(CPUSET));
        } catch (IOException e) {
            throw new IOException("cannot create cgroups under " + layout.root() + " (" + e.getMessage()
                    + "); parvirt must run as root, or be given a delegated cgroup, to enforce dispatching", e);
        }
        return new CgroupV1Control(layout, periodUs);
    }

    /** A v1 cpuset takes no task until its cpus and mems are set: each new level copies its parent's. */
    private static void initCpuset(Path top, Path dir) throws IOException {
        Path rel = top.relativize(dir);
        Path at = top;
        for (Path part : rel) {
            Path next = at.resolve(part);
            Files.createDirectories(next);
            if (Files.readString(next.resolve("cpuset.cpus")).isBlank()) {
                Files.writeString(next.resolve("cpuset.cpus"), Files.readString(at.resolve("cpuset.cpus")).strip());
            }
            if (Files.readString(next.resolve("cpuset.mems")).isBlank()) {
                Files.writeString(next.resolve("cpuset.mems"), Files.readString(at.resolve("cpuset.mems")).strip());
            }
            at = next;
        }
    }

    @Override
    public synchronized void apply(CpuLimits l) throws IOException {
        Applied a = applied.computeIfAbsent(l.lparId(), id -> new Applied(layout, id));
        Path vcpus = a.vcpus;
        Path pinned = a.pinned;
        if (a.threads.isEmpty()) {
            Files.createDirectories(vcpus);
            initCpuset(cpuset, pinned);
            initCpuset(cpuset, a.emulatorTasks.getParent());
        }
        if (!l.cpus().equals(a.cpus)) {
            LOCAL.write(pinned.resolve("cpuset.cpus"), l.cpus());
            LOCAL.write(a.emulatorTasks.resolveSibling("cpuset.cpus"), l.cpus());
            a.cpus = l.cpus();
        }
        a.threads.retainAll(l.threads()); // ended threads: their ids may come back as another's
        for (long tid : l.threads()) {
            if (!a.threads.contains(tid) && CpuControl.moveThread(LOCAL, vcpus.resolve("tasks"), l.pid(), tid)
                    && CpuControl.moveThread(LOCAL, pinned.resolve("tasks"), l.pid(), tid)) {
                a.threads.add(tid);
            }
        }
        if (--a.sweep <= 0) {
            CpuControl.moveOtherThreads(LOCAL, a.emulatorTasks, l.pid(), l.threads(), a.others);
            a.sweep = SWEEP_EVERY;
        }
        CfsBandwidth bw = CfsBandwidth.of(l.quotaCores(), periodUs);
        if (bw.periodUs() != a.periodUs) {
            // Before the quota: the kernel checks the quota against the period it has then.
            LOCAL.write(vcpus.resolve("cpu.cfs_period_us"), Long.toString(bw.periodUs()));
            a.periodUs = bw.periodUs();
        }
        if (bw.quotaUs() != a.quotaUs) {
            LOCAL.write(vcpus.resolve("cpu.cfs_quota_us"), Long.toString(bw.quotaUs()));
            a.quotaUs = bw.quotaUs();
        }
        if (l.shares() != a.shares) {
            LOCAL.write(a.sharesFile, Integer.toString(l.shares()));
            a.shares = l.shares();
        }
    }

    @Override
    public long throttled(int lparId) {
        return throttleCounts.read(lparId, cpuStat);
    }

    @Override
    public long throttledNs(int lparId) {
        return throttleCounts.timeNs(lparId);
    }

    @Override
    public synchronized void release(int lparId) {
        applied.remove(lparId);
        throttleCounts.forget(lparId);
        Path dir = layout.partition(CPUSET, lparId);
        try {
            Files.deleteIfExists(layout.vcpus(CPUSET, lparId));
            Files.deleteIfExists(layout.emulator(CPUSET, lparId));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // still has threads (QEMU not yet gone): removed at the next release or by the next daemon
        }
    }

    @Override
    public void close() {
        throttleCounts.close();
        CpuControl.removeEmpty(LOCAL, cpuset);
        CpuControl.removeEmpty(LOCAL, cpu);
    }

    @Override
    public String mechanism() {
        return "cgroup v1 (" + cpu + ", " + cpuset + ")";
    }
}
