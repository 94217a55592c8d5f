package io.parvirt.vios.nbd;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ranges of a sparse file that hold data, from {@code lseek(2)} with {@code SEEK_DATA} and
 * {@code SEEK_HOLE} through the FFM API (Java has no call for them), as {@code tar -S} finds them:
 * a 16 GiB disk with 100 MB written is read as 100 MB, not 16 GiB. Where the call is missing or the
 * file system does not answer it, the whole file is one range (the archive writer still drops
 * blocks of zeros, at the cost of reading them). Used by the backup archive and the copy of a disk
 * moved to another pool ({@link DiskMove}).
 */
public final class DataExtents {
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;

    /** Bytes {@code [offset, offset + length)} hold data. */
    public record Extent(long offset, long length) {
    }

    private DataExtents() {
    }

    public static List<Extent> of(Path file, long size) throws IOException {
        if (Libc.LSEEK == null || size == 0) {
            return size == 0 ? List.of() : List.of(new Extent(0, size));
        }
        int fd = Libc.open(file, Libc.O_RDONLY);
        if (fd < 0) {
            throw new IOException("cannot open " + file);
        }
        try {
            List<Extent> out = new ArrayList<>();
            long pos = 0;
            while (pos < size) {
                long data = (long) Libc.LSEEK.invokeExact(fd, pos, SEEK_DATA);
                if (data < 0 || data >= size) {
                    break; // ENXIO: no data past pos (or an error: then the rest is taken whole below)
                }
                long hole = (long) Libc.LSEEK.invokeExact(fd, data, SEEK_HOLE);
                if (hole < 0 || hole > size) {
                    hole = size;
                }
                out.add(new Extent(data, hole - data));
                pos = hole;
            }
            return out;
        } catch (Throwable e) {
            return List.of(new Extent(0, size));
        } finally {
            Libc.close(fd);
        }
    }
}
