package io.parvirt.vios.nbd;

import static io.parvirt.vios.nbd.Protocol.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A disk's I/O as both of the storage server's transports do it (NBD's {@link Transmission} and
 * vhost-user-blk's {@link BlkQueue}), so that each request reaches the same file, snapshot layers
 * ({@link Overlay}) and move in progress ({@link DiskMove}) whichever way the client came, and is
 * counted in the same {@link ExportCounters}. One per connection, on its thread, with the
 * connection's own file channel (see {@link BackingFile}).
 *
 * <p>Each request runs between {@link #enter} and {@link #exit}: a snapshot waits for the request
 * in progress, and the next one waits for the snapshot. Errors are NBD's values, which are
 * Linux's errno numbers (EIO, ENOSPC, ENOTSUP).
 */
final class DiskIo {
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10).asReadOnlyBuffer();

    private final FileChannel file;
    private final BackingFile backing;
    private final ExportCounters counters;
    private final ByteBuffer zeros = ZEROS.duplicate();
    /** The device has snapshots: this request goes through its layers, not straight to the file. */
    private boolean layered;
    /** The file's own descriptor for {@link #vectored} I/O: opened at its first use (-2 until then), -1 when it cannot be. */
    private int fd = -2;
    private MemorySegment errno;
    /** {@link #vectored}'s answer when the request must go piece by piece instead. */
    static final long NOT_HERE = Long.MIN_VALUE;

    DiskIo(FileChannel file, BackingFile backing, ExportCounters counters) {
        this.file = file;
        this.backing = backing;
        this.counters = counters;
    }

    /** Before a request: takes the device's I/O lock (shared), when it can have snapshots. */
    void enter() {
        Overlay overlay = backing.overlay;
        if (overlay != null) {
            overlay.io().lock();
            layered = !overlay.isPlain();
        }
    }

    /** After the request {@link #enter} began. */
    void exit() {
        Overlay overlay = backing.overlay;
        if (overlay != null) {
            overlay.io().unlock();
        }
    }

    /** This request goes through snapshot layers (set by {@link #enter}). */
    boolean layered() {
        return layered;
    }

    boolean readOnly() {
        return backing.export.readOnly();
    }

    long size() {
        return backing.size;
    }

    boolean inRange(long offset, long length) {
        return offset >= 0 && offset <= backing.size && length >= 0 && length <= backing.size - offset;
    }

    /** Each run of the range, from the device's layers or straight from the file; false as soon as {@code s} says so. */
    boolean sources(long offset, int len, Overlay.Source s) throws IOException {
        return layered ? backing.overlay.sources(offset, len, s) : s.take(file, offset, len);
    }

    /**
     * Reads ({@code write} false) or writes a request's {@code count} guest buffers ({@code iov}:
     * struct iovec, in guest memory's mapping) at {@code offset} in one {@code preadv}/{@code pwritev}
     * on the file, as QEMU's own file back end does: one system call for a request of many pages.
     * The bytes moved (fewer than asked: the caller goes on piece by piece from there), a negative
     * error (-EIO, -ENOSPC), or {@link #NOT_HERE} for a device with snapshot layers or a move in
     * progress, or a C library without these calls: those go through {@link #read}/{@link #write}.
     */
    long vectored(boolean write, MemorySegment iov, int count, long offset) {
        if (layered || mirror() != null || Libc.PWRITEV == null || Libc.PREADV == null) {
            return NOT_HERE;
        }
        if (fd == -2) {
            fd = Libc.open(backing.export.file(), backing.export.readOnly() ? Libc.O_RDONLY : Libc.O_RDWR);
            errno = Arena.ofAuto().allocate(Libc.STATE);
        }
        if (fd < 0) {
            return NOT_HERE;
        }
        long n;
        try {
            n = write ? (long) Libc.PWRITEV.invokeExact(errno, fd, iov, count, offset)
                    : (long) Libc.PREADV.invokeExact(errno, fd, iov, count, offset);
        } catch (Throwable e) {
            return -EIO;
        }
        if (n >= 0) {
            return n;
        }
        int e = (int) Libc.ERRNO.get(errno, 0L);
        return e == Libc.ENOSPC || e == Libc.EDQUOT || e == Libc.EFBIG ? -ENOSPC : e == Libc.EINTR ? 0 : -EIO;
    }

    /** Closes the descriptor {@link #vectored} opened (the file channel is its owner's). */
    void close() {
        if (fd >= 0) {
            Libc.close(fd);
        }
        fd = -1;
    }

    /** TRIM punches a hole, giving the blocks back; where holes cannot be punched it does nothing (a hint). 0 or EIO. */
    int trim(long offset, long length) {
        if (layered) {
            return length == 0 ? 0 : backing.overlay.zero(offset, length); // a hole must not show a lower layer
        }
        Fallocate.Result r = length == 0 ? Fallocate.Result.DONE : backing.fallocate.punchHole(offset, length);
        if (r == Fallocate.Result.FAILED || r == Fallocate.Result.NO_SPACE) {
            return EIO;
        }
        DiskMove m = r == Fallocate.Result.DONE && length > 0 ? mirror() : null; // a TRIM that did nothing changes nothing
        return m == null ? 0 : m.zero(offset, length);
    }

    /**
     * WRITE_ZEROES punches a hole (reads back as zeros) unless {@code noHole} asks for the space to
     * stay allocated, then it zeroes the range in place (FALLOC_FL_ZERO_RANGE). Where the file
     * system can do neither, zeros are written, unless {@code fast} asked for an answer that is
     * quicker than writing: then ENOTSUP, and the file is left as it was. 0, ENOTSUP, ENOSPC or EIO.
     */
    int zero(long offset, long length, boolean noHole, boolean fast) {
        if (length == 0) {
            return 0;
        }
        if (layered) {
            return backing.overlay.zero(offset, length);
        }
        Fallocate.Result r = Fallocate.Result.UNSUPPORTED;
        if (!noHole) {
            r = backing.fallocate.punchHole(offset, length);
        }
        if (r == Fallocate.Result.UNSUPPORTED) {
            r = backing.fallocate.zeroRange(offset, length);
        }
        int error = switch (r) {
            case DONE -> 0;
            case NO_SPACE -> ENOSPC;
            case FAILED -> EIO;
            case UNSUPPORTED -> fast ? ENOTSUP : writeZeros(offset, length);
        };
        DiskMove m = error == 0 ? mirror() : null;
        return m != null ? m.zero(offset, length) : error;
    }

    /** Fills {@code dst} from the file at {@code offset}; 0 or an NBD error value. */
    int read(ByteBuffer dst, long offset) {
        if (layered) {
            return backing.overlay.read(dst, offset);
        }
        try {
            long at = offset;
            while (dst.hasRemaining()) {
                int n = file.read(dst, at);
                if (n < 0) {
                    return EIO; // the file is shorter than the export: someone truncated it
                }
                at += n;
            }
            return 0;
        } catch (IOException e) {
            return EIO;
        }
    }

    /** Writes {@code src} at {@code offset}, and to the move's target while one mirrors; 0 or an error value. */
    int write(ByteBuffer src, long offset) {
        if (layered) {
            return backing.overlay.write(src, offset);
        }
        int start = src.position();
        try {
            long at = offset;
            while (src.hasRemaining()) {
                at += file.write(src, at);
            }
        } catch (IOException e) {
            return errorOf(e);
        }
        DiskMove m = mirror();
        if (m == null) {
            return 0;
        }
        int end = src.position();
        src.position(start);
        int e = m.write(src, offset);
        src.position(end);
        return e;
    }

    /** The device's move to another pool, when this request's changes must reach its target too. */
    DiskMove mirror() {
        return backing.overlay == null ? null : backing.overlay.mirror();
    }

    private int writeZeros(long offset, long length) {
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(length - done, zeros.capacity());
            zeros.limit(n).position(0);
            int error = write(zeros, offset + done);
            if (error != 0) {
                return error;
            }
            done += n;
        }
        return 0;
    }

    /** {@code fdatasync}: the data and what is needed to read it back (block allocation, holes). */
    int sync() {
        counters.syncs.increment();
        if (layered) {
            return backing.overlay.flush();
        }
        try {
            file.force(false);
        } catch (IOException e) {
            return EIO;
        }
        DiskMove m = mirror();
        return m == null ? 0 : m.sync();
    }

    /** The JDK reports ENOSPC, EDQUOT and EFBIG only in the message (strerror); NBD wants ENOSPC for all three. */
    private static int errorOf(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("No space left") || m.contains("quota") || m.contains("File too large") ? ENOSPC : EIO;
    }
}
