package io.parvirt.vios;

import io.parvirt.vios.Devices.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The VIOS's device and status commands that inventory and monitoring tools send through
 * {@code viosvrcmd}: ioslevel, lsdev (all, {@code -type}, {@code -dev NAME}, {@code -vpd},
 * {@code -attr}), lspv ({@code -free}, {@code -size}), chkdev, license, entstat and fcstat. Output
 * has the VIOS's columns; {@code -fmt D} prints the fields joined by D with no header, as on a VIOS.
 */
final class DeviceCommands {
    /** The VIOS level parvirt's VIOS reports (a current 3.1 level; tools compare it with 2.2 and 3.1). */
    static final String IOSLEVEL = "3.1.4.30";

    private DeviceCommands() {
    }

    static String ioslevel(ViosContext c, List<String> words) {
        Args.parse("ioslevel", words, Set.of(), Set.of()).noPositional();
        return IOSLEVEL + "\n";
    }

    /** {@code license [-accept | -view]}: the license is always accepted. */
    static String license(ViosContext c, List<String> words) {
        Args a = Args.parse("license", words, Set.of("-lang"), Set.of("-accept", "-view")).noPositional();
        if (a.has("-accept")) {
            return "";
        }
        if (a.has("-view")) {
            return "The Virtual I/O Server of parvirt has no license terms to accept: it is parvirt's own storage "
                    + "and network server.\n";
        }
        return "The license has been accepted\n";
    }

    /** {@code lsdev [-virtual | -type T | -dev NAME [-vpd | -attr [ATTR]]] [-field F ...] [-fmt D]}. */
    static String lsdev(ViosContext c, List<String> words) {
        Fields f = Fields.take("lsdev", words);
        List<String> rest = new ArrayList<>(f.rest());
        int at = rest.indexOf("-attr");
        String attr = null;
        if (at >= 0) { // -attr takes an attribute name or nothing
            rest.remove(at);
            if (at < rest.size() && !rest.get(at).startsWith("-")) {
                attr = rest.remove(at);
            }
        }
        Args a = Args.parse("lsdev", rest, Set.of("-dev", "-type"), Set.of("-virtual", "-vpd"));
        List<String> extra = a.positional();
        if (a.has("-virtual")) {
            a.noPositional();
            return Listings.lsdevVirtual(c);
        }
        List<Device> devices = Devices.of(c);
        if (a.has("-dev")) {
            Device d = devices.stream().filter(x -> x.name().equals(a.get("-dev"))).findFirst()
                    .orElseThrow(() -> noDevice(a.get("-dev")));
            devices = List.of(d);
        }
        if (a.has("-type")) {
            String t = a.get("-type");
            devices = devices.stream().filter(d -> type(d).contains(t)).toList();
        }
        if (a.has("-vpd")) {
            a.noPositional();
            return vpd(devices);
        }
        if (at >= 0) {
            return attributes("lsdev", devices, attr, extra);
        }
        a.noPositional();
        List<List<String>> rows = new ArrayList<>();
        for (Device d : devices) {
            var row = Fields.row("name", d.name(), "status", "Available", "description", d.description());
            if (!f.names().isEmpty()) {
                row.put("physloc", d.physloc());
            }
            rows.add(f.pick(row));
        }
        return f.render(rows, "%-16s %-11s %s", List.of("name", "status", "description"));
    }

    private static Set<String> type(Device d) {
        return switch (d.kind()) {
            case "disk" -> Set.of("disk", "pv");
            case "ent" -> Set.of("adapter", "ent4sea", "virtual");
            case "sea" -> Set.of("sea", "adapter");
            case "vhost", "vsa" -> Set.of("adapter", "virtual");
            default -> Set.of("virtual", "tape4vtd".equals(d.kind()) ? "tape" : "optical");
        };
    }

    static ViosException noDevice(String name) {
        return new ViosException(ViosException.Kind.NOT_FOUND, name, "Device \"" + name + "\" is not in AVAILABLE "
                + "state.");
    }

    private static String vpd(List<Device> devices) {
        StringBuilder out = new StringBuilder();
        for (Device d : devices) {
            out.append(String.format("  %-16s %-28s%s%n%n", d.name(), d.physloc(), d.description()).replace(
                    String.format("%n"), "\n"));
            out.append("        Displayable Message.........").append(d.description()).append('\n');
            out.append("        Hardware Location Code......").append(d.physloc()).append("\n\n");
        }
        return out.toString();
    }

