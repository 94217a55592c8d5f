package io.parvirt.vios;

import static io.parvirt.model.ViosStorage.plus;

import io.parvirt.model.ViosStorage;
import io.parvirt.model.ViosStorage.BackingDevice;
import io.parvirt.model.ViosStorage.Pool;
import io.parvirt.model.ViosStorage.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * New mapped disks whose contents come from elsewhere (issue 19: a restored or cloned partition's
 * disks). {@link #plan} chooses each disk's pool and name and checks the pools' room, changing
 * nothing; the caller fills one staging file per disk (beside its final place, so the move is a
 * rename); {@link #commit} re-checks under the VIOS's lock, moves the files into place and adds
 * the backing devices and their mappings as one change. A pool named by the source that this
 * VIOS lacks is replaced by its default pool; a device name in use gets a numeric suffix.
 */
public final class DiskPlacement {
    private DiskPlacement() {
    }

    /** A disk wanted: preferred pool and name, size, and the server adapter's slot it is mapped on. */
    public record Wanted(String pool, String device, long sizeMb, int serverSlot) {
    }

    /** A disk placed: its pool, name, size, slot, and the staging file to fill before {@link #commit}. */
    public record Placed(int viosId, String pool, String device, long sizeMb, int serverSlot, Path staging,
            Path file) {
    }

    /** Chooses pools and names for {@code wanted} on VIOS {@code viosId}; refuses a pool without room. */
    public static List<Placed> plan(ViosService svc, int viosId, List<Wanted> wanted) {
        synchronized (svc) {
            return place(svc, svc.storage(viosId), viosId, wanted);
        }
    }

    private static List<Placed> place(ViosService svc, ViosStorage s, int viosId, List<Wanted> wanted) {
        Set<String> taken = new HashSet<>();
        s.pools().forEach(p -> taken.add(p.name()));
        s.devices().forEach(d -> taken.add(d.name()));
        s.targets().forEach(t -> taken.add(t.name()));
        java.util.Map<String, Long> used = new java.util.HashMap<>();
        List<Placed> out = new ArrayList<>();
        for (Wanted w : wanted) {
            Pool pool = s.pool(w.pool()).orElseGet(() -> s.pools().stream().filter(Pool::isDefault).findFirst()
                    .orElseThrow(() -> new ViosException(ViosException.Kind.NOT_FOUND, "-sp", "The Virtual I/O "
                            + "Server (ID " + viosId + ") has no storage pool for the disks.")));
            long size = RootVg.rounded(pool, w.sizeMb());
            long free = RootVg.freeMb(s, pool) - used.getOrDefault(pool.name(), 0L);
            if (size > free) {
                throw new ViosException(ViosException.Kind.NO_SPACE, pool.name(), "The storage pool " + pool.name()
                        + " of the Virtual I/O Server (ID " + viosId + ") has " + free + " MB free; the disk "
                        + w.device() + " needs " + size + " MB.");
            }
            used.merge(pool.name(), size, Long::sum);
            String name = w.device();
            for (int i = 1; taken.contains(name); i++) {
                String suffix = "_" + i;
                name = w.device().substring(0, Math.min(w.device().length(), 15 - suffix.length())) + suffix;
            }
            taken.add(name);
            Path file = svc.devicePath(viosId, new BackingDevice(name, pool.name(), size));
            out.add(new Placed(viosId, pool.name(), name, size, w.serverSlot(),
                    file.resolveSibling("." + name + ".incoming"), file));
        }
        return out;
    }

    /**
     * Adds the placed disks, their files filled at their staging paths, each mapped (vtscsiN, lowest
     * free LUN) on its server slot; returns the target names in order. Refused, and nothing
     * changed, when the VIOS changed meanwhile so that the plan no longer fits.
     */
    public static List<String> commit(ViosService svc, int viosId, List<Placed> placed, String what, String user) {
        List<String> names = new ArrayList<>();
        svc.apply(viosId, user, s -> {
            List<Placed> again = place(svc, s, viosId, placed.stream().map(p -> new Wanted(p.pool(), p.device(),
                    p.sizeMb(), p.serverSlot())).toList());
            if (!again.stream().map(Placed::device).toList().equals(placed.stream().map(Placed::device).toList())) {
                throw new ViosException(ViosException.Kind.IN_USE, placed.getFirst().device(), "The storage of the "
                        + "Virtual I/O Server (ID " + viosId + ") changed while the disks were being written; "
                        + "nothing was added.");
            }
            ViosStorage next = s;
            names.clear();
            for (Placed p : placed) {
                next = next.withDevices(plus(next.devices(), new BackingDevice(p.device(), p.pool(), p.sizeMb())));
                Target t = newTarget(next, p.serverSlot(), p.device());
                next = next.withTargets(plus(next.targets(), t));
                names.add(t.name());
            }
            return new ViosService.Change(next, "Backing devices " + String.join(", ", placed.stream()
                    .map(Placed::device).toList()) + " added and mapped as " + String.join(", ", names) + " for "
                    + what, moveIntoPlace(placed), List.of());
        });
        return List.copyOf(names);
    }

    private static Target newTarget(ViosStorage s, int slot, String backing) {
        int i = 0;
        while (s.target("vtscsi" + i).isPresent() || s.pool("vtscsi" + i).isPresent()
                || s.device("vtscsi" + i).isPresent()) {
            i++;
        }
        int lun = 1;
        while (lun <= 0x7f && lunTaken(s, slot, lun)) {
            lun++;
        }
        if (lun > 0x7f) {
            throw new ViosException(ViosException.Kind.NO_SPACE, "slot " + slot, "The server adapter in slot " + slot
                    + " has no free LUN: it serves 127 devices.");
        }
        return new Target("vtscsi" + i, slot, lun, ViosStorage.TargetKind.DISK, backing, null);
    }

    private static boolean lunTaken(ViosStorage s, int slot, int lun) {
        return s.targets().stream().anyMatch(t -> t.serverSlot() == slot && t.lun() == lun);
    }

    private static ViosService.FileWork moveIntoPlace(List<Placed> placed) {
        return new ViosService.FileWork() {
            public void run() throws IOException {
                for (Placed p : placed) {
                    Files.move(p.staging(), p.file(), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }

            public void undo() {
                placed.forEach(p -> p.file().toFile().delete());
            }
        };
    }

    /** Removes the staging files of a plan that is given up. */
    public static void discard(List<Placed> placed) {
        for (Placed p : placed) {
            try {
                Files.deleteIfExists(p.staging());
            } catch (IOException e) {
                // a leftover ".incoming" file is replaced when the name is used again
            }
        }
    }

    /** The file of VIOS {@code viosId}'s backing device {@code device} (to read a disk's contents). */
    public static Path fileOf(ViosService svc, int viosId, String device) {
        ViosStorage s = svc.storage(viosId);
        return svc.devicePath(viosId, s.device(device).orElseThrow(() -> ViosException.notFound("backing device",
                device)));
    }
}
