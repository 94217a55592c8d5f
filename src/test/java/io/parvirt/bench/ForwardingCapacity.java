package io.parvirt.bench;

import io.parvirt.vswitch.PortConfig;
import io.parvirt.vswitch.SwitchSettings;
import io.parvirt.vswitch.VirtualEthernet;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The virtual switch as a whole system: the real {@link VirtualEthernet} (its one {@code vswitch}
 * loop thread, real {@code StreamPort}s) between synthetic QEMU ends that speak QEMU's
 * {@code -netdev stream,server=on,addr.type=unix} transport: each end listens on a Unix socket,
 * the switch connects, and every frame goes with its 4-byte big-endian length in front. Run by
 * {@code bench/vswitch-forward.sh}, which pins this JVM to CPU 0 and asks (--switch-cpu 1) for the
 * switch thread alone on CPU 1: "one core" is then literal, and the switch thread's CPU time is
 * measured (ThreadMXBean), not assumed.
 *
 * <p>{@code capacity}: partition S sends to partition R in VLAN 10 as fast as it can, frames built
 * once and written in large batches (QEMU writes one frame per syscall; batching takes the
 * sender's cost out of the way so the switch is what is measured). R's end reads and counts every
 * frame. Modes: {@code untagged} (R has PVID 10: the received bytes go out as they are) and
 * {@code tagged} (R is an 802.1Q adapter with PVID 1 and additional VLAN 10: a tag is inserted,
 * one more copy of the frame). After a warm-up, offered (written by S's end), forwarded (the
 * switch's tx count on R), delivered (read by R's end) and dropped frames are taken over the
 * measurement window; frame/s and Gbit/s count Ethernet frame bytes from the destination address
 * on, without FCS, as QEMU hands them over.
 *
 * <p>{@code flood}: F floods R (whose end never reads) as fast as it can, while C and D exchange
 * paced traffic; then F floods broadcasts. The JVM's RSS, heap and direct memory are sampled, and
 * C's and D's delivery and every port's drops by reason are reported.
 */
public final class ForwardingCapacity {
    static final int VLAN = 10;
    static final long MAC_S = 0x0E5056001002L;
    static final long MAC_R = 0x0E5056002002L;
    static final long MAC_C = 0x0E5056003002L;
    static final long MAC_D = 0x0E5056004002L;
    static final long MAC_F = 0x0E5056005002L;
    static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    static final int ETHERTYPE = 0x88B5; // local experimental
    static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ForwardingCapacity() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        String what = o.getOrDefault("", "capacity");
        if (what.equals("capacity")) {
            capacity(o);
        } else if (what.equals("flood")) {
            flood(o);
        } else {
            throw new IllegalArgumentException("usage: capacity|flood [--key value ...]");
        }
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                o.put(args[i].substring(2), args[++i]);
            } else {
                o.put("", args[i]);
            }
        }
        return o;
    }

    // ---------------------------------------------------------------------------------------------
    // capacity

    record Run(String mode, int size, int batch, double seconds, long offered, long forwarded, long delivered,
            long badFrames, Map<String, Long> drops, double switchCpu, double switchUser, double sendCpu,
            double recvCpu, double otherLoad, long switchReads, long switchWrites, long switchSleeps) {
        double deliveredFps() {
            return delivered / seconds;
        }

        double deliveredGbps(int wireBytes) {
            return delivered * (double) wireBytes * 8 / seconds / 1e9;
        }
    }

    static void capacity(Map<String, String> o) throws Exception {
        int size = Integer.parseInt(o.getOrDefault("size", "64"));
        String mode = o.getOrDefault("mode", "untagged");
        double warmup = Double.parseDouble(o.getOrDefault("warmup", "3"));
        double seconds = Double.parseDouble(o.getOrDefault("seconds", "5"));
        int repeats = Integer.parseInt(o.getOrDefault("repeats", "3"));
        int batchBytes = Integer.parseInt(o.getOrDefault("batch-bytes", "65536"));
        int bufferKb = Integer.parseInt(o.getOrDefault("port-buffer-kb", "256"));
        int switchCpu = Integer.parseInt(o.getOrDefault("switch-cpu", "-1"));
        int batch = Math.max(1, batchBytes / (4 + size));
        boolean tagged = mode.equals("tagged");
        int outSize = tagged ? size + 4 : size;
        System.out.printf(Locale.ROOT, "# capacity: mode=%s size=%d B (delivered as %d B) batch=%d frames/write"
                + " port_buffer=%d KiB warmup=%.0f s measure=%.0f s repeats=%d switch_cpu=%d%n", mode, size, outSize,
                batch, bufferKb, warmup, seconds, repeats, switchCpu);
        List<Run> runs = new ArrayList<>();
        for (int rep = 1; rep <= repeats; rep++) {
            Run r = capacityRun(mode, size, outSize, batch, warmup, seconds, bufferKb, switchCpu);
            runs.add(r);
            System.out.printf(Locale.ROOT,
                    "RUN parvirt mode=%s size=%d rep=%d seconds=%.3f offered_fps=%.0f forwarded_fps=%.0f"
                            + " delivered_fps=%.0f delivered_gbps=%.3f drops=%s bad=%d switch_cpu=%.3f"
                            + " switch_user=%.3f switch_sys=%.3f fps_per_switch_cpu_s=%.0f send_cpu=%.3f"
                            + " recv_cpu=%.3f other_load=%.2f switch_reads_per_s=%.0f switch_writes_per_s=%.0f"
                            + " switch_sleeps_per_s=%.0f frames_per_read=%.1f%n",
                    mode, size, rep, r.seconds, r.offered / r.seconds, r.forwarded / r.seconds, r.deliveredFps(),
                    r.deliveredGbps(outSize), nonZero(r.drops), r.badFrames, r.switchCpu / r.seconds,
                    r.switchUser / r.seconds, (r.switchCpu - r.switchUser) / r.seconds,
                    r.switchCpu > 0 ? r.delivered / r.switchCpu : 0, r.sendCpu / r.seconds, r.recvCpu / r.seconds, r.otherLoad,
                    r.switchReads / r.seconds, r.switchWrites / r.seconds, r.switchSleeps / r.seconds,
                    r.switchReads > 0 ? (double) (r.forwarded + r.drops.values().stream().mapToLong(x -> x).sum())
                            / r.switchReads : 0);
        }
        Run m = runs.stream().sorted((a, b) -> Double.compare(a.deliveredFps(), b.deliveredFps()))
                .toList().get(runs.size() / 2);
        double[] fps = runs.stream().mapToDouble(Run::deliveredFps).sorted().toArray();
        System.out.printf(Locale.ROOT,
                "MEDIAN parvirt mode=%s size=%d delivered_fps=%.0f delivered_gbps=%.3f min_fps=%.0f max_fps=%.0f"
                        + " switch_cpu=%.3f fps_per_switch_cpu_s=%.0f offered_fps=%.0f drops=%s%n",
                mode, size, m.deliveredFps(), m.deliveredGbps(outSize), fps[0], fps[fps.length - 1],
                m.switchCpu / m.seconds, m.delivered / m.switchCpu, m.offered / m.seconds, nonZero(m.drops));
    }

    static Run capacityRun(String mode, int size, int outSize, int batch, double warmup, double seconds,
            int bufferKb, int switchCpu) throws Exception {
        Path dir = Files.createTempDirectory("parvirt-fwd-");
        boolean tagged = mode.equals("tagged");
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, bufferKb * 1024);
                FakeQemu s = new FakeQemu(dir.resolve("s.sock")); FakeQemu r = new FakeQemu(dir.resolve("r.sock"))) {
            net.connect(1, "S", List.of(adapter("S/2", MAC_S, VLAN, Set.of(), s.path)));
            PortConfig rc = tagged ? new PortConfig("R/2", MAC_R, 1, true, Set.of(VLAN), 0)
                    : new PortConfig("R/2", MAC_R, VLAN, false, Set.of(), 0);
            net.connect(2, "R", List.of(new VirtualEthernet.Adapter(2, "ETHERNET0", rc, r.path)));
            s.accept();
            r.accept();
            Thread sw = switchThread();
            String tid = nativeTid(sw);
            if (switchCpu >= 0) {
                pin(sw, switchCpu);
            }
            Reader reader = new Reader(r.conn, outSize);
            Writer writer = new Writer(s.conn, records(frame(MAC_R, MAC_S, size), batch), batch, 0);
            Thread rt = Thread.ofPlatform().name("fwd-recv").start(reader);
            Thread wt = Thread.ofPlatform().name("fwd-send").start(writer);
            sleep(warmup);
            Snapshot a = Snapshot.take(net, sw, wt, rt, writer, reader);
            long[] io0 = taskCounters(tid);
            sleep(seconds);
            long[] io1 = taskCounters(tid);
            Snapshot b = Snapshot.take(net, sw, wt, rt, writer, reader);
            writer.stop = true;
            wt.join(5000);
            s.conn.close();
            reader.stop = true;
            r.conn.close();
            rt.join(5000);
            double secs = (b.nanos - a.nanos) / 1e9;
            Map<String, Long> drops = new LinkedHashMap<>();
            for (var e : b.drops.entrySet()) {
                long d = e.getValue() - a.drops.getOrDefault(e.getKey(), 0L);
                if (d != 0) {
                    drops.put(e.getKey(), d);
                }
            }
            return new Run(mode, size, batch, secs, b.offered - a.offered, b.forwarded - a.forwarded,
                    b.delivered - a.delivered, reader.bad.get(), drops, (b.swCpu - a.swCpu) / 1e9,
                    (b.swUser - a.swUser) / 1e9, (b.sendCpu - a.sendCpu) / 1e9, (b.recvCpu - a.recvCpu) / 1e9,
                    Math.max(0, (b.hostBusy - a.hostBusy) - (b.procCpu - a.procCpu) / 1e9) / secs,
                    io1[0] - io0[0], io1[1] - io0[1], io1[2] - io0[2]);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Counters at one instant; drops keyed "port:reason", over every port. */
    record Snapshot(long nanos, long offered, long forwarded, long delivered, Map<String, Long> drops, long swCpu,
            long swUser, long sendCpu, long recvCpu, long procCpu, double hostBusy) {
        static Snapshot take(VirtualEthernet net, Thread sw, Thread wt, Thread rt, Writer w, Reader r) {
            List<VirtualEthernet.PortStatus> ports = net.ports();
            long t = System.nanoTime();
            long swCpu = THREADS.getThreadCpuTime(sw.threadId());
            long swUser = THREADS.getThreadUserTime(sw.threadId());
            long off = w.frames.get();
            long del = r.frames.get();
            Map<String, Long> drops = new LinkedHashMap<>();
            long fwd = 0;
            for (var p : ports) {
                if (p.lpar().equals("R")) {
                    fwd = p.txFrames();
                }
                p.drops().forEach((k, v) -> drops.put(p.lpar() + ":" + k, v));
            }
            return new Snapshot(t, off, fwd, del, drops, swCpu, swUser, THREADS.getThreadCpuTime(wt.threadId()),
                    THREADS.getThreadCpuTime(rt.threadId()), processCpuNanos(), hostBusySeconds());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // flood

    static void flood(Map<String, String> o) throws Exception {
        int floodSize = Integer.parseInt(o.getOrDefault("flood-size", "1500"));
        int pairSize = Integer.parseInt(o.getOrDefault("pair-size", "64"));
        int pairFps = Integer.parseInt(o.getOrDefault("pair-fps", "10000"));
        double baseline = Double.parseDouble(o.getOrDefault("baseline", "5"));
        double phase = Double.parseDouble(o.getOrDefault("seconds", "20"));
        int bufferKb = Integer.parseInt(o.getOrDefault("port-buffer-kb", "256"));
        int switchCpu = Integer.parseInt(o.getOrDefault("switch-cpu", "-1"));
        int batchBytes = Integer.parseInt(o.getOrDefault("batch-bytes", "65536"));
        System.out.printf(Locale.ROOT, "# flood: F floods %d B frames as fast as it can (unicast to R, whose end never"
                + " reads; then broadcast), C<->D exchange %d B frames at %d frame/s each way; port_buffer=%d KiB;"
                + " baseline %.0f s, then %.0f s per flood phase; switch_cpu=%d; max heap %d MiB%n", floodSize,
                pairSize, pairFps, bufferKb, baseline, phase, switchCpu, Runtime.getRuntime().maxMemory() >> 20);
        Path dir = Files.createTempDirectory("parvirt-flood-");
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, bufferKb * 1024);
                FakeQemu f = new FakeQemu(dir.resolve("f.sock")); FakeQemu r = new FakeQemu(dir.resolve("r.sock"));
                FakeQemu c = new FakeQemu(dir.resolve("c.sock")); FakeQemu d = new FakeQemu(dir.resolve("d.sock"))) {
            net.connect(1, "F", List.of(adapter("F/2", MAC_F, VLAN, Set.of(), f.path)));
            net.connect(2, "R", List.of(adapter("R/2", MAC_R, VLAN, Set.of(), r.path)));
            net.connect(3, "C", List.of(adapter("C/2", MAC_C, VLAN, Set.of(), c.path)));
            net.connect(4, "D", List.of(adapter("D/2", MAC_D, VLAN, Set.of(), d.path)));
            f.accept();
            r.accept(); // accepted, never read
            c.accept();
            d.accept();
            Thread sw = switchThread();
            if (switchCpu >= 0) {
                pin(sw, switchCpu);
            }
            // C and D: paced both ways; their readers count only the pair's frames (not the flood's).
            Reader atC = new Reader(c.conn, pairSize, MAC_D);
            Reader atD = new Reader(d.conn, pairSize, MAC_C);
            int perTick = Math.max(1, pairFps / 1000);
            Writer fromC = new Writer(c.conn, records(frame(MAC_D, MAC_C, pairSize), perTick), perTick, 1_000_000);
            Writer fromD = new Writer(d.conn, records(frame(MAC_C, MAC_D, pairSize), perTick), perTick, 1_000_000);
            List<Thread> threads = new ArrayList<>();
            threads.add(Thread.ofPlatform().name("fwd-recv-c").start(atC));
            threads.add(Thread.ofPlatform().name("fwd-recv-d").start(atD));
            threads.add(Thread.ofPlatform().name("fwd-send-c").start(fromC));
            threads.add(Thread.ofPlatform().name("fwd-send-d").start(fromD));
            int floodBatch = Math.max(1, batchBytes / (4 + floodSize));
            Sampler sampler = new Sampler(net, sw, fromC, fromD, atC, atD);
            sleep(1);
            long liveStart = liveHeap();
            sampler.phase("baseline (no flood)", baseline);
            Writer uni = new Writer(f.conn, records(frame(MAC_R, MAC_F, floodSize), floodBatch), floodBatch, 0);
            Thread ut = Thread.ofPlatform().name("fwd-flood").start(uni);
            sampler.phase("unicast flood F->R (R never reads)", phase);
            uni.stop = true;
            ut.join(5000);
            Writer bc = new Writer(f.conn, records(frame(BROADCAST, MAC_F, floodSize), floodBatch), floodBatch, 0);
            Thread bt = Thread.ofPlatform().name("fwd-flood-bc").start(bc);
            sampler.phase("broadcast flood from F (R never reads)", phase);
            bc.stop = true;
            bt.join(5000);
            sampler.phase("after the flood", baseline);
            sampler.summary();
            long gcs = 0;
            long gcMs = 0;
            for (var g : ManagementFactory.getGarbageCollectorMXBeans()) {
                gcs += g.getCollectionCount();
                gcMs += g.getCollectionTime();
            }
            long liveEnd = liveHeap();
            System.out.printf(Locale.ROOT, "FLOOD live_heap_after_full_gc_start_mib=%.1f live_heap_after_full_gc_end_mib=%.1f"
                    + " gcs_before_the_end=%d gc_ms=%d rss_after_full_gc_kib=%d%n", liveStart / 1048576.0,
                    liveEnd / 1048576.0, gcs, gcMs, rssKb());
            fromC.stop = true;
            fromD.stop = true;
            atC.stop = true;
            atD.stop = true;
            for (FakeQemu q : List.of(f, r, c, d)) {
                q.conn.close();
            }
            for (Thread t : threads) {
                t.join(5000);
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Samples memory every 250 ms and prints a line a second; keeps the figures for the summary. */
    static final class Sampler {
        final VirtualEthernet net;
        final Thread sw;
        final Writer fromC;
        final Writer fromD;
        final Reader atC;
        final Reader atD;
        final BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        final List<String> summaries = new ArrayList<>();
        long rssBaselineEnd;
        long rssMax;
        long rssEnd;
        long heapMax;
        long directMax;

        Sampler(VirtualEthernet net, Thread sw, Writer fromC, Writer fromD, Reader atC, Reader atD) {
            this.net = net;
            this.sw = sw;
            this.fromC = fromC;
            this.fromD = fromD;
            this.atC = atC;
            this.atD = atD;
        }

        void phase(String name, double seconds) throws IOException, InterruptedException {
            System.out.println("## phase: " + name);
            List<VirtualEthernet.PortStatus> p0 = net.ports();
            long offC0 = fromC.frames.get(), offD0 = fromD.frames.get(), gotC0 = atC.frames.get(),
                    gotD0 = atD.frames.get(), cpu0 = THREADS.getThreadCpuTime(sw.threadId()), t0 = System.nanoTime();
            long alloc0 = THREADS.getThreadAllocatedBytes(sw.threadId());
            long allAlloc0 = THREADS.getTotalThreadAllocatedBytes();
            long rssMin = Long.MAX_VALUE, rssHi = 0, heapHi = 0, directHi = 0;
            double worstPairShare = Double.MAX_VALUE;
            long lastOffC = offC0, lastOffD = offD0, lastGotC = gotC0, lastGotD = gotD0;
            long deadline = t0 + (long) (seconds * 1e9);
            int tick = 0;
            while (System.nanoTime() < deadline) {
                sleep(0.25);
                tick++;
                long rss = rssKb();
                long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                long dm = direct.getMemoryUsed();
                rssMin = Math.min(rssMin, rss);
                rssHi = Math.max(rssHi, rss);
                heapHi = Math.max(heapHi, heap);
                directHi = Math.max(directHi, dm);
                if (tick % 4 == 0) {
                    long offC = fromC.frames.get(), offD = fromD.frames.get(), gotC = atC.frames.get(),
                            gotD = atD.frames.get();
                    // frames the pair offered in this second that arrived (C->D arrives at D, D->C at C)
                    double share = (double) (gotD - lastGotD + gotC - lastGotC)
                            / Math.max(1, offC - lastOffC + offD - lastOffD);
                    worstPairShare = Math.min(worstPairShare, share);
                    System.out.printf(Locale.ROOT, "t=%5.1fs rss=%d KiB heap_used=%.1f MiB direct=%.1f MiB"
                            + " pair_offered=%d pair_delivered=%d (%.3f)%n", (System.nanoTime() - t0) / 1e9, rss,
                            heap / 1048576.0, dm / 1048576.0, offC - lastOffC + offD - lastOffD,
                            gotD - lastGotD + gotC - lastGotC, share);
                    lastOffC = offC;
                    lastOffD = offD;
                    lastGotC = gotC;
                    lastGotD = gotD;
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpu = (THREADS.getThreadCpuTime(sw.threadId()) - cpu0) / 1e9 / secs;
            double swAlloc = (THREADS.getThreadAllocatedBytes(sw.threadId()) - alloc0) / secs;
            double allAlloc = (THREADS.getTotalThreadAllocatedBytes() - allAlloc0) / secs;
            List<VirtualEthernet.PortStatus> p1 = net.ports();
            StringBuilder ports = new StringBuilder();
            for (int i = 0; i < p1.size(); i++) {
                var a = p0.get(i);
                var b = p1.get(i);
                Map<String, Long> dd = new LinkedHashMap<>();
                b.drops().forEach((k, v) -> {
                    long x = v - a.drops().getOrDefault(k, 0L);
                    if (x != 0) {
                        dd.put(k, x);
                    }
                });
                ports.append(String.format(Locale.ROOT, " %s[rx %.0f/s tx %.0f/s drops/s %s]", b.lpar(),
                        (b.rxFrames() - a.rxFrames()) / secs, (b.txFrames() - a.txFrames()) / secs,
                        perSecond(dd, secs)));
            }
            long offPair = fromC.frames.get() - offC0 + fromD.frames.get() - offD0;
            long gotPair = atC.frames.get() - gotC0 + atD.frames.get() - gotD0;
            String s = String.format(Locale.ROOT,
                    "PHASE %s: %.1f s; rss min/max %d/%d KiB; heap used max %.1f MiB; direct max %.1f MiB;"
                            + " switch thread %.2f core, allocated %.0f B/s (all threads %.0f B/s); pair delivered %d of %d offered (%.4f, worst second %.3f);"
                            + " ports:%s",
                    name, secs, rssMin, rssHi, heapHi / 1048576.0, directHi / 1048576.0, cpu, swAlloc, allAlloc, gotPair, offPair,
                    (double) gotPair / Math.max(1, offPair), worstPairShare, ports);
            System.out.println(s);
            summaries.add(s);
            if (name.startsWith("baseline")) {
                rssBaselineEnd = rssKb();
            } else {
                rssMax = Math.max(rssMax, rssHi);
                heapMax = Math.max(heapMax, heapHi);
                directMax = Math.max(directMax, directHi);
            }
            rssEnd = rssKb();
        }

        void summary() throws IOException {
            System.out.printf(Locale.ROOT, "FLOOD rss_start_kib=%d rss_max_kib=%d rss_end_kib=%d heap_used_max_mib=%.1f"
                    + " direct_max_mib=%.1f%n", rssBaselineEnd, rssMax, rssEnd, heapMax / 1048576.0,
                    directMax / 1048576.0);
        }
    }

    static String perSecond(Map<String, Long> m, double secs) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append('=')
                .append(String.format(Locale.ROOT, "%.0f", v / secs)));
        return b.append('}').toString();
    }

    /** Heap in use after a full collection: what is retained, not garbage waiting for a collection. */
    static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** This JVM's CPU time (all threads), ns. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU seconds the whole host has been busy (user, nice, system, irq, softirq) since boot, from /proc/stat. */
    static double hostBusySeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long ticks = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]);
            return ticks / 100.0; // USER_HZ
        } catch (IOException e) {
            return 0;
        }
    }

    static long rssKb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------------------------------------
    // the synthetic QEMU ends

    /** Listens like QEMU's {@code -netdev stream,server=on}; the switch connects. */
    static final class FakeQemu implements AutoCloseable {
        final Path path;
        final ServerSocketChannel server;
        SocketChannel conn;

        FakeQemu(Path path) throws IOException {
            this.path = path;
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
        }

        void accept() throws IOException {
            conn = server.accept();
        }

        @Override
        public void close() throws IOException {
            if (conn != null) {
                conn.close();
            }
            server.close();
        }
    }

    /**
     * Writes a prepared buffer of {@code perWrite} length-prefixed frames, again and again: as
     * fast as the socket takes them, or once every {@code periodNanos}.
     */
    static final class Writer implements Runnable {
        final SocketChannel ch;
        final ByteBuffer buf;
        final int perWrite;
        final long periodNanos;
        final AtomicLong frames = new AtomicLong();
        volatile boolean stop;

        Writer(SocketChannel ch, ByteBuffer buf, int perWrite, long periodNanos) {
            this.ch = ch;
            this.buf = buf;
            this.perWrite = perWrite;
            this.periodNanos = periodNanos;
        }

        @Override
        public void run() {
            long next = System.nanoTime();
            long n = 0;
            try {
                while (!stop) {
                    buf.clear();
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    n += perWrite;
                    frames.setOpaque(n);
                    if (periodNanos > 0) {
                        next += periodNanos;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                }
            } catch (IOException e) {
                // closed at the end
            }
        }
    }

    /**
     * Reads the stream and counts whole frames of the expected length (and, if {@code fromMac} is
     * given, from that source; others are skipped uncounted); anything else is counted as bad.
     */
    static final class Reader implements Runnable {
        final SocketChannel ch;
        final int expectLen;
        final long fromMac;
        final AtomicLong frames = new AtomicLong();
        final AtomicLong bad = new AtomicLong();
        volatile boolean stop;

        Reader(SocketChannel ch, int expectLen) {
            this(ch, expectLen, -1);
        }

        Reader(SocketChannel ch, int expectLen, long fromMac) {
            this.ch = ch;
            this.expectLen = expectLen;
            this.fromMac = fromMac;
        }

        @Override
        public void run() {
            ByteBuffer b = ByteBuffer.allocateDirect(256 * 1024);
            long n = 0;
            long wrong = 0;
            try {
                while (!stop) {
                    if (ch.read(b) < 0) {
                        break;
                    }
                    b.flip();
                    int pos = b.position();
                    int lim = b.limit();
                    while (lim - pos >= 4) {
                        int len = b.getInt(pos);
                        if (lim - pos < 4 + len) {
                            break;
                        }
                        if (fromMac < 0) {
                            if (len == expectLen) {
                                n++;
                            } else {
                                wrong++;
                            }
                        } else if (mac(b, pos + 4 + 6) == fromMac) {
                            if (len == expectLen) {
                                n++;
                            } else {
                                wrong++;
                            }
                        }
                        pos += 4 + len;
                    }
                    b.position(pos);
                    b.compact();
                    frames.setOpaque(n);
                    bad.setOpaque(wrong);
                }
            } catch (IOException e) {
                // closed at the end
            }
        }
    }

    static long mac(ByteBuffer b, int i) {
        return ((b.getShort(i) & 0xFFFFL) << 32) | (b.getInt(i + 2) & 0xFFFF_FFFFL);
    }

    /** An untagged frame of {@code size} bytes (no FCS): dst, src, EtherType 0x88B5, a byte pattern. */
    static byte[] frame(long dst, long src, int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putShort((short) (dst >>> 32)).putInt((int) dst).putShort((short) (src >>> 32)).putInt((int) src);
        b.putShort((short) ETHERTYPE);
        while (b.hasRemaining()) {
            b.put((byte) b.position());
        }
        return b.array();
    }

    /** {@code n} copies of {@code frame}, each after its 4-byte big-endian length, in a direct buffer. */
    static ByteBuffer records(byte[] frame, int n) {
        ByteBuffer b = ByteBuffer.allocateDirect(n * (4 + frame.length));
        for (int i = 0; i < n; i++) {
            b.putInt(frame.length).put(frame);
        }
        return b.flip();
    }

    static VirtualEthernet.Adapter adapter(String name, long mac, int pvid, Set<Integer> addl, Path sock) {
        return new VirtualEthernet.Adapter(2, "ETHERNET0", new PortConfig(name, mac, pvid, !addl.isEmpty(), addl, 0),
                sock);
    }

    // ---------------------------------------------------------------------------------------------
    // threads

    /** The switch loop's thread (named "vswitch"); the newest one alive. */
    static Thread switchThread() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("vswitch") && t.isAlive())
                .max((a, b) -> Long.compare(a.threadId(), b.threadId())).orElseThrow();
    }

    /** The switch thread's read and write system calls and voluntary context switches (sleeps in select), so far. */
    static long[] taskCounters(String tid) throws IOException {
        long[] v = new long[3];
        for (String l : Files.readAllLines(Path.of("/proc/self/task", tid, "io"))) {
            if (l.startsWith("syscr:")) {
                v[0] = Long.parseLong(l.substring(6).strip());
            } else if (l.startsWith("syscw:")) {
                v[1] = Long.parseLong(l.substring(6).strip());
            }
        }
        for (String l : Files.readAllLines(Path.of("/proc/self/task", tid, "status"))) {
            if (l.startsWith("voluntary_ctxt_switches:")) {
                v[2] = Long.parseLong(l.substring(24).strip());
            }
        }
        return v;
    }

    /** The native thread id of {@code t}, found by its name in /proc/self/task (the JVM names native threads). */
    static String nativeTid(Thread t) throws IOException {
        List<String> tids = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path p : tasks.toList()) {
                try {
                    if (Files.readString(p.resolve("comm")).strip().equals(t.getName())) {
                        tids.add(p.getFileName().toString());
                    }
                } catch (IOException gone) {
                    // a thread that ended meanwhile
                }
            }
        }
        if (tids.size() != 1) {
            throw new IllegalStateException("expected one native thread named " + t.getName() + ", found " + tids);
        }
        return tids.getFirst();
    }

    /**
     * Moves the switch thread alone to {@code cpu} with taskset, found by its name in
     * /proc/self/task (the JVM names native threads after Java threads).
     */
    public static void pin(Thread t, int cpu) throws IOException, InterruptedException {
        String tid = nativeTid(t);
        Process p = new ProcessBuilder("taskset", "-p", "-c", Integer.toString(cpu), tid)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("taskset could not pin thread " + tid + " to CPU " + cpu);
        }
    }

    static void sleep(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
    }

    static String nonZero(Map<String, Long> m) {
        return m.isEmpty() ? "{}" : m.toString().replace(" ", "");
    }
}
