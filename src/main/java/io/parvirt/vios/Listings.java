package io.parvirt.vios;

import io.parvirt.model.ViosStorage;
import io.parvirt.model.ViosStorage.BackingDevice;
import io.parvirt.model.ViosStorage.Media;
import io.parvirt.model.ViosStorage.Pool;
import io.parvirt.model.ViosStorage.Target;
import io.parvirt.model.ViosStorage.TargetKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** The VIOS's listings: lsmap, lssp, lsdev -virtual, lsvopt, lsrep. Trailing blanks are trimmed. */
final class Listings {
    private Listings() {
    }

    static String line(String format, Object... args) {
        return String.format(format, args).stripTrailing() + "\n";
    }

    /** {@code lsmap -all} or {@code lsmap -vadapter vhostN}. */
    static String lsmap(ViosContext c, List<String> words) {
        Fields f = Fields.take("lsmap", words);
        Args a = Args.parse("lsmap", f.rest(), Set.of("-vadapter", "-type"), Set.of("-all", "-npiv", "-net", "-dec"))
                .noPositional();
        if (a.has("-all") == a.has("-vadapter")) {
            throw ViosException.usage("lsmap", "give either -all or -vadapter vhostN");
        }
        if (a.has("-npiv") || a.has("-net")) {
            // no virtual Fibre Channel server adapters; SEA mappings are not listed here (lsdev shows the SEAs)
            return "";
        }
        List<Vhost> adapters = a.has("-all") ? c.vhosts() : List.of(c.vhost(a.get("-vadapter")));
        ViosStorage s = c.storage();
        if (f.delimiter() != null || !f.names().isEmpty()) {
            return delimited(c, s, adapters, f, a.has("-dec"));
        }
        StringBuilder out = new StringBuilder();
        for (Vhost v : adapters) {
            out.append(line("%-15s %-44s %s", "SVSA", "Physloc", "Client Partition ID"));
            out.append(line("%s %s %s", "-".repeat(15), "-".repeat(44), "-".repeat(18)));
            out.append(line("%-15s %-44s 0x%08x", v.name(), c.physloc(v.slot()), v.clientId())).append('\n');
            List<Target> ts = s.targets().stream().filter(t -> t.serverSlot() == v.slot())
                    .sorted(Comparator.comparingInt(Target::lun)).toList();
            if (ts.isEmpty()) {
                out.append("NO VIRTUAL TARGET DEVICE FOUND\n\n");
            }
            for (Target t : ts) {
                Path file = file(c, s, t);
                out.append(line("%-22s%s", "VTD", t.name()));
                out.append(line("%-22s%s", "Status", status(file)));
                out.append(line("%-22s0x%016x", "LUN", MappedDevice.lun(t.lun())));
                out.append(line("%-22s%s", "Backing device", backingName(c, t)));
                out.append(line("%-22s%s", "Physloc", ""));
                out.append(line("%-22s%s", "Mirrored", t.kind() == TargetKind.OPTICAL ? "N/A" : "false")).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * {@code lsmap ... -fmt D [-field F ...]}: one line per server adapter, its fields then each
     * target's fields, joined by D (a blank for an empty field); {@code -field} without {@code -fmt}
     * joins with a blank.
     */
    private static String delimited(ViosContext c, ViosStorage s, List<Vhost> adapters, Fields f, boolean dec) {
        String d = f.delimiter() == null ? " " : f.delimiter();
        Set<String> valid = Set.of("svsa", "physloc", "clientid", "vtd", "status", "lun", "backing", "bdphysloc",
                "mirrored");
        for (String n : f.names()) {
            if (!valid.contains(n)) {
                throw ViosException.usage("lsmap", "the field " + n + " is not valid; valid fields are svsa, physloc, "
                        + "clientid, vtd, status, lun, backing, bdphysloc, mirrored");
            }
        }
        StringBuilder out = new StringBuilder();
        for (Vhost v : adapters) {
            List<String> fields = new java.util.ArrayList<>();
            java.util.Map<String, String> head = new java.util.LinkedHashMap<>();
            head.put("svsa", v.name());
            head.put("physloc", c.physloc(v.slot()));
            head.put("clientid", dec ? Integer.toString(v.clientId()) : String.format("0x%08x", v.clientId()));
            head.forEach((k, x) -> {
                if (f.wants(k)) {
                    fields.add(x);
                }
            });
            for (Target t : s.targets().stream().filter(t -> t.serverSlot() == v.slot())
                    .sorted(Comparator.comparingInt(Target::lun)).toList()) {
                Path file = file(c, s, t);
                java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
                m.put("vtd", t.name());
                m.put("status", status(file));
                m.put("lun", String.format("0x%016x", MappedDevice.lun(t.lun())));
                m.put("backing", backingName(c, t));
                m.put("bdphysloc", "");
                m.put("mirrored", t.kind() == TargetKind.OPTICAL ? "N/A" : "false");
                m.forEach((k, x) -> {
                    if (f.wants(k)) {
                        fields.add(x);
                    }
                });
            }
            out.append(String.join(d, fields.stream().map(x -> x.isEmpty() ? " " : x).toList())).append('\n');
        }
        return out.toString();
    }

    /**
     * What lsmap prints as the backing device: a file-backed device's or medium's file, a whole
     * physical volume's hdisk name (its LUN's name when the SAN no longer has it), nothing for an
     * empty drive.
     */
    static String backingName(ViosContext c, Target t) {
        if (t.kind() == TargetKind.PV) {
            return c.svc().san().lun(t.backing()).map(San.Lun::hdisk).orElse(t.backing());
        }
        Path file = file(c, c.storage(), t);
        return file == null ? "" : file.toString();
    }

    static String description(Target t) {
        return switch (t.kind()) {
            case DISK -> "Virtual Target Device - File-backed Disk";
            case PV -> "Virtual Target Device - Disk";
            case OPTICAL -> "Virtual Target Device - File-backed Optical";
        };
    }

    /** The file behind a target: the backing device's, the LUN's, the loaded medium's, or null for an empty drive. */
    static Path file(ViosContext c, ViosStorage s, Target t) {
        if (t.kind() == TargetKind.PV) {
            return c.svc().san().file(t.backing());
        }
        if (t.kind() == TargetKind.DISK) {
            return c.svc().devicePath(c.id(), s.device(t.backing()).orElseThrow());
        }
        return t.media() == null ? null : c.svc().mediaPath(c.id(), t.media());
    }

    /** Available, or Defined when the file behind the device has gone. */
    static String status(Path file) {
        return file == null || Files.isRegularFile(file) ? "Available" : "Defined";
    }

    /** {@code lssp} (the pools) or {@code lssp -bd -sp POOL} (a pool's backing devices). */
    static String lssp(ViosContext c, List<String> words) {
        Args a = Args.parse("lssp", words, Set.of("-sp"), Set.of("-bd")).noPositional();
        ViosStorage s = c.storage();
        StringBuilder out = new StringBuilder();
        if (a.has("-bd")) {
            Pool p = StorageCommands.pool(s, a.require("-sp"));
            out.append(line("%-20s %9s %-15s %-15s %s", "Lv(bd) Name", "Size(mb)", "VTD", "SVSA", "Status"));
            for (BackingDevice d : s.devices()) {
                if (!d.pool().equals(p.name())) {
                    continue;
                }
                var t = s.targetOf(d.name());
                Vhost v = t.map(x -> c.vhostOfSlot(x.serverSlot())).orElse(null);
                out.append(line("%-20s %9d %-15s %-15s %s", d.name(), d.sizeMb(), t.map(Target::name).orElse(""),
                        v == null ? "" : v.name(), status(c.svc().devicePath(c.id(), d))));
            }
            return out.toString();
        }
        if (a.has("-sp")) {
            throw ViosException.usage("lssp", "-sp needs -bd");
        }
        out.append(line("%-16s %9s %9s %15s %5s %s", "Pool", "Size(mb)", "Free(mb)", "Alloc Size(mb)", "BDs", "Type"));
        for (Pool p : s.pools()) {
            long bds = s.devices().stream().filter(d -> d.pool().equals(p.name())).count();
            out.append(line("%-16s %9d %9d %15d %5d %s", p.name(), p.sizeMb(), RootVg.freeMb(s, p),
                    RootVg.allocMb(p), bds, RootVg.is(p) ? "LVPOOL" : "FBPOOL"));
        }
        return out.toString();
    }

    /** {@code lsdev -virtual}: the server adapters, then the virtual target devices by name. */
    static String lsdevVirtual(ViosContext c) {
        ViosStorage s = c.storage();
        StringBuilder out = new StringBuilder(line("%-16s %-11s %s", "name", "status", "description"));
        for (Vhost v : c.vhosts()) {
            out.append(line("%-16s %-11s %s", v.name(), "Available", "Virtual SCSI Server Adapter"));
        }
        for (Target t : s.targets().stream().sorted(Comparator.comparing(Target::name)).toList()) {
            out.append(line("%-16s %-11s %s", t.name(), status(file(c, s, t)), description(t)));
        }
        return out.toString();
    }

    /** {@code lsvopt}: each optical drive and its medium. */
    static String lsvopt(ViosContext c, List<String> words) {
        Args.parse("lsvopt", words, Set.of(), Set.of()).noPositional();
        ViosStorage s = c.storage();
        StringBuilder out = new StringBuilder(line("%-15s %-39s %s", "VTD", "Media", "Size(mb)"));
        for (Target t : s.targets().stream().filter(t -> t.kind() == TargetKind.OPTICAL)
                .sorted(Comparator.comparing(Target::name)).toList()) {
            Media m = t.media() == null ? null : s.medium(t.media()).orElseThrow();
            out.append(line("%-15s %-39s %s", t.name(), m == null ? "No Media" : m.name(),
                    m == null ? "n/a" : Long.toString(m.sizeMb())));
        }
        return out.toString();
    }

    /** {@code lsrep}: the repository's capacity and its pool's, then its media. */
    static String lsrep(ViosContext c, List<String> words) {
        Args.parse("lsrep", words, Set.of(), Set.of()).noPositional();
        ViosStorage s = c.storage();
        if (s.repository() == null) {
            throw MediaCommands.noRepository(c);
        }
        Pool p = s.pool(s.repository().pool()).orElseThrow();
        StringBuilder out = new StringBuilder();
        out.append(line("%8s %8s %-19s %11s %16s", "Size(mb)", "Free(mb)", "Parent Pool", "Parent Size",
                "Parent Free"));
        out.append(line("%8d %8d %-19s %11d %16d", s.repository().sizeMb(), s.repositoryFreeMb(), p.name(),
                p.sizeMb(), RootVg.freeMb(s, p))).append('\n');
        out.append(line("%-48s %9s %-15s %s", "Name", "File Size", "Optical", "Access"));
        for (Media m : s.media()) {
            String drives = String.join(",", s.targets().stream().filter(t -> m.name().equals(t.media()))
                    .map(Target::name).sorted().toList());
            out.append(line("%-48s %9d %-15s %s", m.name(), m.sizeMb(), drives.isEmpty() ? "None" : drives,
                    m.readOnly() ? "ro" : "rw"));
        }
        return out.toString();
    }
}
