package io.parvirt.vios.nbd;

import io.parvirt.vhost.VhostUser;
import io.parvirt.vhost.Virtqueue;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The request path of a vhost-user-blk disk: takes the guest's request chains from its virtqueue
 * (layouts in {@link VirtioBlk}) and does each through the disk's {@link DiskIo}, the same code
 * NBD's requests go through (file, snapshot layers, a move's mirror, counters). Data goes between
 * the file and the guest's memory directly: a read is one {@code preadv} into the guest's buffers,
 * a write one {@code pwritev} from them (through snapshot layers or a move's mirror, a read or
 * write per buffer); nothing is copied through a buffer of the server's.
 *
 * <p>A chain is taken apart before anything is done: at most {@link #MAX_CHAIN} descriptors, each
 * inside guest memory ({@link Virtqueue}'s walk checks that), the device-readable ones first and
 * then the device-writable ones (virtio 1.x 2.7.4.2), a header of 16 readable bytes and a status
 * byte at the end of the last writable one. A chain that breaks these rules is answered with
 * VIRTIO_BLK_S_IOERR when its status byte can be written, else given back with nothing written;
 * either way it is counted ({@link RequestError#MALFORMED_CHAIN}) and the queue goes on. Lengths
 * that are not whole sectors, and ranges past the disk's end, are IOERR too (counted as NBD's are).
 *
 * <p>Requests are done one after the other on the device's thread, and the used ring is published
 * once per batch of what the guest made available, with at most one interrupt per batch.
 */
final class BlkQueue {
    /** Descriptors a chain may have: the data's, the header's and the status's, with room to spare. */
    static final int MAX_CHAIN = 1024;
    /** The most bytes handed to one {@code pread}/{@code pwrite} (a descriptor may be up to 4 GiB long). */
    private static final int PIECE = 1 << 30;

    final Virtqueue q = new Virtqueue(0);
    private final DiskIo disk;
    private final ExportCounters counters;
    private final byte[] id;
    private final MemorySegment header = Arena.ofAuto().allocate(VirtioBlk.HEADER, 8);
    private final MemorySegment eventScratch = Arena.ofAuto().allocate(8, 8);
    /** A request's data buffers as one preadv/pwritev takes them. */
    private final MemorySegment iov = Arena.ofAuto().allocate((long) Libc.IOVEC * Libc.IOV_MAX, 8);
    // the chain being served, taken apart
    private final MemorySegment[] seg = new MemorySegment[MAX_CHAIN];
    private final long[] off = new long[MAX_CHAIN];
    private final long[] len = new long[MAX_CHAIN];
    private final long[] gpa = new long[MAX_CHAIN];
    private int count;
    private int firstWritable;
    private long readable;
    private long writable;

    BlkQueue(DiskIo disk, ExportCounters counters, String name) {
        this.disk = disk;
        this.counters = counters;
        this.id = name.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Serves every chain the guest has made available, until none are left with kicks back on; the
     * guest is not asked to kick meanwhile. A ring whose available index runs more than its size
     * ahead is broken: it stops (the next start from QEMU resolves it again) and is counted.
     */
    void drain() {
        if (!q.running()) {
            return;
        }
        int served = 0;
        q.notifications(false);
        while (true) {
            int ready = q.available();
            if (ready > q.num) {
                counters.error(RequestError.MALFORMED_CHAIN);
                q.stop();
                return;
            }
            for (; ready > 0; ready--) {
                serve(q.take());
                served++;
            }
            q.notifications(true);
            if (q.available() == 0) {
                break;
            }
            q.notifications(false);
        }
        if (served > 0) {
            q.publish();
            if (q.interruptWanted()) {
                q.signal(eventScratch);
            }
        }
    }

    /** One request: taken apart, done, its status written and the chain given back. */
    private void serve(int head) {
        if (!takeApart(head)) {
            counters.error(RequestError.MALFORMED_CHAIN);
            if (head < q.num) {
                // the status byte may lie where the walk failed: nothing is written, the chain goes back empty
                q.put(head, 0);
            }
            return;
        }
        if (readable < VirtioBlk.HEADER || !gather(0, header, VirtioBlk.HEADER)) {
            counters.error(RequestError.MALFORMED_CHAIN);
            q.put(head, finish(VirtioBlk.S_IOERR, 0));
            return;
        }
        int type = header.get(VhostUser.U32, 0);
        long sector = header.get(VhostUser.U64, 8);
        disk.enter();
        try {
            q.put(head, request(type, sector));
        } finally {
            disk.exit();
        }
    }

    /** Does one request; the bytes written into the chain (its data and the status byte). */
    private int request(int type, long sector) {
        return switch (type) {
            case VirtioBlk.T_IN -> read(sector);
            case VirtioBlk.T_OUT -> write(sector);
            case VirtioBlk.T_FLUSH -> {
                counters.flushes.increment();
                int e = disk.readOnly() ? 0 : disk.sync();
                yield e == 0 ? finish(VirtioBlk.S_OK, 0) : failed(RequestError.IO_ERROR, 0);
            }
            case VirtioBlk.T_GET_ID -> {
                long room = writable - 1;
                int n = (int) Math.min(VirtioBlk.ID_BYTES, room);
                yield finish(VirtioBlk.S_OK, scatter(id, n));
            }
            case VirtioBlk.T_DISCARD, VirtioBlk.T_WRITE_ZEROES -> ranges(type);
            default -> {
                counters.error(RequestError.UNKNOWN_COMMAND);
                yield finish(VirtioBlk.S_UNSUPP, 0);
            }
        };
    }

    /**
     * IN: the range read from the disk straight into the chain's writable buffers: one
     * {@code preadv} into all of them ({@link DiskIo#vectored}), or where that cannot be (snapshot
     * layers, a move) or stopped short, buffer by buffer from there. Every page read into is marked
     * for the dirty log, a failed read's too (part of it may be written).
     */
    private int read(long sector) {
        counters.reads.increment();
        long n = writable - 1;
        long at = offsetOf(sector, n);
        if (at < 0) {
            return failed(RequestError.OUT_OF_RANGE, 0);
        }
        long done = vectored(false, n, at);
        int error = done < 0 ? (int) -done : done < n ? pieces(false, n, at, done) : 0;
        markRead(n);
        if (error != 0) {
            return failed(RequestError.IO_ERROR, (int) Math.min(Integer.MAX_VALUE - 1, n));
        }
        counters.bytesRead.add(n);
        return finish(VirtioBlk.S_OK, (int) Math.min(Integer.MAX_VALUE - 1, n));
    }

    /** Marks the pages of the chain's first {@code n} writable bytes in the dirty log (while QEMU logs). */
    private void markRead(long n) {
        long left = n;
        for (int i = firstWritable; i < count && left > 0; i++) {
            long take = Math.min(len[i], left);
            q.written(gpa[i], take);
            left -= take;
        }
    }

    /**
     * OUT: the chain's readable data after the header written to the disk straight from guest
     * memory: one {@code pwritev} of all of it, or piece by piece as {@link #read} goes.
     */
    private int write(long sector) {
        counters.writes.increment();
        if (disk.readOnly()) {
            return failed(RequestError.READ_ONLY, 0);
        }
        long n = readable - VirtioBlk.HEADER;
        long at = offsetOf(sector, n);
        if (at < 0) {
            return failed(RequestError.OUT_OF_RANGE, 0);
        }
        long done = vectored(true, n, at);
        int error = done < 0 ? (int) -done : done < n ? pieces(true, n, at, done) : 0;
        if (error != 0) {
            return failed(error == Protocol.ENOSPC ? RequestError.NO_SPACE : RequestError.IO_ERROR, 0);
        }
        counters.bytesWritten.add(n);
        return finish(VirtioBlk.S_OK, 0);
    }

    /**
     * The request's data in one system call: the {@code n} data bytes of the chain (for a write
     * the readable ones after the header, for a read the writable ones before the status) as an
     * iovec over guest memory. The bytes moved, a negative error, or 0 when it must go piece by
     * piece (the disk cannot do it so, or the chain has more buffers than one call takes).
     */
    private long vectored(boolean write, long n, long at) {
        int end = write ? firstWritable : count;
        long skip = write ? VirtioBlk.HEADER : 0;
        long left = n;
        int buffers = 0;
        for (int i = write ? 0 : firstWritable; i < end && left > 0; i++) {
            long from = Math.min(skip, len[i]);
            skip -= from;
            long take = Math.min(len[i] - from, left);
            if (take == 0) {
                continue;
            }
            if (buffers == Libc.IOV_MAX) {
                return 0;
            }
            iov.set(ValueLayout.JAVA_LONG, 16L * buffers, seg[i].address() + off[i] + from);
            iov.set(ValueLayout.JAVA_LONG, 16L * buffers + 8, take);
            buffers++;
            left -= take;
        }
        if (buffers == 0) {
            return 0;
        }
        long r = disk.vectored(write, iov, buffers, at);
        return r == DiskIo.NOT_HERE ? 0 : r;
    }

    /**
     * The request's data buffer by buffer through {@link DiskIo#read}/{@link DiskIo#write} (the
     * snapshot layers, a move's mirror), from data byte {@code from} on; 0 or an error.
     */
    private int pieces(boolean write, long n, long at, long from) {
        int end = write ? firstWritable : count;
        long skip = (write ? VirtioBlk.HEADER : 0) + from;
        long pos = from;
        for (int i = write ? 0 : firstWritable; i < end && pos < n; i++) {
            long first = Math.min(skip, len[i]);
            skip -= first;
            long take = Math.min(len[i] - first, n - pos);
            for (long p = 0; p < take; ) {
                int piece = (int) Math.min(PIECE, take - p);
                ByteBuffer b = seg[i].asSlice(off[i] + first + p, piece).asByteBuffer();
                int e = write ? disk.write(b, at + pos) : disk.read(b, at + pos);
                if (e != 0) {
                    return e;
                }
                p += piece;
                pos += piece;
            }
        }
        return 0;
    }

    /**
     * DISCARD (a hole punched, as NBD's TRIM) and WRITE_ZEROES (a hole, or with no UNMAP flag the
     * range zeroed in place): each 16-byte segment after the header. A flag other than UNMAP, or
     * UNMAP on a DISCARD, is UNSUPP, as the specification asks.
     */
    private int ranges(int type) {
        boolean discard = type == VirtioBlk.T_DISCARD;
        (discard ? counters.trims : counters.zeroes).increment();
        long data = readable - VirtioBlk.HEADER;
        if (data < VirtioBlk.SEGMENT || data % VirtioBlk.SEGMENT != 0) {
            counters.error(RequestError.MALFORMED_CHAIN);
            return finish(VirtioBlk.S_IOERR, 0);
        }
        if (disk.readOnly()) {
            return failed(RequestError.READ_ONLY, 0);
        }
        for (long s = VirtioBlk.HEADER; s < readable; s += VirtioBlk.SEGMENT) {
            gather(s, header, VirtioBlk.SEGMENT);
            long sector = header.get(VhostUser.U64, 0);
            long sectors = header.get(VhostUser.U32, 8) & 0xffffffffL;
            int flags = header.get(VhostUser.U32, 12);
            if ((flags & ~VirtioBlk.UNMAP) != 0 || discard && flags != 0) {
                counters.error(RequestError.BAD_FLAGS);
                return finish(VirtioBlk.S_UNSUPP, 0);
            }
            long bytes = sectors * VirtioBlk.SECTOR;
            long at = offsetOf(sector, bytes);
            if (at < 0) {
                return failed(RequestError.OUT_OF_RANGE, 0);
            }
            int e = discard ? disk.trim(at, bytes) : disk.zero(at, bytes, (flags & VirtioBlk.UNMAP) == 0, false);
            if (e != 0) {
                return failed(e == Protocol.ENOSPC ? RequestError.NO_SPACE : RequestError.IO_ERROR, 0);
            }
        }
        return finish(VirtioBlk.S_OK, 0);
    }

    /** The disk offset of {@code sector} when {@code bytes} from it are whole sectors inside the disk; else -1. */
    private long offsetOf(long sector, long bytes) {
        if (bytes < 0 || bytes % VirtioBlk.SECTOR != 0 || sector < 0 || sector > Long.MAX_VALUE / VirtioBlk.SECTOR) {
            return -1;
        }
        long at = sector * VirtioBlk.SECTOR;
        return disk.inRange(at, bytes) ? at : -1;
    }

    private int failed(RequestError why, int written) {
        counters.error(why);
        return finish(VirtioBlk.S_IOERR, written);
    }

    /** Writes the status byte (the chain's last); the used length: {@code written} data bytes and the status. */
    private int finish(int status, int written) {
        int last = count - 1;
        long at = off[last] + len[last] - 1;
        seg[last].set(ValueLayout.JAVA_BYTE, at, (byte) status);
        q.written(gpa[last] + len[last] - 1, 1);
        return written + 1;
    }

    /**
     * Walks chain {@code head} into the arrays: false when the walk fails, it is longer than
     * {@link #MAX_CHAIN}, a readable descriptor follows a writable one, or there is no writable
     * byte at its end for the status.
     */
    private boolean takeApart(int head) {
        count = 0;
        firstWritable = -1;
        readable = 0;
        writable = 0;
        if (!q.begin(head)) {
            return false;
        }
        while (true) {
            if (count == MAX_CHAIN) {
                return false;
            }
            long l = q.cursorLeft();
            if (q.cursorWritable()) {
                if (firstWritable < 0) {
                    firstWritable = count;
                }
                writable += l;
            } else {
                if (firstWritable >= 0) {
                    return false;
                }
                readable += l;
            }
            seg[count] = q.cursorSegment();
            off[count] = q.cursorOffset();
            len[count] = l;
            gpa[count] = q.cursorAddress();
            count++;
            int a = q.next();
            if (a < 0) {
                return false;
            }
            if (a == 0) {
                break;
            }
        }
        if (firstWritable < 0) {
            firstWritable = count;
            return false;
        }
        return len[count - 1] > 0;
    }

    /** Copies {@code n} readable bytes of the chain from {@code at} into {@code dst}; false when it has fewer. */
    private boolean gather(long at, MemorySegment dst, int n) {
        long skip = at;
        int done = 0;
        for (int i = 0; i < firstWritable && done < n; i++) {
            if (skip >= len[i]) {
                skip -= len[i];
                continue;
            }
            int take = (int) Math.min(len[i] - skip, n - done);
            MemorySegment.copy(seg[i], off[i] + skip, dst, done, take);
            done += take;
            skip = 0;
        }
        return done == n;
    }

    /** Copies {@code n} bytes of {@code src} (zeros past its end) to the start of the chain's writable part; {@code n}. */
    private int scatter(byte[] src, int n) {
        int done = 0;
        for (int i = firstWritable; i < count && done < n; i++) {
            int take = (int) Math.min(len[i], n - done);
            for (int k = 0; k < take; k++) {
                int b = done + k;
                seg[i].set(ValueLayout.JAVA_BYTE, off[i] + k, b < src.length ? src[b] : 0);
            }
            q.written(gpa[i], take);
            done += take;
        }
        return n;
    }
}
