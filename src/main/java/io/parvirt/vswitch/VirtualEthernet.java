package io.parvirt.vswitch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The hypervisor's virtual Ethernet: its virtual switches and the ports of running partitions'
 * adapters, all driven by one {@link SwitchLoop}. Partitions' ports are connected when they are
 * activated (or re-adopted) and disconnected when they end.
 */
public final class VirtualEthernet implements AutoCloseable {
    /** One adapter of a partition to connect: its switch, its port's VLAN settings and QEMU's socket. */
    public record Adapter(int slot, String vswitch, PortConfig config, Path socket) {
    }

    /** A port as the API and /metrics show it: where it is, whether QEMU is connected, its counters. */
    public record PortStatus(String vswitch, int lparId, String lpar, int slot, PortConfig config, boolean connected,
            long connects, long rxFrames, long rxBytes, long txFrames, long txBytes, Map<String, Long> drops) {
    }

    private final SwitchLoop loop = new SwitchLoop();
    private final SwitchSettings settings;
    private final int bufferBytes;
    /** Loop thread only. */
    private final Map<String, VirtualSwitch> switches = new LinkedHashMap<>();
    private final Map<Integer, List<StreamPort>> byPartition = new HashMap<>();

    public VirtualEthernet(SwitchSettings settings, int bufferBytes) {
        this.settings = settings;
        this.bufferBytes = bufferBytes;
    }

    /** Connects a partition's adapters (replacing any it had); their switches are made on first use. */
    public void connect(int lparId, String lpar, List<Adapter> adapters) {
        await(loop.call(() -> {
            drop(lparId);
            List<StreamPort> ports = new ArrayList<>();
            try {
                for (Adapter a : adapters) {
                    VirtualSwitch sw = switches.computeIfAbsent(a.vswitch(), n -> new VirtualSwitch(n, settings));
                    StreamPort p = new StreamPort(a.socket(), lpar, a.slot(), sw, bufferBytes);
                    p.port = sw.attach(a.config(), p);
                    ports.add(p);
                    loop.add(p);
                }
            } catch (RuntimeException e) {
                byPartition.put(lparId, ports);
                drop(lparId);
                throw e;
            }
            byPartition.put(lparId, ports);
            return null;
        }));
    }

    /** Disconnects a partition's adapters (it ended); a no-op when it has none. */
    public void disconnect(int lparId) {
        await(loop.call(() -> {
            drop(lparId);
            return null;
        }));
    }

    private void drop(int lparId) {
        List<StreamPort> old = byPartition.remove(lparId);
        if (old != null) {
            for (StreamPort p : old) {
                loop.remove(p);
                p.vswitch.detach(p.port);
            }
        }
    }

    /** Every port, with its counters. */
    public List<PortStatus> ports() {
        return await(loop.call(() -> {
            List<PortStatus> out = new ArrayList<>();
            for (var e : byPartition.entrySet()) {
                for (StreamPort p : e.getValue()) {
                    PortCounters c = p.port.counters();
                    Map<String, Long> drops = new LinkedHashMap<>();
                    c.dropsByReason().forEach((r, n) -> drops.put(r.name().toLowerCase(java.util.Locale.ROOT), n));
                    out.add(new PortStatus(p.vswitch.name(), e.getKey(), p.lpar, p.slot, p.port.config(),
                            p.connected(), p.connects, c.rxFrames(), c.rxBytes(), c.txFrames(), c.txBytes(), drops));
                }
            }
            out.sort(java.util.Comparator.comparing(PortStatus::vswitch).thenComparingInt(PortStatus::lparId)
                    .thenComparingInt(PortStatus::slot));
            return out;
        }));
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

    @Override
    public void close() {
        loop.close();
    }
}
