package io.parvirt.vios;

import static io.parvirt.model.ViosStorage.minus;
import static io.parvirt.model.ViosStorage.plus;
import static io.parvirt.model.ViosStorage.replace;

import io.parvirt.model.ViosStorage;
import io.parvirt.model.ViosStorage.BackingDevice;
import io.parvirt.model.ViosStorage.Pool;
import io.parvirt.model.ViosStorage.Target;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** File storage pools and their backing devices: mksp, lssp, chsp, rmsp, mkbdsp, rmbdsp. */
final class StorageCommands {
    private StorageCommands() {
    }

    /** {@code mksp -fb NAME -size SIZE}; {@code -sp PARENT} is refused (parvirt has no LV pools to nest in). */
    static String mksp(ViosContext c, List<String> words) {
        Args a = Args.parse("mksp", words, Set.of("-fb", "-size", "-sp"), Set.of("-f")).noPositional();
        if (a.has("-sp")) {
            throw new ViosException(ViosException.Kind.USAGE, "-sp", "A file storage pool cannot be made inside "
                    + "another pool (-sp " + a.get("-sp") + "): parvirt's file pools stand alone beside rootvg; "
                    + "omit -sp.");
        }
        String name = deviceName("mksp", a.require("-fb"));
        long size = Sizes.parseMb("-size", a.require("-size"));
        Path dir = c.svc().poolDir(c.id(), name);
        c.apply(s -> {
            Names.checkFree(c, s, name);
            boolean first = s.pools().isEmpty();
            ViosService.FileWork mkdir = new ViosService.FileWork() {
                public void run() throws IOException {
                    ViosService.deleteTree(dir); // left over from a pool removed before a crash
                    Files.createDirectories(dir);
                }

                public void undo() {
                    dir.toFile().delete();
                }
            };
            return new ViosService.Change(s.withPools(plus(s.pools(), new Pool(name, size, first))), "Storage pool "
                    + name + " (" + size + " MB) created on " + c.vios().name(), mkdir, List.of());
        });
        return "";
    }

    /** {@code chsp -default POOL}. */
    static String chsp(ViosContext c, List<String> words) {
        Args a = Args.parse("chsp", words, Set.of("-default"), Set.of()).noPositional();
        String name = a.require("-default");
        c.apply(s -> {
            pool(s, name);
            return new ViosService.Change(s.withPools(s.pools().stream().map(p -> new Pool(p.name(), p.sizeMb(),
                    p.name().equals(name))).toList()), "Storage pool " + name + " made the default on "
                    + c.vios().name());
        });
        return "";
    }

    /** {@code rmsp POOL}: only an empty pool (no backing devices, not holding the repository). */
    static String rmsp(ViosContext c, List<String> words) {
        Args a = Args.parse("rmsp", words, Set.of(), Set.of("-f"));
        if (a.positional().size() != 1) {
            throw ViosException.usage("rmsp", "give one storage pool name");
        }
        String name = a.positional().getFirst();
        c.apply(s -> {
            if (RootVg.is(pool(s, name))) {
                throw new ViosException(ViosException.Kind.IN_USE, name, "The storage pool rootvg holds the VIOS's "
                        + "own logical volumes and cannot be removed.");
            }
            if (s.devices().stream().anyMatch(d -> d.pool().equals(name))) {
                throw new ViosException(ViosException.Kind.IN_USE, name, "The storage pool " + name + " still holds "
                        + "backing devices; remove them first (rmbdsp).");
            }
            if (s.repository() != null && s.repository().pool().equals(name)) {
                throw new ViosException(ViosException.Kind.IN_USE, name, "The storage pool " + name + " holds the "
                        + "virtual media repository.");
            }
            List<Pool> rest = minus(s.pools(), p -> p.name().equals(name));
            if (!rest.isEmpty() && rest.stream().noneMatch(Pool::isDefault)) {
                Pool f = rest.getFirst();
                rest = replace(rest, p -> p == f, new Pool(f.name(), f.sizeMb(), true));
            }
            return new ViosService.Change(s.withPools(rest), "Storage pool " + name + " removed from "
                    + c.vios().name(), () -> { }, List.of(c.svc().poolDir(c.id(), name)));
        });
        return "";
    }

    /** {@code mkbdsp [-sp POOL] SIZE -bd NAME [-vadapter vhostN [-tn VTD]]}: a sparse file, mapped if asked. */
    static String mkbdsp(ViosContext c, List<String> words) {
        Args a = Args.parse("mkbdsp", words, Set.of("-sp", "-bd", "-vadapter", "-tn"), Set.of("-thick"));
        if (a.positional().size() != 1) {
            throw ViosException.usage("mkbdsp", "give one size (for example 10G or 512M)");
        }
        long asked = Sizes.parseMb("size", a.positional().getFirst());
        String name = deviceName("mkbdsp", a.require("-bd"));
        if (a.has("-tn") && !a.has("-vadapter")) {
            throw ViosException.usage("mkbdsp", "-tn needs -vadapter");
        }
        c.apply(s -> {
            Pool pool = a.has("-sp") ? pool(s, a.get("-sp")) : defaultPool(c, s);
            Names.checkFree(c, s, name);
            long size = RootVg.rounded(pool, asked);
            long free = RootVg.freeMb(s, pool);
            if (size > free) {
                throw new ViosException(ViosException.Kind.NO_SPACE, pool.name(), "The storage pool " + pool.name()
                        + " has " + free + " MB free; the backing device " + name + " needs " + size + " MB.");
            }
            BackingDevice bd = new BackingDevice(name, pool.name(), size);
            ViosStorage next = s.withDevices(plus(s.devices(), bd));
            String event = "Backing device " + name + " (" + size + " MB) created in pool " + pool.name();
            if (a.has("-vadapter")) {
                Target t = MappingCommands.newTarget(c, next, c.vhost(a.get("-vadapter")), a.get("-tn"),
                        ViosStorage.TargetKind.DISK, name);
                next = next.withTargets(plus(next.targets(), t));
                event += " and mapped as " + t.name() + " to " + a.get("-vadapter");
            }
            Path file = c.svc().devicePath(c.id(), bd);
            return new ViosService.Change(next, event + " on " + c.vios().name(), sparseFile(file, size), List.of());
        });
        return "";
    }

