package io.parvirt.vswitch;

import java.util.Set;

/**
 * How one port of a virtual switch takes part in VLANs, as its virtual Ethernet adapter says:
 * {@code pvid} for untagged frames; an IEEE 802.1Q-aware port is also a tagged member of
 * {@code additionalVlans}; a trunk port (priority 1..15, 0 = not a trunk) receives the unknown
 * unicast of its VLANs and may send any source MAC. {@code mac} is the adapter's own address
 * (48 bits in a long), the only source a non-trunk port may send from.
 */
public record PortConfig(String name, long mac, int pvid, boolean ieee8021q, Set<Integer> additionalVlans,
        int trunkPriority) {
    public PortConfig {
        additionalVlans = Set.copyOf(additionalVlans);
    }

    public boolean trunk() {
        return trunkPriority > 0;
    }
}
