package io.parvirt.partition;

import io.parvirt.hypervisor.Hypervisor;
import io.parvirt.hypervisor.LaunchSpec;
import io.parvirt.hypervisor.PartitionStatus;
import io.parvirt.hypervisor.PartitionSupervisor;
import io.parvirt.model.LparEnv;
import io.parvirt.model.LparState;
import io.parvirt.model.MacAddresses;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.VirtualEthernetAdapter;
import io.parvirt.system.ManagedSystem;
import io.parvirt.vswitch.VirtualEthernet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;

/**
 * Virtual adapter DLPAR of running partitions ({@code chhwres -r virtualio --rsubtype eth|scsi}):
 * each request is checked against the adapters the partition runs with (slot in range, free or in
 * use as asked, VLANs, switch, MAC address), then carried out by its supervisor (hot-plug on the
 * slot's PCIe root port, see {@code hypervisor.AdapterHotplug}) and recorded as what it runs with;
 * a NIC's switch port follows its device. A refusal changes nothing. The profile is not touched.
 */
final class AdapterDlpar {
    private final ManagedSystem sys;
    private final Hypervisor hypervisor;
    private final VirtualEthernet network;
    private final ConfigChanges changes;

    AdapterDlpar(ManagedSystem sys, Hypervisor hypervisor, VirtualEthernet network, ConfigChanges changes) {
        this.sys = sys;
        this.hypervisor = hypervisor;
        this.network = network;
        this.changes = changes;
    }

