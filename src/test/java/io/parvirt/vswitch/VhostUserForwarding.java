package io.parvirt.vswitch;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Small frames through the switch between two vhost-user ports, with synthetic front ends
 * ({@link VhostUserFrontEnd}) in this JVM: S keeps its transmit ring full of one 64-byte frame,
 * R posts its receive buffers back as fast as the switch fills them. The switch's real
 * {@link VirtualEthernet} loop thread does the work (the port's session thread turns kicks into
 * drains). Reported: frames delivered to R per second over the window, and the switch thread's CPU
 * time (ThreadMXBean), so "per switch-core-second" is measured, and the bytes it allocated (zero
 * per frame is the rule). With {@code on}, R's front end logs as during a migration: every
 * frame's buffer and used entry is marked in the dirty log. Run by {@code bench/vhost-user-mpps.sh}.
 *
 * <p>Both front ends negotiate what a Linux guest does, VIRTIO_RING_F_EVENT_IDX included: S kicks
 * only when the switch asked (it posts a whole ring's room at a time), R reposts its buffers once
 * per look at the used ring and never kicks (the switch wants no receive kicks).
 *
 * <p>{@code alone}: the generator alone, to show it is not the limit: S's handshake with the switch,
 * then the switch goes and a thread of this JVM gives S's chains back as a device that drops them
 * (no copy, no forwarding). Reported as {@code generator=... Mpps}.
 *
 * <p>{@code SWITCH_CPU} (≥ 0): the switch loop thread is moved alone to that CPU with taskset
 * (the script starts the JVM on the other CPUs), as {@code bench/vswitch-forward.sh} does.
 *
 * <p>Usage: {@code VhostUserForwarding SECONDS WARMUP FRAME_BYTES [off|on] [switch|alone] [SWITCH_CPU]}
 */
public final class VhostUserForwarding {
    private VhostUserForwarding() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args[0]);
        int warmup = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        boolean log = args.length > 3 && args[3].equals("on");
        boolean alone = args.length > 4 && args[4].equals("alone");
        int switchCpu = args.length > 5 ? Integer.parseInt(args[5]) : -1;
        Path dir = Files.createTempDirectory("vhost-bench-");
        long macS = 0x0E5056001002L;
        long macR = 0x0E5056002002L;
        if (alone) {
            generatorAlone(dir, seconds, warmup, size, macS, macR);
            return;
        }
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            net.connect(1, "s", List.of(adapter("s/2", macS, dir.resolve("s.sock"))));
            net.connect(2, "r", List.of(adapter("r/2", macR, dir.resolve("r.sock"))));
            try (VhostUserFrontEnd s = new VhostUserFrontEnd(dir.resolve("s.sock"), VhostNet.FEATURES);
                    VhostUserFrontEnd r = new VhostUserFrontEnd(dir.resolve("r.sock"), VhostNet.FEATURES)) {
                if (log) {
                    r.startLogging();
                }
                r.postReceive(VhostUserFrontEnd.QUEUE);
                if (switchCpu >= 0) {
                    io.parvirt.bench.ForwardingCapacity.pin(switchThread(), switchCpu);
                }
                byte[] frame = TestFrames.untagged(macR, macS, size);
                AtomicLong delivered = new AtomicLong();
                long end = System.nanoTime() + (warmup + seconds) * 1_000_000_000L;
                Thread receiver = spin(end, r::recycle, delivered);
                s.pump(frame, true); // writes the descriptors once
                Thread sender = spin(end, () -> s.pump(frame, false), new AtomicLong());
                Thread.sleep(warmup * 1000L);
                long cpu0 = switchCpu();
                long alloc0 = switchAllocated();
                long d0 = delivered.get();
                long t0 = System.nanoTime();
                Thread.sleep(seconds * 1000L);
                long d1 = delivered.get();
                long t1 = System.nanoTime();
                long cpu1 = switchCpu();
                long alloc1 = switchAllocated();
                sender.join();
                receiver.join();
                double secs = (t1 - t0) / 1e9;
                double fps = (d1 - d0) / secs;
                double core = (cpu1 - cpu0) / 1e9 / secs;
                VirtualEthernet.PortStatus rs = net.ports().stream().filter(p -> p.lparId() == 2).findFirst().orElseThrow();
                System.out.printf(Locale.ROOT, "frame=%dB log=%s delivered=%.3f Mpps switch-core=%.2f per-core=%.3f Mpps "
                        + "alloc=%.3f B/frame drops=%s kicks-tx=%d kicks-rx=%d event_idx=%s%n", size, log ? "on" : "off",
                        fps / 1e6, core, fps / Math.max(core, 1e-9) / 1e6, (double) (alloc1 - alloc0) / Math.max(1, d1 - d0),
                        rs.drops(), s.kicks[VhostNet.TX], r.kicks[VhostNet.RX], s.eventIdx);
            }
        }
    }

    /** S's generator against a device that drops every chain at once: how fast the benchmark's sender can go. */
    static void generatorAlone(Path dir, int seconds, int warmup, int size, long macS, long macR) throws Exception {
        VhostUserFrontEnd s;
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            net.connect(1, "s", List.of(adapter("s/2", macS, dir.resolve("s.sock"))));
            s = new VhostUserFrontEnd(dir.resolve("s.sock"), VhostNet.FEATURES);
        } // the switch is gone: from here S's transmit ring is the null device's
        try (s) {
            byte[] frame = TestFrames.untagged(macR, macS, size);
            AtomicLong consumed = new AtomicLong();
            long end = System.nanoTime() + (warmup + seconds) * 1_000_000_000L;
            Thread device = spin(end, s::consumeAsNullDevice, consumed);
            s.pump(frame, true);
            Thread sender = spin(end, () -> s.pump(frame, false), new AtomicLong());
            Thread.sleep(warmup * 1000L);
            long c0 = consumed.get();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long c1 = consumed.get();
            long t1 = System.nanoTime();
            sender.join();
            device.join();
            System.out.printf(Locale.ROOT, "frame=%dB generator=%.3f Mpps (alone: a null device gives every chain back)%n",
                    size, (c1 - c0) / ((t1 - t0) / 1e9) / 1e6);
        }
    }

    /**
     * A thread that runs {@code step} until {@code end} (System.nanoTime), adding what it returns to
     * {@code count}; a step that found nothing to do yields its CPU. S and R share one CPU (the
     * switch has the other): spinning through an empty step held that CPU for the scheduler's whole
     * slice (milliseconds) while the other end, with a ring's work waiting, could not run, so each
     * end moved one ring (256 chains) per slice and the figure was the scheduler's, not the switch's.
     */
    static Thread spin(long end, java.util.function.IntSupplier step, AtomicLong count) {
        return Thread.ofPlatform().start(() -> {
            while (System.nanoTime() < end) {
                int n = step.getAsInt();
                if (n == 0) {
                    Thread.yield();
                } else {
                    count.addAndGet(n);
                }
            }
        });
    }

    static Thread switchThread() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("vswitch")).findFirst()
                .orElseThrow();
    }

    static VirtualEthernet.Adapter adapter(String name, long mac, Path sock) {
        return new VirtualEthernet.Adapter(2, "ETHERNET0", new PortConfig(name, mac, 10, false, Set.of(), 0), sock,
                null, Transport.VHOST_USER);
    }

    /** Bytes the switch loop thread has allocated so far. */
    static long switchAllocated() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("vswitch")) {
                return threads.getThreadAllocatedBytes(t.threadId());
            }
        }
        return 0;
    }

    /** CPU nanoseconds of the switch loop thread (named "vswitch") and the vhost-user session threads. */
    static long switchCpu() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("vswitch")) {
                sum += threads.getThreadCpuTime(t.threadId());
            }
        }
        return sum;
    }
}
