package io.parvirt.hmc;

import io.parvirt.hmc.command.HwresCommand.AdapterOperation;
import io.parvirt.hmc.command.HwresCommand.ChangeVirtualAdapter;
import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.AttributeInput.Op;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.Values;
import io.parvirt.model.VirtualEthernetAdapter;
import io.parvirt.partition.AdapterRequest;
import io.parvirt.partition.PartitionOperations;
import io.parvirt.system.ManagedSystem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code chhwres -r virtualio --rsubtype eth|scsi -o a|r|s}: virtual adapter DLPAR, translated into
 * an {@link AdapterRequest} for {@link PartitionOperations#changeAdapter}. The attributes are read
 * as the HMC names them; which may change live, and whether the slot fits, is the service's rule.
 */
final class VirtualIoCommands {
    private static final Set<String> ETH = Set.of("port_vlan_id", "ieee_virtual_eth", "addl_vlan_ids", "vswitch",
            "qos_priority", "mac_addr", "is_trunk", "trunk_priority", "is_required", "allowed_os_mac_addrs");
    private static final Set<String> SCSI = Set.of("adapter_type", "remote_lpar_id", "remote_lpar_name",
            "remote_slot_num", "is_required");

    private final ManagedSystem sys;
    private final PartitionOperations operations;

    VirtualIoCommands(ManagedSystem sys, PartitionOperations operations) {
        this.sys = sys;
        this.operations = operations;
    }

    HmcResult change(ChangeVirtualAdapter c, String user) {
        Systems.check(sys, c.system());
        Partition p = Systems.partition(sys, c.partition());
        Duration wait = c.waitMinutes() == null ? Duration.ofMinutes(5)
                : c.waitMinutes() == 0 ? Duration.ofDays(1) : Duration.ofMinutes(c.waitMinutes());
        boolean eth = c.rsubtype().equals("eth");
        Map<String, String> a = attributes(c.attributes(), eth ? ETH : SCSI);
        AdapterRequest r = switch (c.operation()) {
            case REMOVE -> new AdapterRequest.Remove(c.slot(), eth, wait);
            case SET -> set(c.slot(), a, wait);
            case ADD -> eth ? new AdapterRequest.AddEthernet(ethernet(c.slot(), a), wait) : scsi(c.slot(), a, wait);
        };
        operations.changeAdapter(p, r, user);
        return HmcResult.OK;
    }

    /** name=value only (no += or -=), each name known and given once. */
    private static Map<String, String> attributes(List<Assignment> given, Set<String> known) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Assignment x : given) {
            if (!known.contains(x.name())) {
                throw new ModelException(ModelException.Kind.UNKNOWN_ATTRIBUTE, x.name(), "The attribute " + x.name()
                        + " is not valid for this virtual adapter; valid are " + String.join(", ", known.stream()
                        .sorted().toList()) + ".");
            }
            if (x.op() != Op.SET) {
                throw new ModelException(ModelException.Kind.SYNTAX, x.name(), "The attribute " + x.name() + " takes "
                        + "a value with '=' here, not '+=' or '-='.");
            }
            if (out.put(x.name(), x.value()) != null) {
                throw new ModelException(ModelException.Kind.DUPLICATE_ATTRIBUTE, x.name(), "The attribute "
                        + x.name() + " is given more than once.");
            }
        }
        return out;
    }

    /** The adapter as a profile would hold it, so the profile's rules check it (VLAN ids, switch name, MAC). */
    private static VirtualEthernetAdapter ethernet(int slot, Map<String, String> a) {
        if (!a.containsKey("port_vlan_id")) {
            throw new ModelException(ModelException.Kind.MISSING_ATTRIBUTE, "port_vlan_id", "A virtual Ethernet "
                    + "adapter needs a port_vlan_id.");
        }
        boolean trunk = a.containsKey("is_trunk") && Values.parseFlag("is_trunk", a.get("is_trunk"));
        String element = String.join("/", Integer.toString(slot), a.getOrDefault("ieee_virtual_eth", "0"),
                a.get("port_vlan_id"), a.getOrDefault("addl_vlan_ids", ""),
                trunk ? a.getOrDefault("trunk_priority", "1") : "0", a.getOrDefault("is_required", "0"),
                a.getOrDefault("vswitch", VirtualEthernetAdapter.DEFAULT_VSWITCH), a.getOrDefault("mac_addr", ""),
                a.getOrDefault("allowed_os_mac_addrs", "all"), a.getOrDefault("qos_priority", "none"));
        return VirtualEthernetAdapter.parse(element);
    }

    private static AdapterRequest.SetEthernet set(int slot, Map<String, String> a, Duration wait) {
        Boolean ieee = a.containsKey("ieee_virtual_eth") ? Values.parseFlag("ieee_virtual_eth",
                a.get("ieee_virtual_eth")) : null;
        List<Integer> addl = null;
        if (a.containsKey("addl_vlan_ids")) {
            addl = new ArrayList<>();
            for (String v : a.get("addl_vlan_ids").split(",")) {
                if (!v.isEmpty()) {
                    addl.add(Values.parseInt("addl_vlan_ids", v, 1, 4094));
                }
            }
        }
        String qos = a.get("qos_priority");
        if (qos != null && !qos.equals("none")) {
            qos = Integer.toString(Values.parseInt("qos_priority", qos, 0, 7));
        }
        List<String> others = a.keySet().stream()
                .filter(k -> !Set.of("ieee_virtual_eth", "addl_vlan_ids", "qos_priority").contains(k)).toList();
        return new AdapterRequest.SetEthernet(slot, ieee, addl, qos, others, wait);
    }

    private AdapterRequest.AddScsiClient scsi(int slot, Map<String, String> a, Duration wait) {
        String type = a.getOrDefault("adapter_type", "client");
        if (!type.equals("client")) {
            throw new ModelException(ModelException.Kind.NOT_SUPPORTED, "adapter_type", "Only a virtual SCSI client "
                    + "adapter can be added to a running partition here (adapter_type=client); a Virtual I/O "
                    + "Server's server adapters come with its profile.");
        }
        Partition vios;
        if (a.containsKey("remote_lpar_id")) {
            int id = Values.parseInt("remote_lpar_id", a.get("remote_lpar_id"), 1, 1000);
            vios = sys.definition().partition(id).orElseThrow(() -> new ModelException(
                    ModelException.Kind.PARTITION_NOT_FOUND, "remote_lpar_id", "The partition with ID " + id
                    + " named by remote_lpar_id does not exist."));
        } else if (a.containsKey("remote_lpar_name")) {
            String name = a.get("remote_lpar_name");
            vios = sys.definition().partition(name).orElseThrow(() -> new ModelException(
                    ModelException.Kind.PARTITION_NOT_FOUND, "remote_lpar_name", "The partition " + name
                    + " named by remote_lpar_name does not exist."));
        } else {
            throw new ModelException(ModelException.Kind.MISSING_ATTRIBUTE, "remote_lpar_id", "A virtual SCSI client "
                    + "adapter needs remote_lpar_id or remote_lpar_name (its Virtual I/O Server).");
        }
        if (!a.containsKey("remote_slot_num")) {
            throw new ModelException(ModelException.Kind.MISSING_ATTRIBUTE, "remote_slot_num", "A virtual SCSI client "
                    + "adapter needs remote_slot_num (the server adapter's slot).");
        }
        int remoteSlot = Values.parseInt("remote_slot_num", a.get("remote_slot_num"), 2, 65534);
        return new AdapterRequest.AddScsiClient(slot, vios, remoteSlot, wait);
    }
}
