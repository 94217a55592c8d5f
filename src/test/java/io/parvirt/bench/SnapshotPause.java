package io.parvirt.bench;

import io.parvirt.vios.nbd.Overlay;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Issue 19: how long a snapshot pauses a disk's I/O, by the disk's size. For each size a sparse
 * backing file gets 64 MiB of random 4 KiB writes and a flush (a disk in use); then, ROUNDS times:
 * 8 MiB more of random 4 KiB writes, not flushed (what a guest has in flight), and a snapshot,
 * whose pause ({@link Overlay#snapshot}'s own figure: the time its clients' I/O waited) is
 * recorded; the chain grows by one layer each round. The anchor, in the same run on the same file
 * system: the same 8 MiB of writes to a plain file and one {@code fdatasync}, the part of the
 * pause any snapshot that keeps the data durable pays.
 *
 * <pre>java -cp target/test-classes:target/classes:target/lib/* io.parvirt.bench.SnapshotPause DIR [ROUNDS] [SIZE_GIB...]</pre>
 */
public final class SnapshotPause {
    private SnapshotPause() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        long[] sizes = args.length > 2 ? Arrays.stream(args, 2, args.length).mapToLong(Long::parseLong).toArray()
                : new long[] {4, 16};
        System.out.printf("%-8s %-8s %10s %10s %10s %10s%n", "disk", "what", "median_ms", "p90_ms", "max_ms", "rounds");
        for (long gib : sizes) {
            long size = gib << 30;
            Path file = dir.resolve("bench-" + gib + "g");
            Path plain = dir.resolve("anchor-" + gib + "g");
            try {
                sparse(file, size);
                sparse(plain, size);
                double[] pauses = new double[rounds];
                double[] anchors = new double[rounds];
                Random r = new Random(gib);
                try (Overlay o = Overlay.open(file, true); FileChannel a = FileChannel.open(plain, StandardOpenOption.WRITE)) {
                    scribble(o, null, r, size, 64 << 20);
                    o.flush();
                    for (int i = 0; i < rounds; i++) {
                        scribble(o, null, r, size, 8 << 20);
                        pauses[i] = o.snapshot("s" + i, System.currentTimeMillis()) / 1e6;
                        scribble(null, a, r, size, 8 << 20);
                        long t = System.nanoTime();
                        a.force(false);
                        anchors[i] = (System.nanoTime() - t) / 1e6;
                    }
                }
                row(gib, "snapshot", pauses);
                row(gib, "anchor", anchors);
            } finally {
                remove(file);
                Files.deleteIfExists(plain);
            }
        }
    }

    private static void scribble(Overlay o, FileChannel plain, Random r, long size, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(4096);
        byte[] data = new byte[4096];
        for (int done = 0; done < bytes; done += 4096) {
            r.nextBytes(data);
            b.clear().put(data).flip();
            long at = (r.nextLong(size >>> 12)) << 12;
            if (o != null) {
                o.write(b, at);
            } else {
                while (b.hasRemaining()) {
                    at += plain.write(b, at);
                }
            }
        }
    }

    private static void row(long gib, String what, double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        System.out.printf("%-8s %-8s %10.2f %10.2f %10.2f %10d%n", gib + "GiB", what, s[s.length / 2],
                s[(int) Math.ceil(s.length * 0.9) - 1], s[s.length - 1], s.length);
    }

    private static void sparse(Path f, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(size);
        }
    }

    private static void remove(Path file) throws IOException {
        Path snaps = file.toAbsolutePath().getParent().resolve("." + file.getFileName() + ".snap");
        if (Files.isDirectory(snaps)) {
            try (Stream<Path> s = Files.list(snaps)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(snaps);
        }
        Files.deleteIfExists(file);
    }
}
