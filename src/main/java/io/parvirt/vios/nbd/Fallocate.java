package io.parvirt.vios.nbd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * {@code fallocate(2)} on a backing file, through the FFM API: Java has no call that frees a
 * file's blocks, and TRIM (and WRITE_ZEROES) should give space back to the pool rather than write
 * zeros into it. The file gets its own descriptor, opened here, because a {@code FileChannel} does
 * not show its own.
 *
 * <p>Where the platform or the file system cannot do it (no {@code fallocate}, or EOPNOTSUPP, as
 * on some network and overlay file systems) every call answers {@link Result#UNSUPPORTED}, and
 * after the first such answer for a mode that mode is not tried again: the caller falls back.
 */
final class Fallocate implements AutoCloseable {
    static final int KEEP_SIZE = 0x01;
    static final int PUNCH_HOLE = 0x02;
    static final int ZERO_RANGE = 0x10;

    /** What one call did. */
    enum Result { DONE, UNSUPPORTED, NO_SPACE, FAILED }

    private static final int EINTR = 4;
    private static final int EFBIG = 27;
    private static final int ENOSPC = 28;
    private static final int ENOSYS = 38;
    private static final int EOPNOTSUPP = 95;
    private static final int EDQUOT = 122;

    private final int fd;
    private final ReentrantReadWriteLock closing = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private volatile boolean punchUnsupported;
    private volatile boolean zeroUnsupported;

    private Fallocate(int fd) {
        this.fd = fd;
    }

    /** One that answers UNSUPPORTED: a read-only export frees nothing. */
    static Fallocate none() {
        return new Fallocate(-1);
    }

    /** A descriptor for {@code file}, or one that answers UNSUPPORTED when none can be had. */
    static Fallocate open(Path file) {
        return new Fallocate(Libc.FALLOCATE == null ? -1 : Libc.open(file, Libc.O_RDWR));
    }

    Result punchHole(long offset, long length) {
        if (punchUnsupported) {
            return Result.UNSUPPORTED;
        }
        Result r = call(PUNCH_HOLE | KEEP_SIZE, offset, length);
        punchUnsupported = r == Result.UNSUPPORTED;
        return r;
    }

    /** Zeroes and keeps the range allocated (unwritten extents): what NO_HOLE asks for. */
    Result zeroRange(long offset, long length) {
        if (zeroUnsupported) {
            return Result.UNSUPPORTED;
        }
        Result r = call(ZERO_RANGE | KEEP_SIZE, offset, length);
        zeroUnsupported = r == Result.UNSUPPORTED;
        return r;
    }

    private Result call(int mode, long offset, long length) {
        // the read lock keeps close from releasing the descriptor (which the kernel could hand to
        // another file) while a call is still using it
        closing.readLock().lock();
        try (Arena arena = Arena.ofConfined()) {
            if (closed || fd < 0) {
                return Result.UNSUPPORTED;
            }
            MemorySegment state = arena.allocate(Libc.STATE);
            while (true) {
                int rc = (int) Libc.FALLOCATE.invokeExact(state, fd, mode, offset, length);
                if (rc == 0) {
                    return Result.DONE;
                }
                int errno = (int) Libc.ERRNO.get(state, 0L);
                switch (errno) {
                    case EINTR -> {
                        continue;
                    }
                    case EOPNOTSUPP, ENOSYS -> {
                        return Result.UNSUPPORTED;
                    }
                    case ENOSPC, EDQUOT, EFBIG -> {
                        return Result.NO_SPACE;
                    }
                    default -> {
                        return Result.FAILED;
                    }
                }
            }
        } catch (Throwable e) {
            return Result.FAILED;
        } finally {
            closing.readLock().unlock();
        }
    }

    @Override
    public void close() {
        closing.writeLock().lock();
        try {
            if (closed || fd < 0) {
                closed = true;
                return;
            }
            closed = true;
            Libc.close(fd);
        } finally {
            closing.writeLock().unlock();
        }
    }
}
