package io.parvirt.vhost;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The front end's dirty-page log during a live migration (vhost-user's VHOST_F_LOG_ALL with
 * PROTOCOL_F_LOG_SHMFD): one bit per 4 KiB page of guest-physical memory, in a memfd QEMU hands
 * over with SET_LOG_BASE and reads (and clears, atomically) while it copies the guest's memory.
 * Every page the back end writes into the guest while logging is on must be marked, after the write,
 * or the target gets the page as it was before the frame arrived.
 *
 * <pre>
 *  page = guest-physical address / 4096;   log byte page / 8, bit page % 8
 *  marked here 64 pages at a time: the little-endian u64 at byte (page / 64) * 8, bit page % 64
 * </pre>
 *
 * A mark is an atomic OR (a locked instruction, so the data written before it is visible before the
 * bit: QEMU's clear-then-copy never misses it). A mark past the log's end is ignored: QEMU sizes
 * the log for all of the guest's memory, and nothing a guest writes into a descriptor can reach
 * here unchecked (buffers are inside guest memory, ring addresses come from QEMU).
 */
public final class DirtyLog implements AutoCloseable {
    public static final int PAGE_SHIFT = 12;
    /** Native order: x86-64 is little-endian, as the byte-per-8-pages layout requires. */
    private static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment mapping;
    private final long base;
    private final long words;

    private DirtyLog(MemorySegment mapping, long base, long words) {
        this.mapping = mapping;
        this.base = base;
        this.words = words;
    }

    /**
     * Maps {@code bytes} of log at {@code offset} into {@code fd}; null when the kernel refuses or
     * the request is malformed (an offset not 8-byte aligned cannot be marked atomically).
     */
    public static DirtyLog map(int fd, long bytes, long offset) {
        if (fd < 0 || bytes < 8 || offset < 0 || (offset & 7) != 0 || offset > Long.MAX_VALUE - bytes) {
            return null;
        }
        MemorySegment m = Posix.mmap(fd, offset + bytes);
        return m.equals(MemorySegment.NULL) ? null : new DirtyLog(m, offset, bytes >>> 3);
    }

    /** Marks the pages of guest-physical {@code [addr, addr+len)} dirty. */
    public void mark(long addr, long len) {
        if (len <= 0) {
            return;
        }
        long page = addr >>> PAGE_SHIFT;
        long last = (addr + len - 1) >>> PAGE_SHIFT;
        while (page <= last) {
            long word = page >>> 6;
            if (word >= words) {
                return;
            }
            long end = Math.min(last, word << 6 | 63);
            long bits = (-1L << (page & 63)) & (-1L >>> (63 - (end & 63)));
            long before = (long) WORD.getAndBitwiseOr(mapping, base + (word << 3), bits);
            page = end + 1;
        }
    }

    @Override
    public void close() {
        Posix.munmap(mapping);
    }
}