    /** {@code -attr} (every attribute) or {@code -attr NAME} (its value alone, as the VIOS prints it). */
    private static String attributes(String cmd, List<Device> devices, String attr, List<String> extra) {
        if (!extra.isEmpty() || devices.size() != 1) {
            throw ViosException.usage(cmd, "-attr needs -dev NAME");
        }
        Device d = devices.getFirst();
        if (attr != null) {
            String v = d.attrs().get(attr);
            if (v == null) {
                throw new ViosException(ViosException.Kind.NOT_FOUND, attr, "The attribute " + attr
                        + " is not valid for device " + d.name() + ".");
            }
            return "value\n\n" + v + "\n";
        }
        StringBuilder out = new StringBuilder(Listings.line("%-15s %-33s %-40s %s", "attribute", "value",
                "description", "user_settable")).append('\n');
        for (var e : d.attrs().entrySet()) {
            out.append(Listings.line("%-15s %-33s %-40s %s", e.getKey(), e.getValue(), describe(e.getKey()),
                    (e.getKey().equals("pvid") && d.kind().equals("disk")) || e.getKey().equals("LogicalUnitAddr")
                    ? "False" : "True"));
        }
        return out.toString();
    }

    private static String describe(String attr) {
        return switch (attr) {
            case "alt_addr" -> "Alternate Ethernet address";
            case "chksum_offload" -> "Checksum offload enable";
            case "trunk_adapter" -> "Trunk adapter";
            case "ctl_chan" -> "Control Channel adapter for SEA failover";
            case "ha_mode" -> "High Availability Mode";
            case "pvid" -> "PVID to use for the SEA device";
            case "pvid_adapter" -> "Default virtual adapter to use for non-VLAN-tagged packets";
            case "real_adapter" -> "Physical adapter associated with the SEA";
            case "virt_adapters" -> "List of virtual adapters associated with the SEA (comma separated)";
            case "queue_depth" -> "Queue DEPTH";
            case "reserve_policy" -> "Reserve Policy";
            case "size_in_mb" -> "Size in Megabytes";
            case "LogicalUnitAddr" -> "Logical Unit Address";
            case "aix_tdev" -> "Target Device Name";
            case "client_reserve" -> "Client Reserve";
            case "mirrored" -> "Metro/Global Mirror";
            default -> "";
        };
    }

    /**
     * {@code lspv [-free | -size] [-field ...] [-fmt D]}: hdisk0, in rootvg, then each LUN of the
     * SAN ({@link San}), in no volume group. {@code -free} lists the LUNs no VIOS of this system maps.
     */
    static String lspv(ViosContext c, List<String> words) {
        Fields f = Fields.take("lspv", words);
        Args a = Args.parse("lspv", f.rest(), Set.of(), Set.of("-free", "-size", "-avail")).noPositional();
        String pvid = Devices.pvid(c);
        List<San.Lun> luns = c.svc().san().luns();
        List<List<String>> rows = new ArrayList<>();
        if (a.has("-free") || a.has("-avail")) {
            // hdisk0 holds rootvg; a mapped LUN is in use
            for (San.Lun l : luns) {
                if (!mapped(c, l)) {
                    rows.add(f.pick(Fields.row("name", l.hdisk(), "pvid", l.pvid(), "size", Long.toString(l.sizeMb()))));
                }
            }
            return f.render(rows, "%-15s %-35s %s", List.of("NAME", "PVID", "SIZE(megabytes)"));
        }
        if (a.has("-size")) {
            rows.add(f.pick(Fields.row("name", "hdisk0", "pvid", pvid, "size", Long.toString(Devices.HDISK0_MB))));
            for (San.Lun l : luns) {
                rows.add(f.pick(Fields.row("name", l.hdisk(), "pvid", l.pvid(), "size", Long.toString(l.sizeMb()))));
            }
            return f.render(rows, "%-16s %-36s %s", List.of("NAME", "PVID", "SIZE(megabytes)"));
        }
        rows.add(f.pick(Fields.row("name", "hdisk0", "pvid", pvid, "vg", "rootvg", "status", "active")));
        for (San.Lun l : luns) {
            rows.add(f.pick(Fields.row("name", l.hdisk(), "pvid", l.pvid(), "vg", "None", "status", "")));
        }
        return f.render(rows, "%-16s %-36s %-16s %s", List.of("NAME", "PVID", "VG", "STATUS"));
    }

    /** Whether any VIOS of this system maps LUN {@code l} (it is then not free for another client). */
    private static boolean mapped(ViosContext c, San.Lun l) {
        return c.svc().definition().partitions().stream().anyMatch(p -> p.env() == io.parvirt.model.LparEnv.VIOSERVER
                && c.svc().storage(p.id()).targetOfLun(l.name()).isPresent());
    }

