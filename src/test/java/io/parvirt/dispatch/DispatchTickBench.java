package io.parvirt.dispatch;

import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SharingMode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One dispatching interval with 20 running shared partitions of 2 vCPUs each (issue 18: the
 * controller costs under 1 % of a core at 20 partitions): the real meter (40 threads' schedstat in
 * /proc), the allocator, the quota policy and the cgroup v1 enforcer writing to a directory tree
 * shaped like cgroupfs (the host's real cgroups are not touched by a benchmark), its cpu.stat read
 * per partition. The 40 "vCPU threads" are this JVM's own threads, parked. At the default 100 ms
 * interval the cost per tick times 10 is the share of one core.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class DispatchTickBench {
    private static final int PARTITIONS = 20;
    private Path root;
    private Dispatcher dispatcher;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final List<Thread> vcpus = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        root = Files.createTempDirectory("parvirt-tickbench");
        for (String c : List.of("cpu", "cpuset")) {
            Files.createDirectories(root.resolve(c));
            Files.writeString(root.resolve(c).resolve("tasks"), "");
        }
        Files.writeString(root.resolve("cpuset/cpuset.cpus"), "0-1");
        Files.writeString(root.resolve("cpuset/cpuset.mems"), "0");
        List<Long> tids = new ArrayList<>();
        for (int i = 0; i < 2 * PARTITIONS; i++) {
            long[] tid = new long[1];
            CountDownLatch started = new CountDownLatch(1);
            Thread t = Thread.ofPlatform().daemon().start(() -> {
                try {
                    tid[0] = Long.parseLong(Path.of("/proc/thread-self").toRealPath().getFileName().toString());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                started.countDown();
                awaitStop();
            });
            started.await();
            vcpus.add(t);
            tids.add(tid[0]);
        }
        long pid = ProcessHandle.current().pid();
        List<Dispatcher.Running> parts = new ArrayList<>();
        for (int id = 1; id <= PARTITIONS; id++) {
            parts.add(new Dispatcher.Running(id, "lp" + id, pid, tids.subList(2 * id - 2, 2 * id),
                    Lpars.shared(id, "0.05", 2, id % 3 == 0 ? SharingMode.CAP : SharingMode.UNCAP, 128)));
        }
        Dispatcher.Snapshot snap = new Dispatcher.Snapshot(2, List.of(SharedProcessorPool.initial(0)), parts);
        // A directory tree is no cgroupfs: its cpuset files are seeded per group, as the kernel would have them.
        List<Path> groups = new ArrayList<>(List.of(root.resolve("cpuset/parvirt"), root.resolve("cpuset/parvirt/bench")));
        for (int id = 1; id <= PARTITIONS; id++) {
            groups.add(root.resolve("cpuset/parvirt/bench/lpar" + id));
            groups.add(root.resolve("cpuset/parvirt/bench/lpar" + id + "/vcpus"));
            Path v = root.resolve("cpu/parvirt/bench/lpar" + id + "/vcpus");
            Files.createDirectories(v);
            Files.writeString(v.resolve("cpu.stat"), "nr_periods 10\nnr_throttled 2\nthrottled_time 5\n");
        }
        for (Path g : groups) {
            Files.createDirectories(g);
            Files.writeString(g.resolve("cpuset.cpus"), "0-1");
            Files.writeString(g.resolve("cpuset.mems"), "0");
        }
        CpuControl control = CgroupV1Control.open(new io.parvirt.cgroup.CgroupLayout(root, "bench", false), 10_000);
        dispatcher = new Dispatcher(new Dispatcher.Config(Duration.ofMillis(100), 10_000, root, "bench", true),
                () -> snap, e -> { }, new ThreadClock()::read, System::nanoTime, List.of(0, 1),
                new Dispatcher.Enforcer(control, ""));
        dispatcher.tick();
    }

    private void awaitStop() {
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Benchmark
    public long tick() {
        dispatcher.tick();
        return dispatcher.usage().size();
    }

    /** One watch step between intervals: the 13 uncapped partitions' throttle counts, kept open. */
    @Benchmark
    public boolean watch() {
        return dispatcher.watch();
    }

    /**
     * CPU time per tick and per watch step over 2000 of each, printed beside JMH's wall time (which a
     * busy host inflates); an interval of 100 ms has one tick and four watch steps of 20 ms.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        var mx = ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < 2000; i++) {
            dispatcher.tick();
        }
        double us = (mx.getCurrentThreadCpuTime() - cpu0) / 2000 / 1e3;
        long cpu1 = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < 2000; i++) {
            dispatcher.watch();
        }
        double watchUs = (mx.getCurrentThreadCpuTime() - cpu1) / 2000 / 1e3;
        System.out.printf("%nDispatchTickBench: %.1f us of CPU per tick (20 partitions, 40 vCPU threads), %.1f us per "
                + "watch step: %.3f %% of one core at a 100 ms interval with 4 watch steps%n", us, watchUs,
                (us + 4 * watchUs) / 1000);
        stop.countDown();
        dispatcher.close();
        try (var s = Files.walk(root)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
