package io.parvirt.vios;

import java.util.Optional;

/**
 * What the hypervisor's switch knows of one of a VIOS's virtual Ethernet adapters, for
 * {@code entstat}: its MAC address and counters from the adapter's side (transmitted = what the
 * switch received from it). Supplied from above, since the switch is not this package's to reach.
 */
public interface EthernetStatistics {
    /** Counters are zero for an adapter whose partition does not run. */
    record Counters(String mac, long txFrames, long txBytes, long rxFrames, long rxBytes, long txDropped,
            long rxDropped) {
    }

    /** The adapter in {@code slot} of partition {@code lparId}, or empty if the partition has none there. */
    Optional<Counters> of(int lparId, int slot);

    EthernetStatistics NONE = (lparId, slot) -> Optional.empty();
}