    /** {@code chkdev [-dev NAME] [-verbose] [-field F ...] [-fmt D]} over the physical volumes. */
    static String chkdev(ViosContext c, List<String> words) {
        Fields f = Fields.take("chkdev", words);
        Args a = Args.parse("chkdev", f.rest(), Set.of("-dev"), Set.of("-verbose")).noPositional();
        List<San.Lun> luns = c.svc().san().luns();
        if (a.has("-dev") && !a.get("-dev").equals("hdisk0") && luns.stream().noneMatch(l -> l.hdisk().equals(
                a.get("-dev")))) {
            throw Devices.noPhysicalVolume(a.get("-dev"));
        }
        String pvid = Devices.pvid(c);
        List<Map<String, String>> disks = new ArrayList<>();
        if (!a.has("-dev") || a.get("-dev").equals("hdisk0")) {
            disks.add(check("hdisk0", "3E2136" + pvid.toUpperCase(java.util.Locale.ROOT) + "0PVRT03parvirtfile", "NO",
                    pvid, "", a.has("-verbose")));
        }
        for (San.Lun l : luns) {
            if (!a.has("-dev") || a.get("-dev").equals(l.hdisk())) {
                // a whole disk of the SAN can be mapped to a client as it is
                String vtd = c.storage().targetOfLun(l.name()).map(io.parvirt.model.ViosStorage.Target::name)
                        .orElse("");
                disks.add(check(l.hdisk(), l.identifier(), "YES", l.pvid(), vtd, a.has("-verbose")));
            }
        }
        if (f.delimiter() != null) {
            return f.render(disks.stream().map(f::pick).toList(), "", List.of());
        }
        StringBuilder out = new StringBuilder();
        for (Map<String, String> v : disks) {
            for (var e : v.entrySet()) {
                if (f.wants(e.getKey())) {
                    out.append(Listings.line("%-21s%s", e.getKey().toUpperCase(java.util.Locale.ROOT) + ":",
                            e.getValue()));
                }
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static Map<String, String> check(String name, String identifier, String phys2virt, String pvid, String vtd,
            boolean verbose) {
        Map<String, String> v = new java.util.LinkedHashMap<>();
        v.put("name", name);
        v.put("identifier", identifier);
        v.put("phys2virt_capable", phys2virt);
        v.put("virt2npiv_capable", "NA");
        v.put("virt2phys_capable", "NA");
        if (verbose) {
            v.put("pvid", pvid + "0000000000000000");
            v.put("udid", "");
            v.put("ieee", "");
            v.put("vtd", vtd);
        }
        return v;
    }

    /** {@code fcstat [-e] [-d] [-client] fcsN}: parvirt's VIOS has no Fibre Channel adapter. */
    static String fcstat(ViosContext c, List<String> words) {
        Args a = Args.parse("fcstat", words, Set.of(), Set.of("-e", "-d", "-z", "-client", "-n"));
        if (a.positional().size() != 1) {
            throw ViosException.usage("fcstat", "give one Fibre Channel adapter, e.g. fcs0");
        }
        throw new ViosException(ViosException.Kind.NOT_FOUND, a.positional().getFirst(), "Error opening device: /dev/"
                + a.positional().getFirst() + " (errno 2: the Virtual I/O Server has no Fibre Channel adapter).");
    }

    /** {@code entstat [-all] [-d] entN}: the switch's counters for a virtual adapter of this VIOS. */
    static String entstat(ViosContext c, List<String> words, EthernetStatistics stats) {
        Args a = Args.parse("entstat", words, Set.of(), Set.of("-all", "-d", "-r", "-reset"));
        if (a.positional().size() != 1) {
            throw ViosException.usage("entstat", "give one Ethernet device, e.g. ent0");
        }
        String name = a.positional().getFirst();
        Device d = Devices.named(c, name).filter(x -> x.kind().equals("ent") || x.kind().equals("sea"))
                .orElseThrow(() -> new ViosException(ViosException.Kind.NOT_FOUND, name, "entstat: 0909-003 Unable to "
                        + "connect to device " + name + ", errno = 19"));
        EthernetStatistics.Counters n = stats.of(c.id(), d.slot()).orElse(new EthernetStatistics.Counters("",
                0, 0, 0, 0, 0, 0));
        StringBuilder out = new StringBuilder("-".repeat(61)).append('\n');
        out.append("ETHERNET STATISTICS (").append(name).append(") :\n");
        out.append("Device Type: ").append(d.description()).append('\n');
        out.append("Hardware Address: ").append(colons(n.mac())).append("\n\n");
        out.append(Listings.line("%-46s%s", "Transmit Statistics:", "Receive Statistics:"));
        out.append(Listings.line("%-46s%s", "--------------------", "-------------------"));
        out.append(Listings.line("%-46s%s", "Packets: " + n.txFrames(), "Packets: " + n.rxFrames()));
        out.append(Listings.line("%-46s%s", "Bytes: " + n.txBytes(), "Bytes: " + n.rxBytes()));
        out.append(Listings.line("%-46s%s", "Transmit Errors: 0", "Receive Errors: 0"));
        out.append(Listings.line("%-46s%s", "Packets Dropped: " + n.txDropped(), "Packets Dropped: " + n.rxDropped()));
        if (d.kind().equals("ent") && a.has("-all")) {
            out.append('\n').append("Trunk Adapter: ").append(d.attrs().get("trunk_adapter").equals("yes") ? "True"
                    : "False").append('\n');
        }
        return out.toString();
    }

    private static String colons(String mac) {
        if (mac == null || mac.length() != 12) {
            return "00:00:00:00:00:00";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 12; i += 2) {
            b.append(i > 0 ? ":" : "").append(mac.substring(i, i + 2).toLowerCase(java.util.Locale.ROOT));
        }
        return b.toString();
    }
}
