package io.parvirt.vios;

import static io.parvirt.model.ViosStorage.plus;

import io.parvirt.model.ViosStorage;
import io.parvirt.model.ViosStorage.Media;
import io.parvirt.model.ViosStorage.Target;

/**
 * A virtual optical drive made for a restored partition (issue 19, {@code rstlpar}): a file-backed
 * optical device ({@code mkvdev -fbo}) on the server adapter made for the client's adapter, with
 * the medium it held loaded again from this VIOS's virtual media repository. A backup archive does
 * not carry media (install images live in the repository, shared by partitions; see
 * {@code partition.backup}): the medium must be there under its name, which {@link #requireLoadable}
 * checks before anything is created, as {@code loadopt} would.
 */
public final class OpticalPlacement {
    private OpticalPlacement() {
    }

    /**
     * Refuses when VIOS {@code viosId} cannot load {@code medium} into a new drive: it is not in its
     * repository, or it is a read-write one loaded in another drive.
     */
    public static void requireLoadable(ViosService svc, int viosId, String viosName, String medium, String partition) {
        requireLoadable(svc.storage(viosId), viosName, medium, partition);
    }

    private static void requireLoadable(ViosStorage s, String viosName, String medium, String partition) {
        Media m = s.medium(medium).orElseThrow(() -> new ViosException(ViosException.Kind.NOT_FOUND, medium, "The "
                + "virtual optical medium " + medium + " of partition " + partition + " is not in the virtual media "
                + "repository of the Virtual I/O Server " + viosName + ": add it there (mkvopt -name " + medium
                + " -file FILE) before the restore, or unload it (unloadopt) before the backup."));
        if (!m.readOnly()) {
            s.targets().stream().filter(t -> medium.equals(t.media())).findFirst().ifPresent(t -> {
                throw new ViosException(ViosException.Kind.IN_USE, medium, "The read-write virtual optical medium "
                        + medium + " of partition " + partition + " is loaded in " + t.name() + " of the Virtual I/O "
                        + "Server " + viosName + ": only read-only media load in several drives; unload it there "
                        + "(unloadopt -vtd " + t.name() + ") first.");
            });
        }
    }

    /**
     * Adds the drive on server slot {@code serverSlot} of VIOS {@code viosId}, named {@code vtd} when
     * that name is free (else vtoptN), with {@code medium} loaded (null: empty); returns its name.
     */
    public static String commit(ViosService svc, int viosId, int serverSlot, String vtd, String medium, String what,
            String user) {
        String[] made = new String[1];
        svc.apply(viosId, user, s -> {
            if (medium != null) {
                requireLoadable(s, "(ID " + viosId + ")", medium, what); // again, under the VIOS's lock
            }
            String name = vtd;
            for (int i = 0; name == null || s.target(name).isPresent() || s.pool(name).isPresent()
                    || s.device(name).isPresent(); i++) {
                name = "vtopt" + i;
            }
            int lun = 1;
            while (lun <= 0x7f && lunTaken(s, serverSlot, lun)) {
                lun++;
            }
            if (lun > 0x7f) {
                throw new ViosException(ViosException.Kind.NO_SPACE, "slot " + serverSlot, "The server adapter in "
                        + "slot " + serverSlot + " has no free LUN: it serves 127 devices.");
            }
            made[0] = name;
            Target t = new Target(name, serverSlot, lun, ViosStorage.TargetKind.OPTICAL, null, medium);
            return new ViosService.Change(s.withTargets(plus(s.targets(), t)), "Virtual optical device " + name
                    + (medium == null ? "" : " with medium " + medium) + " added for " + what);
        });
        return made[0];
    }

    private static boolean lunTaken(ViosStorage s, int slot, int lun) {
        return s.targets().stream().anyMatch(t -> t.serverSlot() == slot && t.lun() == lun);
    }
}
