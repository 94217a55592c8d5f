package io.parvirt.partition;

import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.model.MacAddresses;
import io.parvirt.vswitch.PortConfig;
import io.parvirt.vswitch.SeaSettings;
import io.parvirt.vswitch.VirtualEthernet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Joins a running partition's NICs to the virtual switches, as its virtual Ethernet adapters say;
 * a VIOS's trunk adapters are bridged to host TAP interfaces named by {@link SeaSettings#interfaceName}.
 */
final class PartitionNetwork {
    private PartitionNetwork() {
    }

    /** Connects every NIC of {@code spec} to its switch (activation, or a re-adopted partition). */
    static void connect(VirtualEthernet network, LaunchSpec spec) {
        if (network == null) {
            return;
        }
        List<VirtualEthernet.Adapter> adapters = new ArrayList<>();
        for (LaunchSpec.Nic n : spec.nics()) {
            PortConfig c = new PortConfig(spec.name() + "/" + n.slot(), MacAddresses.toLong(n.mac()), n.pvid(),
                    n.ieee8021q(), new HashSet<>(n.addlVlanIds()), n.trunkPriority());
            adapters.add(n.trunk()
                    ? new VirtualEthernet.Adapter(n.slot(), n.vswitch(), c, null,
                            SeaSettings.interfaceName(spec.lparId(), n.slot()))
                    : new VirtualEthernet.Adapter(n.slot(), n.vswitch(), c, spec.nicSocket(n)));
        }
        network.connect(spec.lparId(), spec.name(), adapters);
    }
}
