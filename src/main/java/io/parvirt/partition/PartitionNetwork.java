package io.parvirt.partition;

import io.parvirt.hypervisor.LaunchException;
import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.model.MacAddresses;
import io.parvirt.vswitch.PortConfig;
import io.parvirt.vswitch.SeaSettings;
import io.parvirt.vswitch.Transport;
import io.parvirt.vswitch.VirtualEthernet;
import java.io.IOException;
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

    /** Connects every NIC of {@code spec} to its switch (activation, or a resume from a saved state). */
    static void connect(VirtualEthernet network, LaunchSpec spec) {
        connect(network, spec, false);
    }

    /** Starts a partition's QEMU; {@code listening} is to run once QEMU listens on its NICs' sockets. */
    @FunctionalInterface
    interface Start {
        void run(Runnable listening) throws IOException, LaunchException;
    }

    /**
     * Starts a partition's QEMU from a saved state (a resume, a snapshot's revert) with its ports.
     * A vhost-user NIC's QEMU waits for the switch before it answers on its monitor (the back end
     * must answer the netdev's start), so those ports connect first, as at activation; stream
     * NICs' ports connect once QEMU listens. A failed start leaves no port behind.
     */
    static void starting(VirtualEthernet network, LaunchSpec spec, Start start) throws IOException, LaunchException {
        boolean listenFirst = spec.sharesMemory();
        if (listenFirst) {
            connect(network, spec);
        }
        try {
            start.run(listenFirst ? () -> { } : () -> connect(network, spec));
        } catch (IOException | LaunchException | RuntimeException e) {
            if (listenFirst && network != null) {
                network.disconnect(spec.lparId());
            }
            throw e;
        }
    }

    /** Connects a re-adopted partition's NICs: its ports go on from the counters the earlier daemon saved. */
    static void resume(VirtualEthernet network, LaunchSpec spec) {
        if (network != null) {
            network.resume(spec.lparId(), spec.name(), adapters(spec));
        }
    }

    /**
     * {@code arriving}: the partition arrives by live migration; its ports take over its addresses
     * only when its guest sends here (its announcement after the switch-over).
     */
    static void connect(VirtualEthernet network, LaunchSpec spec, boolean arriving) {
        if (network == null) {
            return;
        }
        List<VirtualEthernet.Adapter> adapters = adapters(spec);
        if (arriving) {
            network.connectArriving(spec.lparId(), spec.name(), adapters);
        } else {
            network.connect(spec.lparId(), spec.name(), adapters);
        }
    }

    private static List<VirtualEthernet.Adapter> adapters(LaunchSpec spec) {
        List<VirtualEthernet.Adapter> adapters = new ArrayList<>();
        for (LaunchSpec.Nic n : spec.nics()) {
            adapters.add(n.trunk()
                    ? new VirtualEthernet.Adapter(n.slot(), n.vswitch(), port(spec, n), null,
                            SeaSettings.interfaceName(spec.lparId(), n.slot()))
                    : guestAdapter(spec, n));
        }
        return adapters;
    }

    /** A guest NIC's adapter: QEMU's socket, over the transport the NIC was given. */
    private static VirtualEthernet.Adapter guestAdapter(LaunchSpec spec, LaunchSpec.Nic n) {
        return new VirtualEthernet.Adapter(n.slot(), n.vswitch(), port(spec, n), spec.nicSocket(n), null,
                n.vhostUser() ? Transport.VHOST_USER : Transport.STREAM);
    }

    /** The switch port of a NIC: the same rules whether it came at activation or by DLPAR. */
    private static PortConfig port(LaunchSpec spec, LaunchSpec.Nic n) {
        return new PortConfig(spec.name() + "/" + n.slot(), MacAddresses.toLong(n.mac()), n.pvid(), n.ieee8021q(),
                new HashSet<>(n.addlVlanIds()), n.trunkPriority());
    }

    /**
     * A NIC hot-plugged into a running partition joins its switch: a stream NIC's once QEMU listens
     * on its socket, a vhost-user NIC's before (its port connects once the socket is there).
     */
    static void attach(VirtualEthernet network, LaunchSpec spec, LaunchSpec.Nic n) {
        if (network != null) {
            network.attach(spec.lparId(), spec.name(), guestAdapter(spec, n));
        }
    }

    /** A NIC unplugged from a running partition leaves its switch. */
    static void detach(VirtualEthernet network, LaunchSpec spec, int slot) {
        if (network != null) {
            network.detach(spec.lparId(), slot);
        }
    }

    /** A running NIC's VLANs changed: its port takes the new ones without dropping QEMU's connection. */
    static void reconfigure(VirtualEthernet network, LaunchSpec spec, LaunchSpec.Nic n) {
        if (network != null) {
            network.reconfigure(spec.lparId(), n.slot(), port(spec, n));
        }
    }
}
