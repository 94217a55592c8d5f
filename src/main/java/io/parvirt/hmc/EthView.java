package io.parvirt.hmc;

import io.parvirt.partition.PartitionOperations;
import io.parvirt.partition.RunState;
import io.parvirt.model.AttributeOutput;
import io.parvirt.model.MacAddresses;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.Values;
import io.parvirt.model.VirtualEthernetAdapter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/** {@code lshwres -r virtualio --rsubtype eth|vswitch}: virtual Ethernet adapters and switches as the HMC lists them. */
final class EthView {
    private EthView() {
    }

    /** One adapter of a partition, running or as its default profile has it. */
    record Adapter(int slot, boolean active, boolean required, int trunkPriority, boolean ieee, int pvid,
            String vswitch, List<Integer> addlVlanIds, String mac, String allowedOsMacAddrs, String qosPriority) {
    }

    static List<Adapter> adapters(SystemDefinition def, Partition p, PartitionOperations ops) {
        List<Adapter> out = new ArrayList<>();
        String prefix = ops.macPrefix().orElse(null);
        var running = ops.state(p.id()).filter(RunState::hasProcess);
        if (running.isPresent()) {
            var profile = def.profile(p.id(), running.get().profile()).orElse(def.defaultProfile(p));
            for (RunState.ActiveNic n : running.get().nics()) {
                VirtualEthernetAdapter e = profile.io().eth().stream().filter(x -> x.slot() == n.slot()).findFirst()
                        .orElse(null);
                out.add(new Adapter(n.slot(), true, e != null && e.required(), n.trunkPriority(), n.ieee8021q(),
                        n.pvid(), n.vswitch(), n.addlVlanIds(), n.mac(), e == null ? "all" : e.allowedOsMacAddrs(),
                        n.qosPriority()));
            }
            return out;
        }
        for (VirtualEthernetAdapter e : def.defaultProfile(p).io().eth().stream()
                .sorted(java.util.Comparator.comparingInt(VirtualEthernetAdapter::slot)).toList()) {
            String mac = e.macAddr();
            if (mac == null && prefix != null) {
                try {
                    mac = MacAddresses.assign(prefix, p.id(), e.slot());
                } catch (ModelException ex) {
                    mac = ""; // a slot parvirt cannot number: activation will say so
                }
            }
            out.add(new Adapter(e.slot(), false, e.required(), e.trunkPriority(), e.ieee(), e.portVlanId(),
                    e.vswitch(), e.addlVlanIds(), mac == null ? "" : mac, e.allowedOsMacAddrs(), e.qosPriority()));
        }
        return out;
    }

    static Row eth(Partition p, Adapter a) {
        List<String> addl = new ArrayList<>();
        for (int v : a.addlVlanIds()) {
            addl.add(Integer.toString(v));
        }
        return new Row().put("lpar_name", p.name()).put("lpar_id", p.id()).put("slot_num", a.slot())
                .put("state", a.active() ? "1" : "0").put("is_required", Values.flag(a.required()))
                .put("is_trunk", Values.flag(a.trunkPriority() > 0))
                .putIf(a.trunkPriority() > 0, "trunk_priority", a.trunkPriority())
                .put("ieee_virtual_eth", Values.flag(a.ieee())).put("port_vlan_id", a.pvid())
                .put("vswitch", a.vswitch()).put("addl_vlan_ids", String.join(",", addl)).put("mac_addr", a.mac())
                .put("allowed_os_mac_addrs", a.allowedOsMacAddrs()).put("qos_priority", a.qosPriority());
    }

    /**
     * {@code --rsubtype eth --level sys}: the system's virtual Ethernet settings. Attribute names and
     * the prefix's spelling are as remembered of an HMC, <b>unconfirmed</b> (inventory tools such as
     * lpar2rrd send the command and keep what it prints): the MAC prefix parvirt assigns from
     * ({@code vswitch.mac_prefix}), pending the same (parvirt changes it only at a restart), and the
     * VLAN ids one adapter may carry (parvirt's switch takes any of 1..4094 on a port).
     */
    static Row system(String macPrefix) {
        String prefix = macPrefix == null ? "none" : "0x" + macPrefix.toLowerCase(java.util.Locale.ROOT);
        return new Row().put("max_vlans_per_port", 4094).put("mac_prefix", prefix).put("pend_mac_prefix", prefix);
    }

    static final Set<String> ETH_SYS = Set.of("max_vlans_per_port", "mac_prefix", "pend_mac_prefix");

    static final Set<String> ETH = Set.of("lpar_name", "lpar_id", "slot_num", "state", "is_required", "is_trunk",
            "trunk_priority", "ieee_virtual_eth", "port_vlan_id", "vswitch", "addl_vlan_ids", "mac_addr",
            "allowed_os_mac_addrs", "qos_priority");

    static Row vswitch(String name, Collection<Integer> vlans) {
        List<String> ids = new ArrayList<>();
        for (int v : vlans) {
            ids.add(Integer.toString(v));
        }
        return new Row().put("vswitch", name).put("switch_mode", "VEB")
                .put("vlan_ids", ids.isEmpty() ? "none" : AttributeOutput.list(ids));
    }

    static final Set<String> VSWITCH = Set.of("vswitch", "switch_mode", "vlan_ids");
}
