package io.parvirt.vswitch;

import java.util.BitSet;

/**
 * One adapter's place on a virtual switch, made by {@link VirtualSwitch#attach}. The configuration
 * is unpacked into fields, and its VLANs into a bit set, so that classifying a frame reads no
 * collection and boxes nothing. The mutable parts belong to the switch's thread.
 */
public final class Port {
    final VirtualSwitch owner;
    final PortConfig config;
    final FrameSink sink;
    final PortCounters counters = new PortCounters();
    final long mac;
    final int pvid;
    final boolean ieee8021q;
    final boolean trunk;
    final int trunkPriority;
    /** The PVID and, for an 802.1Q port, its additional VLANs. */
    private final BitSet vlans = new BitSet(4096);
    /** Addresses it has learned, in all VLAN tables together (switch thread only). */
    int learned;
    /** Cleared by detach (switch thread only). */
    boolean attached = true;
    /**
     * Whether its address is its fixed entry in its VLANs' tables: from attach, or, for a partition
     * arriving by migration, from its guest's first frame here (switch thread only).
     */
    boolean claimed = true;

    Port(VirtualSwitch owner, PortConfig config, FrameSink sink) {
        this.owner = owner;
        this.config = config;
        this.sink = sink;
        this.mac = config.mac();
        this.pvid = config.pvid();
        this.ieee8021q = config.ieee8021q();
        this.trunk = config.trunk();
        this.trunkPriority = config.trunkPriority();
        vlans.set(pvid);
        if (ieee8021q) {
            config.additionalVlans().forEach(vlans::set);
        }
    }

    public PortConfig config() {
        return config;
    }

    public PortCounters counters() {
        return counters;
    }

    /** False once detached: the switch then neither takes frames from it nor delivers to it. */
    public boolean attached() {
        return attached;
    }

    boolean memberOf(int vid) {
        return vlans.get(vid);
    }

    /** The VLANs it is a member of, lowest first: {@code for (int v = firstVlan(); v >= 0; v = nextVlan(v))}. */
    int firstVlan() {
        return vlans.nextSetBit(0);
    }

    int nextVlan(int vid) {
        return vlans.nextSetBit(vid + 1);
    }

    @Override
    public String toString() {
        return owner.name() + "/" + config.name();
    }
}
