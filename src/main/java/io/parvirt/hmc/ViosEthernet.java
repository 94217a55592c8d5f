package io.parvirt.hmc;

import io.parvirt.partition.PartitionOperations;
import io.parvirt.system.ManagedSystem;
import io.parvirt.vios.EthernetStatistics;
import io.parvirt.vswitch.VirtualEthernet;
import java.util.Optional;

/**
 * A VIOS's {@code entstat}: the adapter's MAC as {@code lshwres -r virtualio --rsubtype eth} shows
 * it and its switch port's counters, turned to the adapter's side (what the port received is what
 * the adapter transmitted). A partition that does not run has zero counters.
 */
final class ViosEthernet implements EthernetStatistics {
    private final ManagedSystem sys;
    private final PartitionOperations operations;
    private final VirtualEthernet network;

    ViosEthernet(ManagedSystem sys, PartitionOperations operations, VirtualEthernet network) {
        this.sys = sys;
        this.operations = operations;
        this.network = network;
    }

    @Override
    public Optional<Counters> of(int lparId, int slot) {
        var def = sys.definition();
        var p = def.partition(lparId);
        if (p.isEmpty()) {
            return Optional.empty();
        }
        var adapter = EthView.adapters(def, p.get(), operations).stream().filter(a -> a.slot() == slot).findFirst();
        if (adapter.isEmpty()) {
            return Optional.empty();
        }
        String mac = adapter.get().mac();
        var port = network == null ? Optional.<VirtualEthernet.PortStatus>empty() : network.ports().stream()
                .filter(s -> s.lparId() == lparId && s.slot() == slot).findFirst();
        return Optional.of(port.map(s -> new Counters(mac, s.rxFrames(), s.rxBytes(), s.txFrames(), s.txBytes(),
                s.drops().values().stream().mapToLong(Long::longValue).sum(), 0))
                .orElse(new Counters(mac, 0, 0, 0, 0, 0, 0)));
    }
}
