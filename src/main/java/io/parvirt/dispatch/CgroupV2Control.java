package io.parvirt.dispatch;

import io.parvirt.cgroup.CgroupFiles;
import io.parvirt.cgroup.CgroupLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.Set;

/**
 * cgroup v2: the partition's group {@code parvirt/<home>/lpar<id>} (QEMU's process, placed by the
 * hypervisor) gets a threaded child {@code vcpus} holding the vCPU threads, with {@code cpu.max}
 * for bandwidth and {@code cpuset.cpus} for placement, and a threaded child {@code emulator} holding
 * QEMU's other threads on the same CPUs, unlimited; {@code cpu.weight} is set on the partition's
 * group. The cpu and cpuset controllers both support threaded subtrees.
 */
final class CgroupV2Control implements CpuControl {
    private final CgroupLayout layout;
    private final CgroupFiles files;
    private final Path home;
    private final int periodUs;
    private final Map<Integer, Applied> applied = new HashMap<>();
    /** The host's own files are read kept open; a guest's (the v2 test) through its agent. */
    private final ThrottleCounts throttleCounts = new ThrottleCounts();
    /** Each partition's vCPU group's {@code cpu.stat}. */
    private final IntFunction<Path> cpuStat;

    /** What was last written for a partition, and its groups, made once (as {@link CgroupV1Control}'s). */
    private static final class Applied {
        final Path lpar;
        final Path vcpus;
        final Path emulator;
        final Set<Long> threads = new HashSet<>();
        /** QEMU's other threads placed in {@link #emulator}, and applies left until the next sweep. */
        final Set<Long> others = new HashSet<>();
        int sweep;
        CfsBandwidth bandwidth;
        int weight = -1;
        String cpus = "";

        Applied(CgroupLayout layout, int lparId) {
            lpar = layout.partition(CPU, lparId);
            vcpus = layout.vcpus(CPU, lparId);
            emulator = layout.emulator(CPU, lparId);
        }
    }

    private CgroupV2Control(CgroupLayout layout, CgroupFiles files, int periodUs) {
        this.layout = layout;
        this.cpuStat = id -> layout.vcpus(CPU, id).resolve("cpu.stat");
        this.files = files;
        this.home = layout.home(CPU);
        this.periodUs = periodUs;
    }

    static CgroupV2Control open(CgroupLayout layout, CgroupFiles files, int periodUs) throws IOException {
        Path root = layout.root();
        String available = files.read(root.resolve("cgroup.controllers"));
        if (!available.contains("cpu") || !available.contains("cpuset")) {
            throw new IOException("the cgroup v2 root offers controllers [" + available.strip() + "]; parvirt needs "
                    + "cpu and cpuset");
        }
        Path home = layout.home(CPU);
        Path parvirt = home.getParent();
        try {
            enable(files, root);
            files.createDirectories(home);
            enable(files, parvirt);
            enable(files, home);
        } catch (IOException e) {
            throw new IOException("cannot create cgroups under " + root + " (" + e.getMessage() + "); parvirt must "
                    + "run as root, or be given a delegated cgroup, to enforce dispatching", e);
        }
        return new CgroupV2Control(layout, files, periodUs);
    }

    private static void enable(CgroupFiles files, Path dir) throws IOException {
        String on = files.read(dir.resolve("cgroup.subtree_control"));
        if (!on.contains("cpuset") || !on.matches("(?s).*\\bcpu\\b.*")) {
            files.write(dir.resolve("cgroup.subtree_control"), "+cpu +cpuset");
        }
    }

    @Override
    public synchronized void apply(CpuLimits l) throws IOException {
        Applied a = applied.computeIfAbsent(l.lparId(), id -> new Applied(layout, id));
        Path lpar = a.lpar;
        Path vcpus = a.vcpus;
        if (a.threads.isEmpty()) {
            for (Path child : new Path[] {vcpus, a.emulator}) {
                files.createDirectories(child);
                files.write(child.resolve("cgroup.type"), "threaded");
            }
            enable(files, lpar);
        }
        if (!l.cpus().equals(a.cpus)) {
            files.write(vcpus.resolve("cpuset.cpus"), l.cpus());
            files.write(a.emulator.resolve("cpuset.cpus"), l.cpus());
            a.cpus = l.cpus();
        }
        a.threads.retainAll(l.threads()); // ended threads: their ids may come back as another's
        for (long tid : l.threads()) {
            if (!a.threads.contains(tid) && CpuControl.moveThread(files, vcpus.resolve("cgroup.threads"), l.pid(), tid)) {
                a.threads.add(tid);
            }
        }
        if (--a.sweep <= 0) {
            CpuControl.moveOtherThreads(files, a.emulator.resolve("cgroup.threads"), l.pid(), l.threads(), a.others);
            a.sweep = SWEEP_EVERY;
        }
        CfsBandwidth bw = CfsBandwidth.of(l.quotaCores(), periodUs);
        if (!bw.equals(a.bandwidth)) {
            files.write(vcpus.resolve("cpu.max"), (bw.unlimited() ? "max" : Long.toString(bw.quotaUs())) + " "
                    + bw.periodUs());
            a.bandwidth = bw;
        }
        // v1 shares onto v2's weight as the kernel relates them (a cpu.weight w is w × 1024 / 100
        // shares inside): in proportion, so 0.10 core (102 shares) weighs 10 and 0.49 (502) 49.
        // systemd's linear map of the whole ranges (1 + (shares - 2) × 9999 / 262142) gave 4 and
        // 20: a step of 0.026 core, and every grant under 0.07 core the same weight 1.
        int weight = (int) Math.max(1, Math.min(10000, Math.round(l.shares() * 100.0 / 1024)));
        if (weight != a.weight) {
            files.write(lpar.resolve("cpu.weight"), Integer.toString(weight));
            a.weight = weight;
        }
    }

    @Override
    public long throttled(int lparId) {
        return files == CgroupFiles.LOCAL ? throttleCounts.read(lparId, cpuStat)
                : CpuControl.nrThrottled(files, cpuStat.apply(lparId));
    }

    @Override
    public long throttledNs(int lparId) {
        return throttleCounts.timeNs(lparId);
    }

    @Override
    public synchronized void release(int lparId) {
        applied.remove(lparId);
        throttleCounts.forget(lparId);
    }

    @Override
    public void close() {
        throttleCounts.close();
        CpuControl.removeEmpty(files, home);
    }

    @Override
    public String mechanism() {
        return "cgroup v2 (" + home + ")";
    }
}
