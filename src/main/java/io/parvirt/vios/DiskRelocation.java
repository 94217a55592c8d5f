package io.parvirt.vios;

import io.parvirt.model.ModelException;
import io.parvirt.model.ViosStorage;
import io.parvirt.model.ViosStorage.BackingDevice;
import io.parvirt.model.ViosStorage.Pool;
import io.parvirt.vios.nbd.Overlay;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A backing device moved to another storage pool of its VIOS (issue 19, disk migration): checked
 * first ({@link #plan}: the device, the pool, not the same pool, no snapshot layers, the pool's
 * room as {@link PoolRoom} counts it), its contents copied by the caller into a hidden
 * {@code .NAME.moving} file in the target pool, then {@link #commit}ted: the file renamed into
 * place in the same change that records the device in its new pool, and the old file (with any
 * {@code .NAME.snap/} directory) dropped after. A move given up deletes its hidden file; one a
 * crash left is deleted by {@link #removeStrays} when the daemon starts.
 *
 * <p>A device with snapshot layers is refused rather than moved with its chain: the layers' files
 * would have to move with the file, and a chain in flight is what the snapshot service must not
 * see; delete the snapshots first.
 */
public final class DiskRelocation {
    private static final String SUFFIX = ".moving";

    private DiskRelocation() {
    }

    /**
     * A move decided: the device, its pools, its size, the file it leaves, the hidden file it is
     * copied into and the file it becomes; the mapping's name (its export) when it is mapped.
     */
    public record Plan(int viosId, String device, String fromPool, String toPool, long sizeMb, Path source,
            Path staging, Path file, String mapping) {
    }

    /** Checks the move of {@code device} into {@code pool} on VIOS {@code viosId}; refuses with one sentence. */
    public static Plan plan(ViosService svc, int viosId, String device, String pool) {
        synchronized (svc) {
            ViosStorage s = svc.storage(viosId);
            BackingDevice bd = s.device(device).orElseThrow(() -> ModelException.of(
                    ModelException.Kind.INVALID_REFERENCE, "The backing device " + device + " does not exist on the "
                    + "Virtual I/O Server (ID " + viosId + ")."));
            Pool to = s.pool(pool).orElseThrow(() -> ModelException.of(ModelException.Kind.INVALID_REFERENCE,
                    "The storage pool " + pool + " does not exist on the Virtual I/O Server (ID " + viosId + ")."));
            if (to.name().equals(bd.pool())) {
                throw ModelException.of(ModelException.Kind.INVALID_VALUE, "The backing device " + device
                        + " is already in storage pool " + pool + ".");
            }
            Path source = svc.devicePath(viosId, bd);
            if (!Files.isRegularFile(source)) {
                throw ModelException.of(ModelException.Kind.INVALID_STATE, "The backing device " + device
                        + " has no file to move (its status is Defined).");
            }
            if (Overlay.hasChain(source)) {
                throw ModelException.of(ModelException.Kind.INVALID_STATE, "The backing device " + device
                        + " has snapshots; delete them before moving it to another storage pool.");
            }
            PoolRoom.require(svc, viosId, to, RootVg.rounded(to, bd.sizeMb()), PoolRoom.dataBytes(source),
                    "the backing device " + device);
            Path file = svc.devicePath(viosId, new BackingDevice(bd.name(), to.name(), bd.sizeMb()));
            String mapping = s.targetOf(bd.name()).map(ViosStorage.Target::name).orElse(null);
            return new Plan(viosId, device, bd.pool(), to.name(), bd.sizeMb(), source,
                    file.resolveSibling("." + bd.name() + SUFFIX), file, mapping);
        }
    }

    /**
     * Records the device in its new pool, its staging file renamed into place; the old file goes
     * after. Refused, nothing changed, when the device or the pool changed meanwhile.
     */
    public static void commit(ViosService svc, Plan p, String user) {
        svc.apply(p.viosId(), user, s -> {
            BackingDevice bd = s.device(p.device()).orElse(null);
            if (bd == null || !bd.pool().equals(p.fromPool()) || s.pool(p.toPool()).isEmpty()) {
                throw ModelException.of(ModelException.Kind.INVALID_STATE, "The backing device " + p.device()
                        + " or the storage pool " + p.toPool() + " changed during the move; the device stays in "
                        + p.fromPool() + ".");
            }
            BackingDevice moved = new BackingDevice(bd.name(), p.toPool(), bd.sizeMb());
            ViosStorage next = s.withDevices(s.devices().stream().map(d -> d.name().equals(bd.name()) ? moved : d)
                    .toList());
            return new ViosService.Change(next, "Backing device " + bd.name() + " moved from storage pool "
                    + p.fromPool() + " to " + p.toPool(), new ViosService.FileWork() {
                        public void run() throws IOException {
                            Files.move(p.staging(), p.file(), StandardCopyOption.ATOMIC_MOVE);
                        }

                        public void undo() {
                            try {
                                Files.move(p.file(), p.staging(), StandardCopyOption.ATOMIC_MOVE);
                            } catch (IOException e) {
                                // the staging file is a stray then, removed at the next start
                            }
                        }
                    }, svc.deviceFiles(p.viosId(), bd));
        });
    }

    /** Removes the staging file of a move given up. */
    public static void discard(Plan p) {
        try {
            Files.deleteIfExists(p.staging());
        } catch (IOException e) {
            // removed by removeStrays at the next start
        }
    }

    /** The hidden files of moves a crash cut short, in every pool of VIOS {@code viosId}: deleted. */
    public static List<Path> removeStrays(ViosService svc, int viosId) {
        List<Path> gone = new java.util.ArrayList<>();
        for (Pool pool : svc.storage(viosId).pools()) {
            Path dir = svc.poolDir(viosId, pool.name());
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*" + SUFFIX)) {
                for (Path f : files) {
                    Files.deleteIfExists(f);
                    gone.add(f);
                }
            } catch (IOException e) {
                // tried again at the next start
            }
        }
        return gone;
    }
}
