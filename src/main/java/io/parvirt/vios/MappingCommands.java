package io.parvirt.vios;

import static io.parvirt.model.ViosStorage.minus;
import static io.parvirt.model.ViosStorage.plus;

import io.parvirt.model.ViosStorage;
import io.parvirt.model.ViosStorage.Target;
import io.parvirt.model.ViosStorage.TargetKind;
import java.util.List;
import java.util.Set;

/** Virtual target devices on server adapters: mkvdev, rmvdev. */
final class MappingCommands {
    private MappingCommands() {
    }

    /**
     * {@code mkvdev -vdev BACKING -vadapter vhostN [-dev NAME]} (a backing device of a pool, or a
     * whole physical volume hdiskN of the SAN) or {@code mkvdev -fbo -vadapter vhostN [-dev NAME]}.
     */
    static String mkvdev(ViosContext c, List<String> words) {
        Args a = Args.parse("mkvdev", words, Set.of("-vdev", "-vadapter", "-dev"), Set.of("-fbo", "-f"))
                .noPositional();
        if (a.has("-vdev") == a.has("-fbo")) {
            throw ViosException.usage("mkvdev", "give either -vdev BACKING_DEVICE or -fbo");
        }
        String adapter = a.require("-vadapter");
        String[] made = new String[1];
        c.apply(s -> {
            Vhost v = c.vhost(adapter);
            Target t;
            if (a.has("-fbo")) {
                t = newTarget(c, s, v, a.get("-dev"), TargetKind.OPTICAL, null);
            } else if (a.get("-vdev").matches("hdisk[0-9]+")) {
                String hdisk = a.get("-vdev");
                if (hdisk.equals("hdisk0")) {
                    throw new ViosException(ViosException.Kind.IN_USE, hdisk, "The physical volume hdisk0 belongs to "
                            + "volume group rootvg: it cannot be mapped whole.");
                }
                San.Lun l = c.svc().san().disk(hdisk).orElseThrow(() -> Devices.noPhysicalVolume(hdisk));
                c.svc().checkLunFree(c.id(), v.slot(), l.name(), hdisk);
                t = newTarget(c, s, v, a.get("-dev"), TargetKind.PV, l.name());
            } else {
                String bd = a.get("-vdev");
                s.device(bd).orElseThrow(() -> new ViosException(ViosException.Kind.NOT_FOUND, bd, "The backing "
                        + "device " + bd + " does not exist: give a backing device of a storage pool (lssp -bd -sp "
                        + "POOL lists them)."));
                var mapped = s.targetOf(bd);
                if (mapped.isPresent()) {
                    throw new ViosException(ViosException.Kind.IN_USE, bd, "The backing device " + bd + " is already "
                            + "mapped by " + mapped.get().name() + "; a backing device can be mapped only once.");
                }
                t = newTarget(c, s, v, a.get("-dev"), TargetKind.DISK, bd);
            }
            made[0] = t.name();
            return new ViosService.Change(s.withTargets(plus(s.targets(), t)), "Virtual target device " + t.name()
                    + " created on " + adapter + " of " + c.vios().name());
        });
        return made[0] + " Available\n";
    }

    /**
     * A new target on {@code v}: named {@code name}, else vtscsiN / vtoptN with the lowest free N;
     * at the lowest LUN index free on that adapter.
     */
    static Target newTarget(ViosContext c, ViosStorage s, Vhost v, String name, TargetKind kind, String backing) {
        String n = name;
        if (n == null) {
            String prefix = kind == TargetKind.OPTICAL ? "vtopt" : "vtscsi";
            int i = 0;
            while (s.target(prefix + i).isPresent() || s.pool(prefix + i).isPresent()
                    || s.device(prefix + i).isPresent()) {
                i++;
            }
            n = prefix + i;
        } else {
            StorageCommands.deviceName("mkvdev", n);
            Names.checkFree(c, s, n);
        }
        int lun = 1;
        while (lun(s, v.slot(), lun)) {
            lun++;
        }
        if (lun > 0x7f) {
            throw new ViosException(ViosException.Kind.NO_SPACE, v.name(), "The adapter " + v.name() + " has no free "
                    + "LUN: it serves 127 devices.");
        }
        return new Target(n, v.slot(), lun, kind, backing, null);
    }

    private static boolean lun(ViosStorage s, int slot, int lun) {
        return s.targets().stream().anyMatch(t -> t.serverSlot() == slot && t.lun() == lun);
    }

    /** {@code rmvdev -vtd NAME} or {@code rmvdev -vdev BACKING}: the mapping goes, the backing device stays. */
    static String rmvdev(ViosContext c, List<String> words) {
        Args a = Args.parse("rmvdev", words, Set.of("-vtd", "-vdev"), Set.of("-f", "-rmlv")).noPositional();
        if (a.has("-vtd") == a.has("-vdev")) {
            throw ViosException.usage("rmvdev", "give either -vtd or -vdev");
        }
        c.apply(s -> {
            Target t = a.has("-vtd")
                    ? s.target(a.get("-vtd")).orElseThrow(() -> ViosException.notFound("virtual target device",
                            a.get("-vtd")))
                    : s.targetOf(a.get("-vdev")).or(() -> c.svc().san().disk(a.get("-vdev"))
                            .flatMap(l -> s.targetOfLun(l.name()))).orElseThrow(() -> new ViosException(
                            ViosException.Kind.NOT_FOUND, a.get("-vdev"), "No virtual target device maps "
                            + a.get("-vdev") + "."));
            return new ViosService.Change(s.withTargets(minus(s.targets(), x -> x.name().equals(t.name()))),
                    "Virtual target device " + t.name() + " removed from " + c.vios().name());
        });
        return "";
    }
}
