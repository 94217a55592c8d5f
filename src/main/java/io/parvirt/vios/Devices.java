package io.parvirt.vios;

import io.parvirt.model.VirtualEthernetAdapter;
import io.parvirt.model.ViosStorage;
import io.parvirt.model.ViosStorage.Target;
import io.parvirt.model.ViosStorage.TargetKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The devices a VIOS shows ({@code lsdev}, {@code lspv}, {@code chkdev}): its boot disk
 * {@code hdisk0} (volume group rootvg), one {@code entN} per virtual Ethernet adapter of its default
 * profile in slot order, then one Shared Ethernet Adapter per trunk adapter, the console's
 * {@code vsa0}, the {@code vhostN} server adapters and the virtual target devices. No Fibre
 * Channel, no other physical adapter: the host's hardware is not the VIOS's.
 */
final class Devices {
    /** The boot disk's size as lspv shows it (parvirt's VIOS has no disk of its own; a documented figure). */
    static final long HDISK0_MB = 32768;

    /** One device: its class decides the attributes lsdev -attr shows. */
    record Device(String name, String kind, String description, String physloc, int slot, Map<String, String> attrs) {
    }

    private Devices() {
    }

    /** Every device of the VIOS, by name. */
    static List<Device> of(ViosContext c) {
        List<Device> out = new ArrayList<>();
        out.add(new Device("hdisk0", "disk", "Virtual SCSI Disk Drive", c.locationPrefix() + "-V" + c.id()
                + "-C2-T1-L8100000000000000", 0, hdiskAttrs(c)));
        for (San.Lun l : c.svc().san().luns()) {
            out.add(new Device(l.hdisk(), "disk", "MPIO Other FC SCSI Disk Drive", "", 0, lunAttrs(l)));
        }
        List<VirtualEthernetAdapter> eth = c.svc().definition().defaultProfile(c.vios()).io().eth().stream()
                .sorted(Comparator.comparingInt(VirtualEthernetAdapter::slot)).toList();
        int n = 0;
        for (VirtualEthernetAdapter e : eth) {
            Map<String, String> a = new LinkedHashMap<>();
            a.put("alt_addr", "0x000000000000");
            a.put("chksum_offload", "yes");
            a.put("trunk_adapter", e.isTrunk() ? "yes" : "no");
            out.add(new Device("ent" + n++, "ent", "Virtual I/O Ethernet Adapter (l-lan)", c.physloc(e.slot()) + "-T1",
                    e.slot(), a));
        }
        for (int i = 0; i < eth.size(); i++) {
            VirtualEthernetAdapter e = eth.get(i);
            if (e.isTrunk()) {
                Map<String, String> a = new LinkedHashMap<>();
                a.put("ctl_chan", "");
                a.put("ha_mode", "disabled");
                a.put("pvid", Integer.toString(e.portVlanId()));
                a.put("pvid_adapter", "ent" + i);
                a.put("real_adapter", "pvsea" + c.id() + "-" + e.slot());
                a.put("virt_adapters", "ent" + i);
                out.add(new Device("ent" + n++, "sea", "Shared Ethernet Adapter", "", e.slot(), a));
            }
        }
        out.add(new Device("vsa0", "vsa", "LPAR Virtual Serial Adapter", c.physloc(0), 0, Map.of()));
        for (Vhost v : c.vhosts()) {
            out.add(new Device(v.name(), "vhost", "Virtual SCSI Server Adapter", c.physloc(v.slot()), v.slot(),
                    Map.of()));
        }
        ViosStorage s = c.storage();
        for (Target t : s.targets()) {
            Map<String, String> a = new LinkedHashMap<>();
            a.put("LogicalUnitAddr", String.format("0x%016x", MappedDevice.lun(t.lun())));
            a.put("aix_tdev", t.kind() == TargetKind.PV ? Listings.backingName(c, t) : t.kind() == TargetKind.DISK
                    ? t.backing() : t.media() == null ? "" : t.media());
            a.put("client_reserve", "no");
            a.put("mirrored", t.kind() == TargetKind.OPTICAL ? "N/A" : "false");
            out.add(new Device(t.name(), "vtd", Listings.description(t), "", t.serverSlot(), a));
        }
        out.sort(Comparator.comparing(Device::name, Devices::natural));
        return out;
    }

    static Optional<Device> named(ViosContext c, String name) {
        return of(c).stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** The boot disk's physical volume id: 16 hex digits, stable for the VIOS (from its UUID). */
    static String pvid(ViosContext c) {
        return String.format("00%014x", (c.vios().uuid().hashCode() & 0xffffffffL) << 16 | c.id() & 0xffff);
    }

    private static Map<String, String> hdiskAttrs(ViosContext c) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("pvid", pvid(c) + "0000000000000000");
        a.put("queue_depth", "8");
        a.put("reserve_policy", "no_reserve");
        a.put("size_in_mb", Long.toString(HDISK0_MB));
        return a;
    }

    private static Map<String, String> lunAttrs(San.Lun l) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("pvid", l.pvid() + "0000000000000000");
        a.put("queue_depth", "8");
        a.put("reserve_policy", "no_reserve");
        a.put("size_in_mb", Long.toString(l.sizeMb()));
        a.put("unique_id", l.identifier());
        return a;
    }

    static ViosException noPhysicalVolume(String name) {
        return new ViosException(ViosException.Kind.NOT_FOUND, name, "Device " + name + " is not a physical volume.");
    }

    /** ent2 before ent10: names compare by their letters, then their number. */
    private static int natural(String a, String b) {
        String pa = a.replaceAll("[0-9]+$", "");
        String pb = b.replaceAll("[0-9]+$", "");
        if (!pa.equals(pb)) {
            return pa.compareTo(pb);
        }
        return Long.compare(number(a, pa), number(b, pb));
    }

    private static long number(String name, String prefix) {
        String d = name.substring(prefix.length());
        return d.isEmpty() ? -1 : Long.parseLong(d);
    }
}