    void change(Partition p, AdapterRequest r, String user) {
        if (hypervisor == null) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "Partition " + p.name() + " cannot be changed "
                    + "dynamically: this console has no hypervisor.");
        }
        PartitionSupervisor s = hypervisor.supervisor(p.id()).orElseThrow(() -> notRunning(p, "Not Activated"));
        if (s.spec().runsStorageServer()) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "The partition " + p.name() + " is a Virtual "
                    + "I/O Server: its operating system is parvirt's storage server, whose virtual adapters change "
                    + "with its profile (chsyscfg -r prof) and a reactivation.");
        }
        PartitionStatus st = s.status();
        if (st.state() != LparState.RUNNING || !st.agentActive()) {
            throw notRunning(p, st.state().hmcName() + (st.state() == LparState.RUNNING
                    ? " but its guest agent is not answering" : ""));
        }
        Hypervisor.Replugged done;
        // A vhost-user NIC's port joins before the hot-plug: QEMU's netdev waits for it (the port
        // connects as soon as the NIC's chardev listens).
        boolean[] joinedFirst = {false};
        try {
            done = hypervisor.replug(p.id(), spec -> {
                LaunchSpec next = edit(p, spec, r);
                if (r instanceof AdapterRequest.AddEthernet && nic(next, r.slot()).vhostUser()) {
                    PartitionNetwork.attach(network, next, nic(next, r.slot()));
                    joinedFirst[0] = true;
                }
                return next;
            }, r.timeout(), true);
        } catch (IllegalStateException | IOException e) {
            if (joinedFirst[0]) {
                PartitionNetwork.detach(network, s.spec(), r.slot());
            }
            throw e instanceof IOException io ? failed(p, r, io) : notRunning(p, "not running");
        }
        LaunchSpec after = done.after();
        switch (r) {
            case AdapterRequest.AddEthernet a when joinedFirst[0] -> { }
            case AdapterRequest.AddEthernet a -> PartitionNetwork.attach(network, after, nic(after, r.slot()));
            case AdapterRequest.SetEthernet x -> PartitionNetwork.reconfigure(network, after, nic(after, r.slot()));
            case AdapterRequest.Remove x when x.ethernet() -> PartitionNetwork.detach(network, after, r.slot());
            default -> { }
        }
        sys.logEvent(user == null ? "hmc" : user, "dlpar", "Partition " + p.name() + " (id " + p.id() + "): "
                + what(r));
        changes.changed(p.id());
    }

    /** The adapters the partition is to run with, or the HMC's refusal (nothing has changed yet). */
    private LaunchSpec edit(Partition p, LaunchSpec spec, AdapterRequest r) {
        if (spec.maxVirtualSlots() == 0) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "The partition " + p.name() + " was activated "
                    + "by an earlier parvirt without PCIe root ports for its virtual slots: its adapters can be changed "
                    + "dynamically after its next activation.");
        }
        int slot = r.slot();
        return switch (r) {
            case AdapterRequest.AddEthernet a -> {
                free(p, spec, slot);
                yield spec.withNics(sorted(spec.nics(), newNic(p, spec, a.adapter())));
            }
            case AdapterRequest.SetEthernet x -> {
                LaunchSpec.Nic n = existingNic(p, spec, slot);
                yield spec.withNics(spec.nics().stream().map(o -> o.slot() == slot ? changed(p, n, x) : o).toList());
            }
            case AdapterRequest.AddScsiClient a -> {
                free(p, spec, slot);
                if (a.vios().env() != LparEnv.VIOSERVER) {
                    throw new ModelException(ModelException.Kind.INVALID_REFERENCE, "remote_lpar_name", "The "
                            + "partition " + a.vios().name() + " named as the server of the virtual SCSI client "
                            + "adapter in slot " + slot + " of partition " + p.name() + " is not a Virtual I/O Server.");
                }
                List<LaunchSpec.ScsiClient> clients = new ArrayList<>(spec.scsiClients());
                clients.add(new LaunchSpec.ScsiClient(slot, a.vios().id(), a.remoteSlot()));
                clients.sort(Comparator.comparingInt(LaunchSpec.ScsiClient::slot));
                yield spec.withScsi(clients, spec.scsi());
            }
            case AdapterRequest.Remove x when x.ethernet() -> {
                LaunchSpec.Nic n = existingNic(p, spec, slot);
                yield spec.withNics(spec.nics().stream().filter(o -> o != n).toList());
            }
            case AdapterRequest.Remove x -> {
                if (spec.scsiClients().stream().noneMatch(c -> c.slot() == slot)) {
                    throw noAdapter(p, slot, "virtual SCSI client");
                }
                yield spec.withScsi(spec.scsiClients().stream().filter(c -> c.slot() != slot).toList(),
                        spec.scsi().stream().filter(d -> d.clientSlot() != slot).toList());
            }
        };
    }

    /** The slot exists (2 to max_virtual_slots - 1), has a root port, and holds no adapter. */
    private static void free(Partition p, LaunchSpec spec, int slot) {
        if (slot < LaunchSpec.FIRST_ADAPTER_SLOT || slot >= spec.maxVirtualSlots()) {
            throw new ModelException(ModelException.Kind.OUT_OF_RANGE, "slot_num", "The virtual slot number " + slot
                    + " is not valid for partition " + p.name() + ": its virtual adapters take slots "
                    + LaunchSpec.FIRST_ADAPTER_SLOT + " to " + (spec.maxVirtualSlots() - 1) + " (max_virtual_slots="
                    + spec.maxVirtualSlots() + ").");
        }
        if (!spec.hasPort(slot)) {
            throw new ModelException(ModelException.Kind.NOT_SUPPORTED, "slot_num", "The virtual slot " + slot
                    + " of partition " + p.name() + " cannot take an adapter while it runs: parvirt gives hot-plug "
                    + "ports to slots " + LaunchSpec.FIRST_ADAPTER_SLOT + " to " + (LaunchSpec.FIRST_ADAPTER_SLOT
                    + LaunchSpec.MAX_HOTPLUG_PORTS - 1) + " only. Use a lower slot.");
        }
        if (usedSlots(spec).contains(slot)) {
            throw new ModelException(ModelException.Kind.SLOT_CONFLICT, "slot_num", "The virtual slot " + slot
                    + " of partition " + p.name() + " already holds a virtual adapter: each adapter needs its own "
                    + "slot (lshwres -r virtualio --level lpar shows the slots in use).");
        }
    }

    private static Set<Integer> usedSlots(LaunchSpec spec) {
        Set<Integer> used = new TreeSet<>();
        spec.nics().forEach(n -> used.add(n.slot()));
        spec.scsiClients().forEach(c -> used.add(c.slot()));
        spec.scsi().forEach(d -> used.add(d.clientSlot()));
        return used;
    }

    private LaunchSpec.Nic newNic(Partition p, LaunchSpec spec, VirtualEthernetAdapter e) {
        if (!sys.definition().settings().vswitches().contains(e.vswitch())) {
            throw new ModelException(ModelException.Kind.INVALID_REFERENCE, "vswitch", "The virtual Ethernet adapter "
                    + "for slot " + e.slot() + " of partition " + p.name() + " names virtual switch " + e.vswitch()
                    + ", which does not exist: create it with chhwres -r virtualio --rsubtype vswitch -o a --vswitch "
                    + e.vswitch() + ", or use one of " + String.join(", ", sys.definition().settings().vswitches())
                    + ".");
        }
        if (e.isTrunk()) {
            throw new ModelException(ModelException.Kind.NOT_SUPPORTED, "is_trunk", "A trunk adapter cannot be added "
                    + "to running partition " + p.name() + ": trunk adapters are a Virtual I/O Server's and come with "
                    + "its activation.");
        }
        String mac = e.macAddr() != null ? e.macAddr()
                : MacAddresses.assign(hypervisor.config().macPrefix(), p.id(), e.slot());
        for (PartitionStatus st : hypervisor.running()) {
            hypervisor.supervisor(st.lparId()).ifPresent(other -> {
                for (LaunchSpec.Nic n : other.spec().nics()) {
                    if (n.mac().equals(mac)) {
                        throw new ModelException(ModelException.Kind.INVALID_STATE, "mac_addr", "The MAC address "
                                + mac + " for the virtual Ethernet adapter in slot " + e.slot() + " of partition "
                                + p.name() + " is in use by running partition " + other.spec().name() + " (slot "
                                + n.slot() + "). Give the adapter another mac_addr.");
                    }
                }
            });
        }
        // A hot-plugged adapter takes vhost-user where the partition's memory is shared (it had a
        // vhost-user NIC at activation; removing it does not unshare QEMU's memory); otherwise the
        // switch could not map its memory: the stream transport.
        return new LaunchSpec.Nic(e.slot(), mac, e.vswitch(), e.portVlanId(), e.ieee(), e.addlVlanIds(), 0,
                e.qosPriority(), spec.sharesMemory());
    }

    private static List<LaunchSpec.Nic> sorted(List<LaunchSpec.Nic> nics, LaunchSpec.Nic add) {
        List<LaunchSpec.Nic> out = new ArrayList<>(nics);
        out.add(add);
        out.sort(Comparator.comparingInt(LaunchSpec.Nic::slot));
        return out;
    }

    private static LaunchSpec.Nic existingNic(Partition p, LaunchSpec spec, int slot) {
        LaunchSpec.Nic n = spec.nics().stream().filter(x -> x.slot() == slot).findFirst()
                .orElseThrow(() -> noAdapter(p, slot, "virtual Ethernet"));
        if (n.trunk()) {
            throw new ModelException(ModelException.Kind.NOT_SUPPORTED, "slot_num", "The virtual Ethernet adapter in "
                    + "slot " + slot + " of partition " + p.name() + " is a trunk adapter: it changes with the "
                    + "partition's profile and activation only.");
        }
        return n;
    }

    /**
     * {@code -o s}: only addl_vlan_ids, ieee_virtual_eth and qos_priority change on a running
     * adapter (as on the HMC); the result must still be a valid adapter (the profile's rules).
     */
    private static LaunchSpec.Nic changed(Partition p, LaunchSpec.Nic n, AdapterRequest.SetEthernet x) {
        if (!x.others().isEmpty()) {
            throw new ModelException(ModelException.Kind.NOT_SUPPORTED, x.others().getFirst(), "The attribute "
                    + x.others().getFirst() + " of the virtual Ethernet adapter in slot " + n.slot() + " of partition "
                    + p.name() + " cannot be changed while the partition runs: only addl_vlan_ids, ieee_virtual_eth "
                    + "and qos_priority can. Remove the adapter and add it again instead.");
        }
        boolean ieee = x.ieee() != null ? x.ieee() : n.ieee8021q();
        List<Integer> addl = x.addlVlanIds() != null ? x.addlVlanIds() : ieee ? n.addlVlanIds() : List.of();
        String qos = x.qosPriority() != null ? x.qosPriority() : n.qosPriority();
        VirtualEthernetAdapter e = new VirtualEthernetAdapter(n.slot(), ieee, n.pvid(), addl, 0, false, n.vswitch(),
                n.mac(), "all", qos);
        VirtualEthernetAdapter.parse(e.format()); // the profile's rules: VLAN ids, addl only with ieee, qos 0..7
        return n.withVlans(ieee, addl, qos);
    }

    private static LaunchSpec.Nic nic(LaunchSpec spec, int slot) {
        return spec.nics().stream().filter(n -> n.slot() == slot).findFirst().orElseThrow();
    }

    private static String what(AdapterRequest r) {
        return switch (r) {
            case AdapterRequest.AddEthernet a -> "added virtual Ethernet adapter in slot " + r.slot() + " (port VLAN "
                    + a.adapter().portVlanId() + ", " + a.adapter().vswitch() + ")";
            case AdapterRequest.SetEthernet x -> "changed virtual Ethernet adapter in slot " + r.slot();
            case AdapterRequest.AddScsiClient a -> "added virtual SCSI client adapter in slot " + r.slot() + " (server "
                    + a.vios().name() + " slot " + a.remoteSlot() + ")";
            case AdapterRequest.Remove x -> "removed virtual " + (x.ethernet() ? "Ethernet" : "SCSI client")
                    + " adapter in slot " + r.slot();
        };
    }

    private static ModelException noAdapter(Partition p, int slot, String kind) {
        return new ModelException(ModelException.Kind.INVALID_REFERENCE, "slot_num", "The partition " + p.name()
                + " has no " + kind + " adapter in virtual slot " + slot + " (lshwres -r virtualio --level lpar "
                + "shows its adapters).");
    }

    private static ModelException notRunning(Partition p, String state) {
        return ModelException.of(ModelException.Kind.INVALID_STATE, "The partition " + p.name() + " is " + state
                + ": virtual adapters can be changed dynamically only on a Running partition whose operating system "
                + "answers (rmc_state=active). Change its profile with chsyscfg -r prof instead.");
    }

    private static ModelException failed(Partition p, AdapterRequest r, IOException e) {
        Throwable c = e.getCause();
        if (c instanceof IllegalStateException) {
            return notRunning(p, c.getMessage().replaceFirst("^partition \\S+ is ", ""));
        }
        if (c instanceof CancellationException) {
            return ModelException.of(ModelException.Kind.INCOMPLETE, "The DLPAR operation on partition " + p.name()
                    + " (" + what(r) + ") was stopped: the partition is shutting down or restarting.");
        }
        return ModelException.of(ModelException.Kind.INCOMPLETE, "The DLPAR operation on partition " + p.name() + " ("
                + what(r) + ") did not complete: " + e.getMessage() + ".");
    }
}
