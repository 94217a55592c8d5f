package io.parvirt.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * {@code slot/is_ieee/port_vlan_id/[addl_vlan_ids]/[trunk_priority]/is_required[/[vswitch][/[mac_addr]/
 * [allowed_os_mac_addrs]/[qos_priority]]]}. Always written back in the long form, as current HMCs do.
 * A null {@code macAddr} means the system assigns one.
 */
public record VirtualEthernetAdapter(int slot, boolean ieee, int portVlanId, List<Integer> addlVlanIds,
        int trunkPriority, boolean required, String vswitch, String macAddr, String allowedOsMacAddrs,
        String qosPriority) implements VirtualAdapter {
    public static final String ATTR = "virtual_eth_adapters";
    public static final String DEFAULT_VSWITCH = "ETHERNET0";

    public VirtualEthernetAdapter {
        addlVlanIds = List.copyOf(addlVlanIds);
    }

    public boolean isTrunk() {
        return trunkPriority > 0;
    }

    public static VirtualEthernetAdapter parse(String element) {
        SlashFields f = SlashFields.split(ATTR, element, "slot/is_ieee/port_vlan_id/[addl_vlan_ids]/[trunk_priority]"
                + "/is_required[/[vswitch][/[mac_addr]/[allowed_os_mac_addrs]/[qos_priority]]]", 6, 7, 10);
        int slot = f.integer(0, "slot_num", 2, 65534);
        boolean ieee = f.flag(1, "is_ieee");
        int pvid = f.integer(2, "port_vlan_id", 1, 4094);
        List<Integer> addl = new ArrayList<>();
        if (!f.empty(3)) {
            if (!ieee) {
                throw f.invalid("addl_vlan_ids", "may be given only for an IEEE 802.1Q adapter (is_ieee=1)");
            }
            HashSet<Integer> seen = new HashSet<>();
            for (String v : f.str(3).split(",", -1)) {
                int id = Values.parseInt(ATTR + " addl_vlan_ids", v, 1, 4094);
                if (id == pvid || !seen.add(id)) {
                    throw f.invalid("addl_vlan_ids", "must not repeat a VLAN id or the port VLAN id");
                }
                addl.add(id);
            }
        }
        int trunk = f.empty(4) ? 0 : f.integer(4, "trunk_priority", 0, 15);
        String vswitch = f.count() > 6 && !f.empty(6) ? f.str(6) : DEFAULT_VSWITCH;
        if (!vswitch.matches("[A-Za-z0-9_.\\-]{1,31}")) {
            throw f.invalid("vswitch", "must be a virtual switch name of letters, digits, '.', '-' or '_'");
        }
        String mac = null;
        String allowed = "all";
        String qos = "none";
        if (f.count() == 10) {
            mac = f.empty(7) ? null : parseMac(f, f.str(7));
            allowed = f.empty(8) ? "all" : parseAllowed(f, f.str(8));
            qos = f.empty(9) || f.str(9).equals("none") ? "none"
                    : Integer.toString(f.integer(9, "qos_priority", 0, 7));
        }
        return new VirtualEthernetAdapter(slot, ieee, pvid, addl, trunk, f.flag(5, "is_required"), vswitch, mac,
                allowed, qos);
    }

    private static String parseMac(SlashFields f, String mac) {
        String raw = mac.replace(":", "");
        String m = raw.toUpperCase(Locale.ROOT);
        if (!raw.matches("[0-9A-Fa-f]{12}") || (Integer.parseInt(m.substring(0, 2), 16) & 1) != 0) {
            throw f.invalid("mac_addr", "must be 12 hexadecimal digits of a unicast address");
        }
        return m;
    }

    private static String parseAllowed(SlashFields f, String v) {
        if (v.equals("all") || v.equals("none")) {
            return v;
        }
        String[] macs = v.split(",", -1);
        if (macs.length > 4) {
            throw f.invalid("allowed_os_mac_addrs", "must be all, none or at most 4 MAC addresses");
        }
        List<String> out = new ArrayList<>();
        for (String m : macs) {
            out.add(parseMac(f, m));
        }
        return String.join(",", out);
    }

    @Override
    public String format() {
        StringBuilder addl = new StringBuilder();
        for (int v : addlVlanIds) {
            addl.append(addl.isEmpty() ? "" : ",").append(v);
        }
        return SlashFields.join(slot, Values.flag(ieee), portVlanId, addl, trunkPriority, Values.flag(required),
                vswitch, macAddr, allowedOsMacAddrs, qosPriority);
    }
}
