package io.parvirt.console;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The partition's console log: {@code <name>.log}, rotated to {@code <name>.log.1} (newest) up to
 * {@code .3} when it reaches the rotation size. A chunk that crosses the size is split, so no file
 * ever exceeds it and the four files together hold the last 3 to 4 rotation sizes of output.
 * It appends to a log an earlier daemon left, so a re-adopted partition keeps its history.
 * Owner-only (0600): console output can carry passwords typed at a login prompt.
 */
final class ConsoleLog implements AutoCloseable {
    static final int KEEP = 3;
    private static final Set<StandardOpenOption> APPEND = Set.of(StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.APPEND);

    private final Path dir;
    private final String name;
    private final long rotateBytes;
    private final ConsoleCounters counters;
    private FileChannel channel;
    private long size;

    ConsoleLog(Path dir, String name, long rotateBytes, ConsoleCounters counters) {
        this.dir = dir;
        this.name = name;
        this.rotateBytes = rotateBytes;
        this.counters = counters;
    }

    /** Generation 0 is the live file; 1 to {@link #KEEP} are the rotated ones, 1 the newest. */
    Path file(int generation) {
        return dir.resolve(generation == 0 ? name + ".log" : name + ".log." + generation);
    }

    synchronized void open() throws IOException {
        Files.createDirectories(dir);
        channel = FileChannel.open(file(0), APPEND,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        size = channel.size();
    }

    /** Writes the buffer's remaining bytes, rotating as often as it must; leaves the buffer consumed. */
    synchronized void append(ByteBuffer chunk) throws IOException {
        if (channel == null || !channel.isOpen()) {
            open(); // a failed rotation or write closed it; try again rather than stop logging for good
        }
        while (chunk.hasRemaining()) {
            if (size >= rotateBytes) {
                rotate();
            }
            int limit = chunk.limit();
            chunk.limit(chunk.position() + (int) Math.min(rotateBytes - size, chunk.remaining()));
            try {
                while (chunk.hasRemaining()) {
                    size += channel.write(chunk);
                }
            } finally {
                chunk.limit(limit);
            }
        }
    }

    private void rotate() throws IOException {
        channel.close();
        Files.deleteIfExists(file(KEEP));
        for (int g = KEEP - 1; g >= 0; g--) {
            try {
                Files.move(file(g), file(g + 1), StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                // fewer generations than KEEP so far
            }
        }
        open();
        counters.rotations.incrementAndGet();
    }

    /** The last {@code max} bytes across the live and rotated files, oldest first. */
    synchronized byte[] tail(int max) throws IOException {
        long[] sizes = new long[KEEP + 1];
        long total = 0;
        for (int g = 0; g <= KEEP; g++) {
            sizes[g] = Files.exists(file(g)) ? Files.size(file(g)) : 0;
            total += sizes[g];
        }
        byte[] out = new byte[(int) Math.min(Math.max(0, max), total)];
        int end = out.length;
        for (int g = 0; g <= KEEP && end > 0; g++) {
            int take = (int) Math.min(sizes[g], end);
            try (FileChannel f = FileChannel.open(file(g), StandardOpenOption.READ)) {
                ByteBuffer dst = ByteBuffer.wrap(out, end - take, take);
                long pos = sizes[g] - take;
                while (dst.hasRemaining() && f.read(dst, pos + take - dst.remaining()) >= 0) {
                    // read until the slice is full
                }
            } catch (NoSuchFileException e) {
                continue;
            }
            end -= take;
        }
        if (end > 0) { // a file vanished between listing and reading: return what was found
            byte[] found = new byte[out.length - end];
            System.arraycopy(out, end, found, 0, found.length);
            return found;
        }
        return out;
    }

    @Override
    public synchronized void close() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            counters.logErrors.incrementAndGet();
        }
    }
}
