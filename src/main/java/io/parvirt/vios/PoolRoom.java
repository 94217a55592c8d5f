package io.parvirt.vios;

import io.parvirt.model.ModelException;
import io.parvirt.model.ViosStorage;
import io.parvirt.vios.nbd.DataExtents;
import io.parvirt.vios.nbd.Overlay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Whether a storage pool can hold more of a device's data (issue 19: a snapshot layer, or a disk
 * moved into it). Backing devices are sparse files whose full size the pool already counts, so
 * "can hold" is asked twice: the pool's free space as {@code lssp} counts it (its size less every
 * device's full size) must cover what is asked, and the file system under the pool must have the
 * bytes that will really be written (a sparse file's data, found with {@code SEEK_DATA}, not its
 * size). A moved device asks for its full size in the target pool and its data on the file system;
 * a snapshot layer asks for the device's data in both: at worst the layer comes to hold a new copy
 * of every block written so far. A whole SAN LUN has no pool: its layers sit on the SAN beside it,
 * so only the SAN's file system is asked.
 */
final class PoolRoom {
    private PoolRoom() {
    }

    /** The bytes a device's files hold: its file's data extents and every file of its snapshot layers. */
    static long dataBytes(Path file) {
        try {
            long n = DataExtents.of(file, Files.size(file)).stream().mapToLong(DataExtents.Extent::length).sum();
            Path layers = Overlay.dirOf(file);
            if (Files.isDirectory(layers)) {
                try (Stream<Path> s = Files.list(layers)) {
                    for (Path p : s.filter(Files::isRegularFile).toList()) {
                        n += DataExtents.of(p, Files.size(p)).stream().mapToLong(DataExtents.Extent::length).sum();
                    }
                }
            }
            return n;
        } catch (IOException e) {
            throw ModelException.of(ModelException.Kind.INVALID_STATE, "The backing device file " + file.getFileName()
                    + " cannot be read: " + e.getMessage() + ".");
        }
    }

    /** Refuses, with one sentence naming the pool and what it lacks, unless pool {@code pool} can take {@code mb} and {@code bytes}. */
    static void require(ViosService svc, int viosId, ViosStorage.Pool pool, long mb, long bytes, String what) {
        long free = RootVg.freeMb(svc.storage(viosId), pool);
        if (mb > free) {
            throw ModelException.of(ModelException.Kind.INSUFFICIENT_RESOURCES, "The storage pool " + pool.name()
                    + " has " + free + " MB free; " + what + " needs " + mb + " MB.");
        }
        requireFileSystem(svc.poolDir(viosId, pool.name()), bytes, "storage pool " + pool.name(), what);
    }

    /**
     * Refuses unless the file system under {@code dir} (or its nearest existing parent) has
     * {@code bytes} usable; {@code where} names it in the sentence ("storage pool pool1", "the SAN").
     */
    static void requireFileSystem(Path dir, long bytes, String where, String what) {
        long usable;
        try {
            while (!Files.isDirectory(dir) && dir.getParent() != null) {
                dir = dir.getParent();
            }
            usable = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return; // no file store to ask: the pool's own count stands
        }
        if (bytes > usable) {
            throw ModelException.of(ModelException.Kind.INSUFFICIENT_RESOURCES, "The file system of " + where
                    + " has " + (usable >> 20) + " MB usable; " + what + " needs " + ((bytes + (1 << 20) - 1) >> 20)
                    + " MB of data.");
        }
    }
}
