package io.parvirt.vswitch;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The POWER Hypervisor's IEEE 802.1Q switch: the forwarding core, free of any transport. A port's
 * transport calls {@link #receive} with each frame its adapter sent and gets the frames for it
 * through its {@link FrameSink}.
 *
 * <ol>
 * <li><b>Classify</b> (drops counted on the sender): shorter than a header is RUNT, longer than
 *     the maximum is OVERSIZED. An untagged frame is in the port's PVID. A tagged one is in the
 *     PVID when its VLAN id is 0 (priority-tagged, from any port, as 802.1Q classifies it) or, from
 *     an 802.1Q port, the PVID itself; in an additional VLAN of an 802.1Q port when it names one.
 *     Any other tag is VLAN_NOT_PERMITTED, as is every non-zero tag from a port without 802.1Q.
 *     VLAN id 4095 and stacked tags are MALFORMED_TAG: stripping an outer tag must never expose an
 *     inner one to a partition (the double-tagging VLAN hop).</li>
 * <li><b>Check the source</b>: a partition's port may send only from its adapter's own address
 *     (else SPOOFED_SOURCE); a trunk bridges the outside and may send from any station address,
 *     but not a group or zero one (INVALID_SOURCE). The active trunk's sources are learned; a
 *     standby trunk bridges nothing (STANDBY_TRUNK), as a standby Shared Ethernet Adapter does not:
 *     the outside's broadcasts reach its partitions once, through the active trunk.</li>
 * <li><b>Forward</b> within the VLAN, never back to the sender: broadcast and multicast to every
 *     partition member and to the active trunk; known unicast to its port; unknown unicast only to
 *     the active trunk, never flooded to partitions (the hypervisor knows their addresses from
 *     attach), else NO_DESTINATION. Trunks bridge the same outside world, so what one trunk sends
 *     never reaches another by flooding or by a learned address (no bridging loop); a trunk's own
 *     adapter address is reachable like any port's.</li>
 * <li><b>Deliver</b> untagged to a port whose PVID is the VLAN, tagged to a tagged member
 *     ({@link Egress}).</li>
 * </ol>
 *
 * <p>Not thread-safe, by design: one thread (the switch loop) makes every call, so forwarding
 * takes no lock. {@link #ports()} and the counters may be read from anywhere. Forwarding allocates
 * nothing, reads the clock only when a learned entry is involved, and never throws for a bad frame
 * or a failing port.
 */
public final class VirtualSwitch {
    private static final long SWEEP_NANOS = 1_000_000_000L;
    /** The longest frame a segmentation offload can carry: a 64 KiB IP packet behind a tagged header. */
    static final int GSO_MAX_FRAME = 65535 + Dot1q.TAGGED_HEADER;

    private final String name;
    private final SwitchSettings settings;
    private final LongSupplier nanoClock;
    private final long agingNanos;
    private final int maxUntagged;
    private final int maxTagged;
    private final Egress egress;
    /** What a frame from a transport without virtio-net headers carries: nothing left to do. */
    private final NetHeader none = new NetHeader();
    private final Vlan[] vlans = new Vlan[4096];
    private final List<Vlan> inUse = new ArrayList<>();
    private final List<Port> attached = new ArrayList<>();
    private final Map<String, Port> byName = new HashMap<>();
    private final Map<Long, Port> byMac = new HashMap<>();
    private volatile List<Port> snapshot = List.of();
    private long lastSweep;
    private boolean forwarding;

    public VirtualSwitch(String name, SwitchSettings settings) {
        this(name, settings, System::nanoTime);
    }

    /** {@code nanoClock}: monotonic nanoseconds, {@link System#nanoTime} but for tests of aging. */
    public VirtualSwitch(String name, SwitchSettings settings, LongSupplier nanoClock) {
        this.name = Objects.requireNonNull(name, "name");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.agingNanos = settings.macAgingSeconds() * 1_000_000_000L;
        this.maxUntagged = settings.maxFrameSize();
        this.maxTagged = maxUntagged + Dot1q.TAG;
        this.egress = new Egress(Math.max(maxTagged, GSO_MAX_FRAME));
        this.lastSweep = nanoClock.getAsLong();
    }

    public String name() {
        return name;
    }

    public SwitchSettings settings() {
        return settings;
    }

    /** Attached ports in attach order; an immutable snapshot, safe to read from any thread. */
    public List<Port> ports() {
        return snapshot;
    }

    /**
     * Attaches an adapter. Its own address becomes a fixed entry of each of its VLANs' tables
     * (taking over an entry the trunk learned for it: a partition that moved in from the outside).
     *
     * @throws IllegalArgumentException a duplicate name or MAC address, or a configuration the
     *                                  HMC's adapter rules reject: a MAC that is not 48-bit unicast,
     *                                  a VLAN id outside 1..4094, additional VLANs without 802.1Q or
     *                                  repeating the PVID, a trunk priority outside 0..15
     */
    public Port attach(PortConfig config, FrameSink sink) {
        return attach(config, sink, false);
    }

    /**
     * Attaches the adapter of a partition arriving by live migration: until the switch-over its
     * guest still runs on the source system, so its address is not claimed here yet. Frames for it
     * go where they went (the trunk that learned it, or as unknown unicast to the active trunk)
     * until its first frame here, normally its announcement (SEND_RARP) right after the
     * switch-over: from then on the address is its fixed entry, as {@link #attach} makes it.
     */
    public Port attachArriving(PortConfig config, FrameSink sink) {
        return attach(config, sink, true);
    }

    private Port attach(PortConfig config, FrameSink sink, boolean arriving) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(sink, "sink");
        notFromASink();
        PortRules.check(config);
        if (byName.containsKey(config.name())) {
            throw new IllegalArgumentException("virtual switch " + name + " already has a port named " + config.name());
        }
        Port same = byMac.get(config.mac());
        if (same != null) {
            throw new IllegalArgumentException("virtual switch " + name + ": MAC address "
                    + String.format("%012X", config.mac()) + " of " + config.name() + " is already port "
                    + same.config.name() + "'s");
        }
        Port p = new Port(this, config, sink);
        p.claimed = !arriving;
        attached.add(p);
        byName.put(config.name(), p);
        byMac.put(p.mac, p);
        for (int vid = p.firstVlan(); vid >= 0; vid = p.nextVlan(vid)) {
            Vlan v = vlans[vid];
            if (v == null) {
                v = new Vlan(vid);
                vlans[vid] = v;
                inUse.add(v);
            }
            if (!arriving) {
                fix(v.macs, p);
            }
            v.rebuild(attached);
        }
        snapshot = List.copyOf(attached);
        return p;
    }

    /** Makes {@code p}'s address its fixed entry of {@code t}, taking over an entry a trunk learned. */
    private static void fix(MacTable t, Port p) {
        int slot = t.find(p.mac);
        if (slot >= 0) {
            t.port(slot).learned--;
            t.removeAt(slot);
        }
        t.put(p.mac, p, 0, true);
    }

    /** An arriving port's guest sent its first frame here: its address is its own in each of its VLANs. */
    private void claim(Port p) {
        p.claimed = true;
        for (int vid = p.firstVlan(); vid >= 0; vid = p.nextVlan(vid)) {
            fix(vlans[vid].macs, p);
        }
    }

    /**
     * Detaches a port: nothing more is delivered to it, its address leaves the tables, and where it
     * was the active trunk the next trunk by priority takes over. Detaching twice is a no-op.
     */
    public void detach(Port port) {
        Objects.requireNonNull(port, "port");
        notFromASink();
        if (port.owner != this) {
            throw new IllegalArgumentException(port + " is not a port of virtual switch " + name);
        }
        if (!port.attached) {
            return;
        }
        port.attached = false;
        attached.remove(port);
        byName.remove(port.config.name());
        byMac.remove(port.mac);
        for (int vid = port.firstVlan(); vid >= 0; vid = port.nextVlan(vid)) {
            Vlan v = vlans[vid];
            int slot = v.macs.find(port.mac);
            if (slot >= 0 && v.macs.port(slot) == port) { // an arriving port's address may be a trunk's entry
                v.macs.removeAt(slot);
            }
            v.rebuild(attached);
            if (v.empty()) {
                vlans[vid] = null;
                inUse.remove(v);
            }
        }
        snapshot = List.copyOf(attached);
    }

    /**
     * Forwards one frame received from {@code from}: position..limit of {@code frame}, which is
     * left with the position and limit it came with. Called from one thread (the switch loop);
     * never throws for bad frames. Forwarding allocates nothing.
     *
     * @throws IllegalArgumentException {@code from} is not attached to this switch (a caller's bug)
     */
    public void receive(Port from, ByteBuffer frame) {
        receive(from, frame, none.clear());
    }

    /**
     * Forwards one frame with its virtio-net header (a transport that carries offloads): a frame
     * with a segmentation offload may be up to {@link #GSO_MAX_FRAME} bytes, and the header goes
     * with the frame to every port that takes offloads; for the others the switch finishes it.
     */
    public void receive(Port from, ByteBuffer frame, NetHeader header) {
        if (from.owner != this || !from.attached) {
            throw new IllegalArgumentException(from + " is not attached to virtual switch " + name);
        }
        notFromASink();
        int off = frame.position();
        int end = frame.limit();
        from.counters.received(end - off);
        if (header.gso() != NetHeader.GSO_NONE) {
            from.counters.receivedSegment();
        }
        forwarding = true;
        try {
            DropReason r = forward(from, frame, off, end - off, header);
            if (r != null) {
                from.counters.drop(r);
            }
        } finally {
            forwarding = false;
            egress.finish();
            frame.limit(end).position(off);
        }
    }

    private DropReason forward(Port from, ByteBuffer f, int off, int len, NetHeader header) {
        if (len < Dot1q.HEADER) {
            return DropReason.RUNT;
        }
        boolean gso = header.gso() != NetHeader.GSO_NONE;
        int maxUntagged = gso ? GSO_MAX_FRAME - Dot1q.TAG : this.maxUntagged;
        int maxTagged = gso ? GSO_MAX_FRAME : this.maxTagged;
        // The addresses and the EtherType (or TPID) in two 8-byte loads: bytes 0-7 and 6-13.
        long srcType = Dot1q.word(f, off + 6);
        boolean hasTag = (int) (srcType & 0xFFFF) == Dot1q.TPID;
        int tci = 0;
        int vlan = from.pvid;
        if (hasTag) {
            if (len < Dot1q.TAGGED_HEADER) {
                return DropReason.RUNT;
            }
            if (len > maxTagged) {
                return DropReason.OVERSIZED;
            }
            tci = Dot1q.u16(f, off + 14);
            int vid = tci & Dot1q.VID_MASK;
            int inner = Dot1q.u16(f, off + 16);
            if (vid == Dot1q.RESERVED_VID || inner == Dot1q.TPID || inner == Dot1q.S_TPID) {
                return DropReason.MALFORMED_TAG;
            }
            if (vid != Dot1q.PRIORITY_VID) {
                if (!from.ieee8021q || !from.memberOf(vid)) {
                    return DropReason.VLAN_NOT_PERMITTED;
                }
                vlan = vid;
            }
        } else if (len > maxUntagged) {
            return DropReason.OVERSIZED;
        }
        long src = srcType >>> 16;
        if (!from.trunk) {
            if (src != from.mac) {
                return DropReason.SPOOFED_SOURCE;
            }
            if (!from.claimed) {
                claim(from);
            }
        } else if (!Dot1q.isUnicastAddress(src)) {
            return DropReason.INVALID_SOURCE;
        }
        Vlan v = vlans[vlan];
        if (v.activeTrunk == from) {
            learn(v.macs, src, from);
        } else if (from.trunk) {
            return DropReason.STANDBY_TRUNK;
        }
        egress.start(f, off, len, hasTag, tci, vlan, header);
        long dst = Dot1q.word(f, off) >>> 16;
        if ((dst & Dot1q.GROUP_BIT) != 0) {
            flood(v, from);
            return null;
        }
        return unicast(v, from, dst);
    }

    /** Broadcast and multicast; reaching no one (a VLAN of one) is not a drop. */
    private void flood(Vlan v, Port from) {
        for (Port p : v.partitions) {
            if (p != from) {
                egress.deliver(p);
            }
        }
        if (!from.trunk && v.activeTrunk != null) {
            egress.deliver(v.activeTrunk);
        }
    }

    private DropReason unicast(Vlan v, Port from, long dst) {
        MacTable t = v.macs;
        int slot = t.find(dst);
        Port to = null;
        if (slot >= 0 && (t.fixed(slot) || nanoClock.getAsLong() - t.seen(slot) <= agingNanos)) {
            to = t.port(slot);
        }
        if (to == null) {
            if (from.trunk || v.activeTrunk == null) {
                return DropReason.NO_DESTINATION;
            }
            to = v.activeTrunk;
        } else if (to == from || (from.trunk && !t.fixed(slot))) {
            return DropReason.NO_DESTINATION;
        }
        egress.deliver(to);
        return null;
    }

    /**
     * Learns (or refreshes) {@code src} for the active trunk {@code from}. A port's own address is
     * never learned over. Past the port's limit the address is not learned and the miss is
     * counted ({@link PortCounters#macLimitExceeded}); expired entries stop counting against the
     * limit at the next sweep, which runs at most once a second, from here.
     */
    private void learn(MacTable t, long src, Port from) {
        long now = nanoClock.getAsLong();
        if (now - lastSweep >= SWEEP_NANOS) {
            lastSweep = now;
            for (int i = 0; i < inUse.size(); i++) {
                inUse.get(i).macs.forgetLearned(now, agingNanos);
            }
        }
        int slot = t.find(src);
        if (slot >= 0) {
            if (t.fixed(slot)) {
                return;
            }
            if (t.port(slot) == from) {
                t.touch(slot, now);
                return;
            }
            t.port(slot).learned--; // not reached while only the active trunk learns: defensive
            t.removeAt(slot);
        }
        if (from.learned >= settings.macLimitPerPort()) {
            from.counters.macLimitHit();
            return;
        }
        t.put(src, from, now, false);
        from.learned++;
    }

    /** Whether {@code port} is the active trunk of one of its VLANs (switch thread). */
    public boolean activeTrunk(Port port) {
        notFromASink();
        if (!port.trunk || !port.attached) {
            return false;
        }
        for (int vid = port.firstVlan(); vid >= 0; vid = port.nextVlan(vid)) {
            if (vlans[vid] != null && vlans[vid].activeTrunk == port) {
                return true;
            }
        }
        return false;
    }

    /** The address tables, VLAN by VLAN (switch thread; a view for people, not for forwarding). */
    public List<MacEntry> macTable() {
        notFromASink();
        long now = nanoClock.getAsLong();
        List<MacEntry> out = new ArrayList<>();
        for (int vid = 1; vid <= Dot1q.MAX_VID; vid++) {
            Vlan v = vlans[vid];
            if (v == null) {
                continue;
            }
            int id = vid;
            List<MacEntry> here = new ArrayList<>();
            v.macs.forEach(slot -> {
                boolean learned = !v.macs.fixed(slot);
                long age = learned ? now - v.macs.seen(slot) : 0;
                if (age <= agingNanos) {
                    here.add(new MacEntry(id, v.macs.mac(slot), v.macs.port(slot).config.name(), learned,
                            Duration.ofNanos(age)));
                }
            });
            here.sort(java.util.Comparator.comparingLong(MacEntry::mac));
            out.addAll(here);
        }
        return out;
    }

    private void notFromASink() {
        if (forwarding) {
            throw new IllegalStateException("a FrameSink called back into virtual switch " + name);
        }
    }

    @Override
    public String toString() {
        return "VirtualSwitch[" + name + ", " + attached.size() + " ports]";
    }
}
