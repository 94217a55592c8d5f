package io.parvirt.vswitch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hypervisor's virtual Ethernet: its virtual switches and the ports of running partitions'
 * adapters, all driven by one {@link SwitchLoop}. Partitions' ports are connected when they are
 * activated (or re-adopted) and disconnected when they end. A VIOS's trunk adapters are not guest
 * NICs: each is bridged to a host TAP interface ({@link TapPort}, the Shared Ethernet Adapter's
 * role), made when the VIOS is connected and deleted when it ends.
 */
public final class VirtualEthernet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VirtualEthernet.class);

    /**
     * One adapter of a partition to connect: its switch, its port's VLAN settings, and either QEMU's
     * socket or, for a trunk bridged to the host, the TAP interface's name ({@code socket} null).
     */
    public record Adapter(int slot, String vswitch, PortConfig config, Path socket, String tap, Transport transport) {
        public Adapter {
            transport = transport == null ? Transport.STREAM : transport;
        }

        public Adapter(int slot, String vswitch, PortConfig config, Path socket, String tap) {
            this(slot, vswitch, config, socket, tap, Transport.STREAM);
        }

        public Adapter(int slot, String vswitch, PortConfig config, Path socket) {
            this(slot, vswitch, config, socket, null);
        }
    }

    /**
     * A port as the API and /metrics show it: where it is, whether its peer is connected (QEMU's
     * socket, or the TAP interface open), the host interface of a bridged trunk (else null), whether
     * it is its VLANs' active trunk, and its counters.
     */
    public record PortStatus(String vswitch, int lparId, String lpar, int slot, PortConfig config, boolean connected,
            long connects, String hostInterface, boolean activeTrunk, long rxFrames, long rxBytes, long txFrames,
            long txBytes, Map<String, Long> drops, String transport, long rxSegments) {
    }

    private final SwitchLoop loop = new SwitchLoop();
    private final SwitchSettings settings;
    private final int bufferBytes;
    private final SeaSettings sea;
    private final Consumer<String> events;
    /** Loop thread only. */
    private final Map<String, VirtualSwitch> switches = new LinkedHashMap<>();
    private final Map<Integer, List<StreamPort>> byPartition = new HashMap<>();
    private final Map<Integer, List<TapPort>> trunksByPartition = new HashMap<>();
    private final Map<Integer, List<VhostUserPort>> vhostByPartition = new HashMap<>();
    /** How often the ports' counters are saved ({@link CounterCheckpoint}): what a SIGKILL can lose. */
    public static final Duration CHECKPOINT_EVERY = Duration.ofSeconds(2);
    /** Where a partition's counters are saved (its run directory); null: they are not. */
    private volatile IntFunction<Path> checkpointDirs;
    private ScheduledExecutorService checkpointer;
    /** Guarded by this: what was last written per partition, so an idle one is not written again. */
    private final Map<Integer, Map<Integer, Map<String, Long>>> written = new HashMap<>();

    public VirtualEthernet(SwitchSettings settings, int bufferBytes) {
        this(settings, bufferBytes, SeaSettings.NONE, text -> LOG.info("{}", text));
    }

    /** {@code events}: what an administrator must hear of (a trunk that cannot reach the host). */
    public VirtualEthernet(SwitchSettings settings, int bufferBytes, SeaSettings sea, Consumer<String> events) {
        this.settings = settings;
        this.bufferBytes = bufferBytes;
        this.sea = sea;
        this.events = events;
    }

    /**
     * Saves every partition's port counters in its directory ({@code runDirs}) every
     * {@link #CHECKPOINT_EVERY} and when the switches stop, for {@link #resume} after a restart.
     */
    public synchronized void checkpointIn(IntFunction<Path> runDirs) {
        this.checkpointDirs = runDirs;
        if (checkpointer == null) {
            checkpointer = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("vswitch checkpoint").factory());
            long ms = CHECKPOINT_EVERY.toMillis();
            checkpointer.scheduleWithFixedDelay(this::checkpointQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Connects the adapters of a partition an earlier daemon left running (re-adoption): as
     * {@link #connect}, and each port goes on from the counters that daemon last saved.
     */
    public void resume(int lparId, String lpar, List<Adapter> adapters) {
        connect(lparId, lpar, adapters, false, true);
    }

    /**
     * Connects a partition's adapters (replacing any it had); their switches are made on first use.
     * A bridged trunk whose TAP interface cannot be made is left out (no standby trunk would take
     * over from a trunk that reaches nothing) and reported through the events.
     */
    public void connect(int lparId, String lpar, List<Adapter> adapters) {
        connect(lparId, lpar, adapters, false, false);
    }

    /**
     * Connects the adapters of a partition arriving by live migration: its guest still runs on the
     * source system until the switch-over, so its ports take over its addresses only with the
     * guest's first frame here ({@link VirtualSwitch#attachArriving}); till then frames for them
     * still leave through the trunk towards the source.
     */
    public void connectArriving(int lparId, String lpar, List<Adapter> adapters) {
        connect(lparId, lpar, adapters, true, false);
    }

    private void connect(int lparId, String lpar, List<Adapter> adapters, boolean arriving, boolean resume) {
        disconnect(lparId); // before the TAPs are opened: a re-connect reopens the same interfaces
        Map<Integer, Map<String, Long>> saved = savedCounters(lparId, resume);
        List<TapDevice> taps = new ArrayList<>();
        List<Adapter> ready = new ArrayList<>();
        for (Adapter a : adapters) {
            if (a.tap() == null) {
                ready.add(a);
                continue;
            }
            try {
                TapDevice t = TapDevice.open(a.tap(), sea.netns());
                try {
                    configure(a.tap());
                } catch (IOException e) {
                    t.close(true);
                    throw e;
                }
                taps.add(t);
                ready.add(a);
            } catch (IOException e) {
                events.accept("Trunk adapter " + a.slot() + " of partition " + lpar + " (id " + lparId + ") on "
                        + a.vswitch() + " is not bridged to the host, and so is not active: " + e.getMessage()
                        + ". Its VLANs reach the outside through another trunk adapter, if one is active.");
            }
        }
        await(loop.call(() -> {
            drop(lparId, true);
            List<StreamPort> ports = new ArrayList<>();
            List<TapPort> trunks = new ArrayList<>();
            byPartition.put(lparId, ports);
            trunksByPartition.put(lparId, trunks);
            int nextTap = 0;
            try {
                for (Adapter a : ready) {
                    VirtualSwitch sw = switches.computeIfAbsent(a.vswitch(), n -> new VirtualSwitch(n, settings));
                    if (a.tap() == null && a.transport() == Transport.VHOST_USER) {
                        vhostByPartition.computeIfAbsent(lparId, k -> new ArrayList<>())
                                .add(openVhost(sw, lpar, a, arriving));
                    } else if (a.tap() == null) {
                        ports.add(open(sw, lpar, a, arriving));
                    } else {
                        TapDevice t = taps.get(nextTap++);
                        TapPort p;
                        try {
                            p = new TapPort(t, lpar, a.slot(), sw, loop);
                        } catch (IOException e) {
                            t.close(true);
                            throw new java.io.UncheckedIOException(e);
                        }
                        trunks.add(p);
                        p.port = sw.attach(a.config(), p);
                        p.start();
                    }
                }
            } catch (RuntimeException e) {
                for (int i = nextTap; i < taps.size(); i++) {
                    taps.get(i).close(true);
                }
                drop(lparId, true);
                throw e;
            }
            counters(lparId).forEach((slot, c) -> c.restore(saved.getOrDefault(slot, Map.of())));
            return null;
        }));
    }

    /**
     * The counters an earlier daemon saved for the partition when it is re-adopted; otherwise none,
     * and a checkpoint of an earlier run of the partition is deleted (a restart before the first
     * checkpoint of this run must not bring back that one's counts).
     */
    private Map<Integer, Map<String, Long>> savedCounters(int lparId, boolean resume) {
        IntFunction<Path> dirs = checkpointDirs;
        if (dirs == null) {
            return Map.of();
        }
        Path file = dirs.apply(lparId).resolve(CounterCheckpoint.FILE);
        if (resume) {
            return CounterCheckpoint.read(file);
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete the old port counters {}: {}", file, e.getMessage());
        }
        return Map.of();
    }

    /** Loop thread: the counters of a partition's ports, by slot. */
    private Map<Integer, PortCounters> counters(int lparId) {
        Map<Integer, PortCounters> out = new HashMap<>();
        for (StreamPort p : byPartition.getOrDefault(lparId, List.of())) {
            out.put(p.slot, p.port.counters());
        }
        for (VhostUserPort p : vhostByPartition.getOrDefault(lparId, List.of())) {
            out.put(p.slot, p.port.counters());
        }
        for (TapPort p : trunksByPartition.getOrDefault(lparId, List.of())) {
            if (p.port != null) {
                out.put(p.slot, p.port.counters());
            }
        }
        return out;
    }

    private void checkpointQuietly() {
        try {
            checkpoint();
        } catch (RuntimeException e) {
            LOG.warn("saving the port counters: {}", e.getMessage());
        }
    }

    /** Saves every connected partition's counters whose counts changed since they were last saved. */
    synchronized void checkpoint() {
        IntFunction<Path> dirs = checkpointDirs;
        if (dirs == null) {
            return;
        }
        Map<Integer, Map<Integer, Map<String, Long>>> now = await(loop.call(() -> {
            Map<Integer, Map<Integer, Map<String, Long>>> m = new HashMap<>();
            for (int id : partitions()) {
                Map<Integer, Map<String, Long>> bySlot = new HashMap<>();
                counters(id).forEach((slot, c) -> bySlot.put(slot, c.saved()));
                m.put(id, bySlot);
            }
            return m;
        }));
        written.keySet().retainAll(now.keySet());
        now.forEach((id, counts) -> {
            if (!counts.equals(written.get(id)) && CounterCheckpoint.write(dirs.apply(id).resolve(CounterCheckpoint.FILE),
                    counts)) {
                written.put(id, counts);
            }
        });
    }

    /** Loop thread: every partition with a port. */
    private java.util.Set<Integer> partitions() {
        java.util.Set<Integer> ids = new java.util.HashSet<>(byPartition.keySet());
        ids.addAll(vhostByPartition.keySet());
        ids.addAll(trunksByPartition.keySet());
        return ids;
    }

    /** Brings a new TAP interface up, enslaved to the configured bridge if there is one. */
    private void configure(String tap) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (sea.netns() != null) {
            cmd.addAll(List.of("nsenter", "--net=" + sea.netns()));
        }
        cmd.addAll(List.of("ip", "link", "set", "dev", tap));
        if (sea.bridge() != null) {
            cmd.addAll(List.of("master", sea.bridge()));
        }
        cmd.add("up");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out
                    + (sea.bridge() != null ? " (does bridge " + sea.bridge() + " exist? see vswitch.sea_bridge)" : ""));
        }
    }

    /** Disconnects a partition's adapters (it ended); a no-op when it has none. Its TAP interfaces go. */
    public void disconnect(int lparId) {
        await(loop.call(() -> {
            drop(lparId, true);
            return null;
        }));
    }

    private void drop(int lparId, boolean deleteInterfaces) {
        List<StreamPort> old = byPartition.remove(lparId);
        if (old != null) {
            for (StreamPort p : old) {
                loop.remove(p);
                p.vswitch.detach(p.port);
            }
        }
        List<VhostUserPort> vhost = vhostByPartition.remove(lparId);
        if (vhost != null) {
            for (VhostUserPort p : vhost) {
                p.close();
                p.vswitch.detach(p.port);
            }
        }
        List<TapPort> trunks = trunksByPartition.remove(lparId);
        if (trunks != null) {
            for (TapPort p : trunks) {
                p.close(deleteInterfaces);
                if (p.port != null) {
                    p.vswitch.detach(p.port);
                }
            }
        }
    }

    /**
     * Connects one more adapter of a running partition to its switch (adapter DLPAR): QEMU already
     * listens on its socket. A trunk (a TAP) cannot be added this way.
     */
    public void attach(int lparId, String lpar, Adapter a) {
        if (a.tap() != null) {
            throw new IllegalArgumentException("a bridged trunk adapter is connected with its partition");
        }
        await(loop.call(() -> {
            VirtualSwitch sw = switches.computeIfAbsent(a.vswitch(), n -> new VirtualSwitch(n, settings));
            if (a.transport() == Transport.VHOST_USER) {
                vhostByPartition.computeIfAbsent(lparId, k -> new ArrayList<>()).add(openVhost(sw, lpar, a, false));
            } else {
                byPartition.computeIfAbsent(lparId, k -> new ArrayList<>()).add(open(sw, lpar, a, false));
            }
            return null;
        }));
    }

    /** A guest adapter's port: QEMU's socket joined to switch {@code sw} and served by the loop (on the loop). */
    private StreamPort open(VirtualSwitch sw, String lpar, Adapter a, boolean arriving) {
        StreamPort p = new StreamPort(a.socket(), lpar, a.slot(), sw, bufferBytes);
        p.port = arriving ? sw.attachArriving(a.config(), p) : sw.attach(a.config(), p);
        loop.add(p);
        return p;
    }

    /**
     * A guest adapter's vhost-user port (on the loop): QEMU listens on the adapter's socket and
     * the port connects to it as soon as it can (QEMU may not have started yet, or may be a
     * running guest's that an earlier daemon served); QEMU then hands over its memory and rings.
     */
    private VhostUserPort openVhost(VirtualSwitch sw, String lpar, Adapter a, boolean arriving) {
        VhostUserPort p = new VhostUserPort(a.socket(), lpar, a.slot(), sw, loop);
        p.port = arriving ? sw.attachArriving(a.config(), p) : sw.attach(a.config(), p);
        p.start();
        return p;
    }

    /** Disconnects one adapter of a running partition (adapter DLPAR); its other ports stay. */
    public void detach(int lparId, int slot) {
        await(loop.call(() -> {
            List<StreamPort> ports = byPartition.getOrDefault(lparId, List.of());
            for (StreamPort p : List.copyOf(ports)) {
                if (p.slot == slot) {
                    loop.remove(p);
                    p.vswitch.detach(p.port);
                    ports.remove(p);
                }
            }
            List<VhostUserPort> vhost = vhostByPartition.getOrDefault(lparId, List.of());
            for (VhostUserPort p : List.copyOf(vhost)) {
                if (p.slot == slot) {
                    p.close();
                    p.vswitch.detach(p.port);
                    vhost.remove(p);
                }
            }
            return null;
        }));
    }

    /**
     * Changes one connected adapter's VLANs in place (a live {@code chhwres -o s}): its port leaves
     * the switch and comes back with the new settings between two frames of the loop; its
     * connection to QEMU stays, so the guest sees no link change.
     */
    public void reconfigure(int lparId, int slot, PortConfig config) {
        await(loop.call(() -> {
            for (StreamPort p : byPartition.getOrDefault(lparId, List.of())) {
                if (p.slot == slot) {
                    p.vswitch.detach(p.port);
                    p.port = p.vswitch.attach(config, p);
                }
            }
            for (VhostUserPort p : vhostByPartition.getOrDefault(lparId, List.of())) {
                if (p.slot == slot) {
                    p.vswitch.detach(p.port);
                    p.port = p.vswitch.attach(config, p);
                }
            }
            return null;
        }));
    }

    /** Every port, with its counters. */
    public List<PortStatus> ports() {
        return await(loop.call(() -> {
            List<PortStatus> out = new ArrayList<>();
            for (var e : byPartition.entrySet()) {
                for (StreamPort p : e.getValue()) {
                    PortCounters c = p.port.counters();
                    Map<String, Long> drops = drops(c);
                    out.add(new PortStatus(p.vswitch.name(), e.getKey(), p.lpar, p.slot, p.port.config(),
                            p.connected(), p.connects, null, false, c.rxFrames(), c.rxBytes(), c.txFrames(),
                            c.txBytes(), drops, Transport.STREAM.spelling(), c.rxSegments()));
                }
            }
            for (var e : vhostByPartition.entrySet()) {
                for (VhostUserPort p : e.getValue()) {
                    PortCounters c = p.port.counters();
                    out.add(new PortStatus(p.vswitch.name(), e.getKey(), p.lpar, p.slot, p.port.config(),
                            p.connected(), p.connects(), null, false, c.rxFrames(), c.rxBytes(), c.txFrames(),
                            c.txBytes(), drops(c), Transport.VHOST_USER.spelling(), c.rxSegments()));
                }
            }
            for (var e : trunksByPartition.entrySet()) {
                for (TapPort p : e.getValue()) {
                    if (p.port == null) {
                        continue;
                    }
                    PortCounters c = p.port.counters();
                    Map<String, Long> drops = drops(c);
                    out.add(new PortStatus(p.vswitch.name(), e.getKey(), p.lpar, p.slot, p.port.config(), p.open(),
                            1, p.interfaceName(), p.vswitch.activeTrunk(p.port), c.rxFrames(), c.rxBytes(),
                            c.txFrames(), c.txBytes(), drops, "tap", c.rxSegments()));
                }
            }
            out.sort(java.util.Comparator.comparing(PortStatus::vswitch).thenComparingInt(PortStatus::lparId)
                    .thenComparingInt(PortStatus::slot));
            return out;
        }));
    }

    private static Map<String, Long> drops(PortCounters c) {
        Map<String, Long> drops = new LinkedHashMap<>();
        c.dropsByReason().forEach((r, n) -> drops.put(r.name().toLowerCase(java.util.Locale.ROOT), n));
        return drops;
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the virtual switch loop did not answer within 10 s", e);
        }
    }

    /**
     * Stops the switches; bridged trunks' TAP interfaces stay for the daemon that re-adopts their
     * VIOS, and the ports' counters are saved for it.
     */
    @Override
    public void close() {
        ScheduledExecutorService c;
        synchronized (this) {
            c = checkpointer;
            checkpointer = null;
        }
        if (c != null) {
            c.shutdownNow();
            checkpointQuietly();
        }
        try {
            await(loop.call(() -> {
                for (List<VhostUserPort> ports : vhostByPartition.values()) {
                    ports.forEach(VhostUserPort::close);
                }
                for (int id : List.copyOf(trunksByPartition.keySet())) {
                    for (TapPort p : trunksByPartition.remove(id)) {
                        p.close(false);
                    }
                }
                return null;
            }));
        } catch (IllegalStateException e) {
            LOG.warn("closing the bridged trunks: {}", e.getMessage());
        }
        loop.close();
    }
}
