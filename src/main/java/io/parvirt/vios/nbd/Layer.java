package io.parvirt.vios.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One delta of an {@link Overlay}: a sparse data file as large as the disk, holding each block it
 * has at the block's own offset, and a bitmap file with one bit per {@value #BLOCK}-byte block
 * saying which blocks it has. The base file has no bitmap (it has every block) and is the layer
 * with id 0 and a null map.
 *
 * <p><b>Crash order.</b> A bit reaches the map file only in {@link #flush}, after the data file was
 * synced: a bit on disk always points at data on disk. A crash before a flush loses bits of
 * unflushed writes, whose reads then fall through to the layer below, the old content, which is
 * what a disk may return for a write it never acknowledged as durable. The bits are kept in memory
 * and written a 4 KiB page of the map at a time, only the pages that changed.
 */
final class Layer implements AutoCloseable {
    static final int SHIFT = 12;
    static final int BLOCK = 1 << SHIFT;
    private static final int PAGE_WORDS = 512; // 4 KiB of map: 32768 blocks, 128 MiB of disk

    final int id;
    final Path dataFile;
    final FileChannel data;
    private final Path mapFile;
    private final FileChannel map;
    private final AtomicLongArray bits;
    private final BitSet dirtyPages = new BitSet();

    private Layer(int id, Path dataFile, FileChannel data, Path mapFile, FileChannel map, AtomicLongArray bits) {
        this.id = id;
        this.dataFile = dataFile;
        this.data = data;
        this.mapFile = mapFile;
        this.map = map;
        this.bits = bits;
    }

    static Path dataOf(Path dir, int id) {
        return dir.resolve("L" + id + ".data");
    }

    static Path mapOf(Path dir, int id) {
        return dir.resolve("L" + id + ".map");
    }

    static long blocks(long size) {
        return (size + BLOCK - 1) >>> SHIFT;
    }

    /** The base file: every block present, never written through a bitmap. */
    static Layer base(Path file, boolean writable) throws IOException {
        FileChannel ch = writable ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ);
        return new Layer(0, file, ch, null, null, null);
    }

    /** Makes an empty layer's two files, sparse, synced with their directory before the chain names them. */
    static void create(Path dir, int id, long size) throws IOException {
        for (Path p : new Path[] {dataOf(dir, id), mapOf(dir, id)}) {
            long length = p.toString().endsWith(".data") ? size : mapBytes(size);
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                if (length > 0) {
                    ch.write(ByteBuffer.allocate(1), length - 1); // a sparse file of that length
                }
                ch.force(true);
            }
        }
        syncDirectory(dir);
    }

    static Layer open(Path dir, int id, long size) throws IOException {
        return open(dir, id, size, true);
    }

    /** {@code writable} false: another device's frozen layer, read by a linked clone. */
    static Layer open(Path dir, int id, long size, boolean writable) throws IOException {
        StandardOpenOption[] how = writable ? new StandardOpenOption[] {StandardOpenOption.READ,
            StandardOpenOption.WRITE} : new StandardOpenOption[] {StandardOpenOption.READ};
        FileChannel data = FileChannel.open(dataOf(dir, id), how);
        FileChannel map = FileChannel.open(mapOf(dir, id), how);
        int words = (int) ((blocks(size) + 63) >>> 6);
        AtomicLongArray bits = new AtomicLongArray(words);
        ByteBuffer b = ByteBuffer.allocate(words * 8).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && map.read(b, b.position()) > 0) {
            // read the whole map
        }
        b.flip();
        for (int i = 0; i < words && b.remaining() >= 8; i++) {
            bits.set(i, b.getLong());
        }
        return new Layer(id, dataOf(dir, id), data, mapOf(dir, id), map, bits);
    }

    private static long mapBytes(long size) {
        return ((blocks(size) + 63) >>> 6) * 8;
    }

    boolean isBase() {
        return bits == null;
    }

    boolean has(long block) {
        return bits == null || (bits.get((int) (block >>> 6)) & (1L << block)) != 0;
    }

    /** Marks blocks {@code from} to {@code to} (exclusive) present; written to the map at the next flush. */
    void mark(long from, long to) {
        if (bits == null) {
            return;
        }
        for (long b = from; b < to; b++) {
            int w = (int) (b >>> 6);
            long bit = 1L << b;
            if ((bits.get(w) & bit) == 0) {
                bits.getAndAccumulate(w, bit, (x, y) -> x | y);
                synchronized (dirtyPages) {
                    dirtyPages.set(w / PAGE_WORDS);
                }
            }
        }
    }

    /** Every present block, lowest first (the merge's list of what to copy). */
    long nextPresent(long from, long limit) {
        for (long b = from; b < limit; b++) {
            if (has(b)) {
                return b;
            }
        }
        return -1;
    }

    /** Data first, then the changed pages of the map, then the map: see the crash order above. */
    void flush() throws IOException {
        data.force(false);
        if (map == null) {
            return;
        }
        BitSet pages;
        synchronized (dirtyPages) {
            pages = (BitSet) dirtyPages.clone();
            dirtyPages.clear();
        }
        if (pages.isEmpty()) {
            return;
        }
        ByteBuffer page = ByteBuffer.allocate(PAGE_WORDS * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int p = pages.nextSetBit(0); p >= 0; p = pages.nextSetBit(p + 1)) {
            page.clear();
            int first = p * PAGE_WORDS;
            int last = Math.min(bits.length(), first + PAGE_WORDS);
            for (int w = first; w < last; w++) {
                page.putLong(bits.get(w));
            }
            page.flip();
            long at = (long) first * 8;
            while (page.hasRemaining()) {
                at += map.write(page, at);
            }
        }
        map.force(false);
    }

    /** Removes the layer's files (after the chain stopped naming it). */
    void delete() throws IOException {
        close();
        Files.deleteIfExists(dataFile);
        if (mapFile != null) {
            Files.deleteIfExists(mapFile);
        }
    }

    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // a file system that cannot sync a directory
        }
    }

    @Override
    public void close() throws IOException {
        data.close();
        if (map != null) {
            map.close();
        }
    }
}
