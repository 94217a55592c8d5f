package io.parvirt.vhost;

import java.lang.foreign.MemorySegment;

/**
 * A guest's memory as vhost-user's SET_MEM_TABLE (up to eight regions) or ADD_MEM_REG and
 * REM_MEM_REG (one at a time, up to {@link #MAX_REGIONS}: hot-plugged memory) give it, each region
 * a file descriptor the port maps shared, with the region's guest-physical address (what descriptors
 * hold) and the front end's own virtual address (what SET_VRING_ADDR holds). Every translation
 * checks that the whole range {@code [addr, addr+len)} lies inside one region, without overflow,
 * so nothing a guest writes in a descriptor can make the back end read or write outside the memory
 * the guest owns. (A range that straddles two adjacent regions is refused: QEMU does not lay
 * buffers out so, and refusing is safe.)
 */
public final class GuestMemory implements AutoCloseable {
    /**
     * Memory slots offered (GET_MAX_MEM_SLOTS): boot memory, the virtio-mem device (one region,
     * or several with QEMU's {@code dynamic-memslots}) and hot-plugged DIMMs. A lookup scans the
     * regions in use, so the limit costs nothing until it is used.
     */
    public static final int MAX_REGIONS = 32;

    private final long[] gpa = new long[MAX_REGIONS];
    private final long[] uva = new long[MAX_REGIONS];
    private final long[] size = new long[MAX_REGIONS];
    private final long[] start = new long[MAX_REGIONS];
    private final MemorySegment[] map = new MemorySegment[MAX_REGIONS];
    private int count;

    /**
     * Maps region {@code fd} ({@code size} bytes at {@code mmapOffset} into the file); false when
     * the kernel refuses the mapping or the region is malformed. The descriptor stays the caller's.
     */
    public boolean add(long guestPhys, long bytes, long userAddr, long mmapOffset, int fd) {
        if (count == MAX_REGIONS) {
            return false;
        }
        MemorySegment m = map(guestPhys, bytes, userAddr, mmapOffset, fd);
        return m != null && insert(guestPhys, bytes, userAddr, mmapOffset, m);
    }

    /**
     * Maps a region (off the data path's thread: the kernel may take its time) for a later
     * {@link #insert}; null when it is malformed or the kernel refuses it.
     */
    public static MemorySegment map(long guestPhys, long bytes, long userAddr, long mmapOffset, int fd) {
        if (fd < 0 || bytes <= 0 || mmapOffset < 0 || mmapOffset > Long.MAX_VALUE - bytes
                || Long.compareUnsigned(guestPhys + bytes - 1, guestPhys) < 0
                || Long.compareUnsigned(userAddr + bytes - 1, userAddr) < 0) {
            return null;
        }
        MemorySegment m = Posix.mmap(fd, mmapOffset + bytes);
        return m.equals(MemorySegment.NULL) ? null : m;
    }

    /**
     * Adds region {@code m} (from {@link #map}; this memory owns it from now on); false, and {@code m}
     * unmapped, when every slot is taken or its first or last byte lies in a region in use.
     */
    public boolean insert(long guestPhys, long bytes, long userAddr, long mmapOffset, MemorySegment m) {
        if (count == MAX_REGIONS || physical(guestPhys, 1) >= 0 || physical(guestPhys + bytes - 1, 1) >= 0) {
            Posix.munmap(m);
            return false;
        }
        gpa[count] = guestPhys;
        uva[count] = userAddr;
        size[count] = bytes;
        start[count] = mmapOffset;
        map[count] = m;
        count++;
        return true;
    }

    /**
     * Takes out the region at {@code guestPhys} and {@code userAddr} of {@code bytes} (REM_MEM_REG
     * names it so) and returns its mapping for the caller to unmap once nothing can use it; null
     * when there is no such region.
     */
    public MemorySegment remove(long guestPhys, long bytes, long userAddr) {
        for (int i = 0; i < count; i++) {
            if (gpa[i] == guestPhys && uva[i] == userAddr && size[i] == bytes) {
                MemorySegment m = map[i];
                count--;
                gpa[i] = gpa[count];
                uva[i] = uva[count];
                size[i] = size[count];
                start[i] = start[count];
                map[i] = map[count];
                map[count] = null;
                return m;
            }
        }
        return null;
    }

    public int regions() {
        return count;
    }

    /** The region holding guest-physical {@code [addr, addr+len)}, or -1. */
    public int physical(long addr, long len) {
        return find(gpa, addr, len);
    }

    /** The region holding the front end's virtual {@code [addr, addr+len)}, or -1. */
    public int virtual(long addr, long len) {
        return find(uva, addr, len);
    }

    private int find(long[] base, long addr, long len) {
        if (len < 0) {
            return -1;
        }
        for (int i = 0; i < count; i++) {
            long rel = addr - base[i];
            // Unsigned: an address below the base wraps to a huge offset and fails the size test.
            if (Long.compareUnsigned(rel, size[i]) < 0 && Long.compareUnsigned(len, size[i] - rel) <= 0) {
                return i;
            }
        }
        return -1;
    }

    /** Offset in {@link #segment(int)} of guest-physical {@code addr} in region {@code r}. */
    public long physicalOffset(int r, long addr) {
        return start[r] + (addr - gpa[r]);
    }

    public long virtualOffset(int r, long addr) {
        return start[r] + (addr - uva[r]);
    }

    public MemorySegment segment(int r) {
        return map[r];
    }

    @Override
    public void close() {
        for (int i = 0; i < count; i++) {
            Posix.munmap(map[i]);
            map[i] = null;
        }
        count = 0;
    }
}