    /**
     * {@code rmbdsp -bd NAME [-sp POOL]} removes an unmapped backing device and its file; a mapped
     * one is refused (a client may be using it). {@code rmbdsp -vtd VTD [-savebd]} removes the
     * mapping and, unless {@code -savebd}, its backing device, as the VIOS documents.
     */
    static String rmbdsp(ViosContext c, List<String> words) {
        Args a = Args.parse("rmbdsp", words, Set.of("-bd", "-sp", "-vtd"), Set.of("-savebd", "-f")).noPositional();
        if (a.has("-bd") == a.has("-vtd")) {
            throw ViosException.usage("rmbdsp", "give either -bd or -vtd");
        }
        c.apply(s -> {
            Target t = null;
            BackingDevice bd;
            if (a.has("-vtd")) {
                t = s.target(a.get("-vtd")).filter(x -> x.kind() == ViosStorage.TargetKind.DISK).orElseThrow(() ->
                        ViosException.notFound("virtual target device", a.get("-vtd")));
                bd = s.device(t.backing()).orElseThrow();
            } else {
                bd = s.device(a.get("-bd")).orElseThrow(() -> ViosException.notFound("backing device", a.get("-bd")));
                var mapped = s.targetOf(bd.name());
                if (mapped.isPresent()) {
                    throw new ViosException(ViosException.Kind.IN_USE, bd.name(), "The backing device " + bd.name()
                            + " is mapped by " + mapped.get().name() + "; remove the mapping first (rmvdev -vtd "
                            + mapped.get().name() + ").");
                }
            }
            if (a.has("-sp") && !a.get("-sp").equals(bd.pool())) {
                throw ViosException.notFound("backing device", bd.name() + " in storage pool " + a.get("-sp"));
            }
            Target drop = t;
            ViosStorage next = drop == null ? s : s.withTargets(minus(s.targets(), x -> x.name().equals(drop.name())));
            if (drop != null && a.has("-savebd")) {
                return new ViosService.Change(next, "Mapping " + drop.name() + " removed from " + c.vios().name());
            }
            requireNoLinkedClones(c, bd);
            next = next.withDevices(minus(next.devices(), d -> d.name().equals(bd.name())));
            return new ViosService.Change(next, "Backing device " + bd.name() + " removed from " + c.vios().name(),
                    () -> { }, c.svc().deviceFiles(c.id(), bd));
        });
        return "";
    }

    /** A device whose snapshot a linked clone's disk reads through stays while the clone does (issue 19). */
    static void requireNoLinkedClones(ViosContext c, ViosStorage.BackingDevice bd) {
        java.util.List<java.nio.file.Path> clones;
        try {
            clones = io.parvirt.vios.nbd.LinkedClones.linkedClones(c.svc().devicePath(c.id(), bd), null);
        } catch (java.io.IOException e) {
            clones = java.util.List.of();
        }
        if (!clones.isEmpty()) {
            throw new ViosException(ViosException.Kind.IN_USE, bd.name(), "The backing device " + bd.name()
                    + " holds the disk of linked clone backing device " + clones.getFirst().getFileName()
                    + ": remove that first.");
        }
    }

    static Pool pool(ViosStorage s, String name) {
        return s.pool(name).orElseThrow(() -> ViosException.notFound("storage pool", name));
    }

    private static Pool defaultPool(ViosContext c, ViosStorage s) {
        return s.pools().stream().filter(Pool::isDefault).findFirst().orElseThrow(() -> new ViosException(
                ViosException.Kind.NOT_FOUND, "-sp", c.vios().name() + " has no storage pool: make one with mksp -fb."));
    }

    static String deviceName(String command, String name) {
        if (!ViosStorage.isValidDeviceName(name)) {
            throw new ViosException(ViosException.Kind.USAGE, name, "The name " + name + " given to " + command
                    + " is not valid: use 1 to 15 letters, digits, '_', '-' or '.', not starting with '.'.");
        }
        return name;
    }

    /** Makes a sparse file of {@code sizeMb} (replacing a stale one); undo removes it. */
    static ViosService.FileWork sparseFile(Path file, long sizeMb) {
        return new ViosService.FileWork() {
            public void run() throws IOException {
                Files.deleteIfExists(file);
                Files.createDirectories(file.getParent());
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                    f.setLength(sizeMb * 1024 * 1024);
                }
            }

            public void undo() {
                file.toFile().delete();
            }
        };
    }
}
