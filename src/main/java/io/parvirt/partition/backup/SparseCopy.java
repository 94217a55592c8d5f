package io.parvirt.partition.backup;

import io.parvirt.vios.nbd.DataExtents;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A full copy of disk files that stays sparse (a clone's disks): only the ranges that hold data
 * ({@link DataExtents}) are read, and of those only blocks that are not all zeros are written;
 * the copy takes the source's size with its holes where the source has them.
 */
final class SparseCopy {
    private static final int BLOCK = 1 << 20;

    private SparseCopy() {
    }

    static void copy(List<Path> from, List<Path> to, LparJobs.Job job) throws IOException {
        long total = 0;
        List<List<DataExtents.Extent>> extents = new java.util.ArrayList<>();
        for (Path f : from) {
            List<DataExtents.Extent> e = DataExtents.of(f, Files.size(f));
            extents.add(e);
            total += e.stream().mapToLong(DataExtents.Extent::length).sum();
        }
        job.phase("copying", total);
        ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK);
        byte[] zeros = new byte[BLOCK];
        byte[] heap = new byte[BLOCK];
        for (int i = 0; i < from.size(); i++) {
            long size = Files.size(from.get(i));
            Files.deleteIfExists(to.get(i));
            Files.createDirectories(to.get(i).getParent());
            try (FileChannel in = FileChannel.open(from.get(i), StandardOpenOption.READ);
                    FileChannel out = FileChannel.open(to.get(i), StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE)) {
                for (DataExtents.Extent e : extents.get(i)) {
                    for (long off = e.offset(); off < e.offset() + e.length(); off += BLOCK) {
                        job.check();
                        int n = (int) Math.min(BLOCK, e.offset() + e.length() - off);
                        buf.clear().limit(n);
                        while (buf.hasRemaining() && in.read(buf, off + buf.position()) > 0) {
                            // read the block whole
                        }
                        int got = buf.position();
                        buf.flip();
                        buf.get(heap, 0, got);
                        if (java.util.Arrays.mismatch(heap, 0, got, zeros, 0, got) >= 0) {
                            ByteBuffer w = ByteBuffer.wrap(heap, 0, got);
                            for (long p = off; w.hasRemaining(); ) {
                                p += out.write(w, p);
                            }
                        }
                        job.advance(n);
                    }
                }
                out.force(true);
            }
            try (RandomAccessFile f = new RandomAccessFile(to.get(i).toFile(), "rw")) {
                f.setLength(size);
            }
        }
    }
}
