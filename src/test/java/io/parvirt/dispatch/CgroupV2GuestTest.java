package io.parvirt.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.cgroup.CgroupLayout;
import io.parvirt.hypervisor.qga.GuestAgent;
import io.parvirt.image.GuestBoot;
import io.parvirt.image.GuestVm;
import io.parvirt.image.TestImages;
import io.parvirt.model.Allocation;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SharingMode;
import io.parvirt.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The cgroup v2 enforcer against a real v2 kernel: this host's cpu controller is on v1, so the
 * kernel is a partition's (the default image, whose init mounts cgroup2 at /sys/fs/cgroup, booted
 * under TCG with one vCPU). The enforcer reaches the guest's cgroupfs through {@link GuestCgroupFiles}
 * (the guest agent) instead of the host's files; busy shell loops in the guest stand in for vCPU
 * threads (single-threaded processes: thread id = pid, moved into the threaded {@code vcpus} child
 * the way a QEMU's vCPU threads are). Shares are measured in the guest, independently of the
 * dispatcher, from each loop's {@code /proc/<pid>/schedstat} over guest uptime.
 *
 * <p>A semantics test, not an accuracy test: a TCG guest has no steal time (its clock runs while
 * the host holds its vCPU thread), so what the guest kernel accounts is its own split of one
 * virtual CPU, whatever the host's load. What stays untested: v2 on a host whose partitions are
 * QEMU processes (the hypervisor's {@code PartitionCgroup.join} is done here by the same write to
 * {@code cgroup.procs}, not by that class); {@code cpuset.cpus} with more than one CPU (one vCPU);
 * delegation to a non-root daemon; the dispatcher's 100 ms interval (the agent serves a 2 s one) and
 * the whole of a TCG vCPU (0.2 of it is left to the agent); and the accuracy of the split on real cores.
 */
@Tag("guest") // not "quiet": the guest's own split of its vCPU holds at any host load (above; passed at load 14-16)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CgroupV2GuestTest {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final double TOLERANCE = 0.1;
    private static final Duration FOLLOW = Duration.ofSeconds(40);
    private static GuestVm vm;
    private static Path dir;
    private static GuestCgroupFiles files;
    private static CgroupLayout layout;
    private static final Map<Integer, Long> loops = new LinkedHashMap<>();

    @BeforeAll
    static void boot() throws Exception {
        TestImages.Build build = TestImages.defaultImage();
        dir = Files.createTempDirectory("parvirt-v2-");
        vm = new GuestVm(build.image(), GuestBoot.kernelCmdline("v2", ""), dir, List.of());
        vm.awaitConsole(GuestBoot.readyLine("v2"), Duration.ofSeconds(120));
        GuestAgent agent = new GuestAgent(vm.agentSocket);
        Await.on("the guest agent", () -> agent.ping(Duration.ofSeconds(5))).within(Duration.ofSeconds(60))
                .every(Duration.ofMillis(200)).until(ok -> ok);
        files = new GuestCgroupFiles(agent);
        layout = CgroupLayout.detect(ROOT, "v2t", files);
        // One loop per partition, placed in its partition group as the hypervisor places QEMU.
        for (int id = 1; id <= 3; id++) {
            files.createDirectories(layout.partition("cpu", id));
            long pid = files.spawn("while :; do :; done");
            files.write(layout.partition("cpu", id).resolve("cgroup.procs"), Long.toString(pid));
            loops.put(id, pid);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (vm != null) {
            vm.close();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p); // the serial log, QEMU's log and sockets
                }
            }
        }
    }

    @Test
    @Order(1)
    void theGuestRunsCgroupV2WithTheCpuController() throws Exception {
        assertThat(files.read(Path.of("/proc/mounts"))).contains("cgroup2 /sys/fs/cgroup cgroup2");
        assertThat(layout.unified()).isTrue();
        assertThat(files.read(ROOT.resolve("cgroup.controllers"))).contains("cpuset").containsPattern("\\bcpu\\b");
        assertThat(files.read(Path.of("/proc/" + loops.get(1) + "/cgroup")).strip()).isEqualTo("0::/parvirt/v2t/lpar1");
    }

    @Test
    @Order(2)
    void quotasAndWeightsWrittenByTheEnforcerAreWhatTheLoopsGet() throws Exception {
        CgroupV2Control c = CgroupV2Control.open(layout, files, 100_000);
        apply(c, 1, 0.2, 205);
        apply(c, 2, 0.5, 512);
        apply(c, 3, 0, 205);
        // What the kernel accepted: a threaded vCPU group under a threaded domain, its bandwidth and weight.
        Path vcpus = layout.vcpus("cpu", 1);
        assertThat(files.read(vcpus.resolve("cgroup.type")).strip()).isEqualTo("threaded");
        assertThat(files.read(layout.partition("cpu", 1).resolve("cgroup.type")).strip()).isEqualTo("domain threaded");
        assertThat(files.read(vcpus.resolve("cgroup.threads")).strip()).isEqualTo(loops.get(1).toString());
        assertThat(files.read(vcpus.resolve("cpu.max")).strip()).isEqualTo("20000 100000");
        assertThat(files.read(vcpus.resolve("cpuset.cpus")).strip()).isEqualTo("0");
        assertThat(files.read(layout.partition("cpu", 1).resolve("cpu.weight")).strip()).isEqualTo("20");
        assertThat(files.read(layout.vcpus("cpu", 3).resolve("cpu.max")).strip()).isEqualTo("max 100000");
        // A process with no vCPU among its threads stands for QEMU's other threads: the kernel takes
        // it into the threaded emulator child, on the partition's CPUs.
        long other = files.spawn("exec /bin/busybox sleep 600");
        files.createDirectories(layout.partition("cpu", 4));
        files.write(layout.partition("cpu", 4).resolve("cgroup.procs"), Long.toString(other));
        c.apply(new CpuLimits(4, other, List.of(), 0, 205, "0"));
        Path emulator = layout.emulator("cpu", 4);
        assertThat(files.read(emulator.resolve("cgroup.type")).strip()).isEqualTo("threaded");
        assertThat(files.read(emulator.resolve("cpuset.cpus")).strip()).isEqualTo("0");
        assertThat(files.read(emulator.resolve("cgroup.threads")).strip()).isEqualTo(Long.toString(other));
        assertThat(files.read(Path.of("/proc/" + other + "/cgroup")).strip()).isEqualTo("0::/parvirt/v2t/lpar4/emulator");
        follow("quotas 0.2 / 0.5, the third takes the rest", 0.2, 0.5, 0.3);
        assertThat(c.throttled(1)).as("the kernel throttled the 0.2 group").isPositive();

        apply(c, 1, 0.5, 512);
        apply(c, 2, 0.2, 205);
        follow("quotas rewritten to 0.5 / 0.2", 0.5, 0.2, 0.3);

        // No quota at all: the split is by weight alone (shares 3072:1024:205 → cpu.weight 300:100:20).
        apply(c, 1, 0, 3072);
        apply(c, 2, 0, 1024);
        apply(c, 3, 0, 205);
        assertThat(files.read(layout.partition("cpu", 1).resolve("cpu.weight")).strip()).isEqualTo("300");
        assertThat(files.read(layout.vcpus("cpu", 1).resolve("cpu.max")).strip()).isEqualTo("max 100000");
        follow("weights 300:100:20, no quota", 300.0 / 420, 100.0 / 420, 20.0 / 420);
    }

    @Test
    @Order(3)
    void theDispatcherHoldsPowerVmsSplitInTheGuestAtASlowInterval() throws Exception {
        // The dispatcher may hand out 0.8 of the guest's CPU: the rest serves its own reads and
        // writes (the guest agent's work is no partition's). PowerVM then gives A (capped), B and C
        // their 0.10 each and splits the 0.50 spare by weight, 240:16, then 16:240.
        AtomicReference<List<Dispatcher.Running>> parts = new AtomicReference<>(List.of(
                running(1, "A", Lpars.capped(1, "0.1", 1)),
                running(2, "B", Lpars.shared(2, "0.1", 1, SharingMode.UNCAP, 240)),
                running(3, "C", Lpars.shared(3, "0.1", 1, SharingMode.UNCAP, 16))));
        CgroupV2Control c = CgroupV2Control.open(layout, files, 100_000);
        List<String> events = new ArrayList<>();
        Dispatcher d = new Dispatcher(new Dispatcher.Config(Duration.ofSeconds(2), 100_000, ROOT, "v2t", true),
                () -> new Dispatcher.Snapshot(0.8, List.of(SharedProcessorPool.initial(0)), parts.get()), events::add,
                CgroupV2GuestTest::schedstat, System::nanoTime, List.of(0), new Dispatcher.Enforcer(c, ""));
        try {
            assertThat(d.enforcement().mechanism()).contains("cgroup v2");
            d.start();
            follow("dispatched: A 0.10, B 0.57, C 0.13", 0.1, 0.1 + 0.5 * 240 / 256, 0.1 + 0.5 * 16 / 256);
            parts.set(List.of(parts.get().get(0), running(2, "B", Lpars.shared(2, "0.1", 1, SharingMode.UNCAP, 16)),
                    running(3, "C", Lpars.shared(3, "0.1", 1, SharingMode.UNCAP, 240))));
            d.wake();
            follow("weights swapped: A 0.10, B 0.13, C 0.57", 0.1, 0.1 + 0.5 * 16 / 256, 0.1 + 0.5 * 240 / 256);
            assertThat(events).as("every write accepted").isEmpty();
        } finally {
            d.close();
        }
    }

    private static Dispatcher.Running running(int id, String name, Allocation a) {
        return new Dispatcher.Running(id, name, loops.get(id), List.of(loops.get(id)), a);
    }

    private static void apply(CgroupV2Control c, int id, double quota, int shares) throws Exception {
        c.apply(new CpuLimits(id, loops.get(id), List.of(loops.get(id)), quota, shares, "0"));
    }

    /** The dispatcher's meter in the guest: the loop's schedstat (run and wait ns), as ThreadClock reads a host's. */
    private static ThreadClock.Reading schedstat(long pid, List<Long> tids, boolean process) {
        long run = 0;
        long wait = 0;
        int read = 0;
        for (long tid : tids) {
            try {
                String[] f = files.read(Path.of("/proc/" + pid + "/task/" + tid + "/schedstat")).strip().split(" ");
                run += Long.parseLong(f[0]);
                wait += Long.parseLong(f[1]);
                read++;
            } catch (Exception e) {
                // gone or unreadable: counted as not read, as on a host
            }
        }
        return new ThreadClock.Reading(run, wait, read);
    }

    /** Waits until a 3 s window has the three loops within {@link #TOLERANCE} of the expected cores. */
    private static void follow(String what, double... expected) {
        Await.on(what, () -> window(Duration.ofSeconds(3))).within(FOLLOW).every(Duration.ofMillis(1))
                .detail(() -> "the windows are printed above").until(used -> {
                    System.out.printf("%s: used %s (uptime load %s)%n", what, fmt(used), hostLoad());
                    for (int i = 0; i < expected.length; i++) {
                        if (Math.abs(used[i] - expected[i]) > TOLERANCE) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    /** Cores each loop used over a window, from the guest's own clock and schedstat, read in one exec. */
    private static double[] window(Duration length) throws Exception {
        long[] a = sample();
        Thread.sleep(length.toMillis()); // the measurement window itself
        long[] b = sample();
        double[] used = new double[loops.size()];
        for (int i = 0; i < used.length; i++) {
            used[i] = (b[i + 1] - a[i + 1]) / (double) (b[0] - a[0]);
        }
        return used;
    }

    /** [guest uptime ns, run ns of loop 1, 2, 3]. */
    private static long[] sample() throws Exception {
        StringBuilder script = new StringBuilder("cat /proc/uptime");
        for (long pid : loops.values()) {
            script.append(" /proc/").append(pid).append("/schedstat");
        }
        List<String> lines = files.shell(script.toString()).lines().toList();
        long[] s = new long[loops.size() + 1];
        s[0] = Math.round(Double.parseDouble(lines.get(0).split(" ")[0]) * 1e9);
        for (int i = 1; i < s.length; i++) {
            s[i] = Long.parseLong(lines.get(i).split(" ")[0]);
        }
        return s;
    }

    private static String fmt(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double x : v) {
            b.append(String.format("%.3f ", x));
        }
        return b.toString().strip();
    }

    private static String hostLoad() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).substring(0, 14);
        } catch (Exception e) {
            return "?";
        }
    }
}
