package io.parvirt.vhost;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * One split virtqueue (virtio 1.x, 2.7) in the guest's memory, read and written by the back end
 * itself. All fields little-endian; {@code num} is a power of two up to 32768.
 *
 * <pre>
 *  descriptor table (16 bytes each)    available ring (driver → device)  used ring (device → driver)
 *  0  addr  u64 guest-physical          0 flags u16 (1: NO_INTERRUPT)     0 flags u16 (1: NO_NOTIFY)
 *  8  len   u32                         2 idx   u16                       2 idx   u16
 *  12 flags u16 1 NEXT 2 WRITE 4 INDIRECT  4 ring[num] u16 (chain heads)  4 ring[num] {u32 id, u32 len}
 *  14 next  u16
 * </pre>
 *
 * The guest runs concurrently: the available index is read with acquire (so the ring entries and
 * descriptors it publishes are seen), the used index written with release (so the used entries and
 * the data in the buffers are seen before it). A chain is walked with every step checked: the
 * descriptor index below {@code num}, at most {@code num} descriptors (a loop in {@code next} ends
 * there), each buffer inside guest memory ({@link GuestMemory}), the direction the queue requires
 * (the guest's transmit buffers readable, its receive buffers writable), no INDIRECT (not
 * negotiated) and the total within the port's buffer. A chain that fails is not an exception: its
 * walk returns -1 and the caller drops the frame and counts it.
 *
 * <p>Notifications (virtio 1.x 2.7.7, 2.7.10). Without VIRTIO_RING_F_EVENT_IDX the flags say it: the
 * used ring's NO_NOTIFY asks the guest not to kick, the available ring's NO_INTERRUPT that it wants
 * no interrupt. With it ({@link #eventIdx}) the flags are ignored and two indexes after the rings
 * say instead: {@code avail_event} (after the used ring, written here) is the available index whose
 * crossing makes the guest kick, and {@code used_event} (after the available ring, the guest's) the
 * used index whose crossing makes the back end interrupt. So the guest kicks once per batch the
 * back end has not yet seen, and interrupts come as rarely as the guest asks (Linux's virtio-net
 * asks for its transmit completions three quarters of the way through what it has queued).
 *
 * <pre>
 *  available ring, after ring[num]: used_event  u16     used ring, after ring[num]: avail_event  u16
 * </pre>
 *
 * <p>While the front end logs (migration), every write into the guest's buffers is marked in the
 * {@link DirtyLog} by guest-physical address, and every write to the used ring at its log address
 * when the ring was given one ({@code VHOST_VRING_F_LOG}); without logging each write costs one
 * null check more.
 */
public final class Virtqueue {
    public static final int DESC_NEXT = 1;
    public static final int DESC_WRITE = 2;
    public static final int DESC_INDIRECT = 4;
    public static final int MAX_SIZE = 32768;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle IDX = U16.varHandle();

    public final int index;
    /**
     * The guest is never asked to kick this queue (a virtio-net receive queue: nothing waits for
     * its buffers); set once, before the queue starts.
     */
    public boolean kickless;
    public int num;
    public long descAddr;
    public long availAddr;
    public long usedAddr;
    /** The next available entry to take (vhost-user's "vring base"). */
    public int lastAvail;
    /** The eventfd that interrupts the guest (the kick eventfd is the port thread's). */
    public int callFd = -1;
    public boolean enabled;
    /** SET_VRING_ADDR's log address: where the used ring is for the dirty log; -1 when the ring logs nothing. */
    public long usedLogAddr = -1;
    /** Loop thread: the dirty log while logging is on, else null; {@link #usedLog} too if the ring has a log address. */
    private DirtyLog log;
    private DirtyLog usedLog;
    /** VIRTIO_RING_F_EVENT_IDX negotiated: {@code used_event}/{@code avail_event} instead of the flags. */
    public boolean eventIdx;
    /** The used index at the last interrupt decision, for {@code used_event}'s window; -1: none since the start. */
    private int signalledUsed = -1;
    /** Set once the addresses resolved inside guest memory; cleared when they do not. */
    private boolean ready;
    private int nextUsed;
    /** Chains known to be available at the last read of the guest's index, less those taken since. */
    private int seen;
    private GuestMemory mem;
    private MemorySegment desc;
    private long descOff;
    private MemorySegment avail;
    private long availOff;
    private MemorySegment used;
    private long usedOff;

    // The chain cursor: where the walk is (one walk at a time, on the thread that owns the queue).
    private int cDesc;
    private int cHops;
    private MemorySegment cSeg;
    private long cOff;
    private long cLeft;
    private int cFlags;
    private int cNext;
    /** The guest-physical address at the cursor (what the dirty log is marked by). */
    private long cAddr;
    /**
     * The chain of one descriptor {@link #capacity} just walked, its cursor untouched since, so
     * {@link #begin} of it reloads nothing (the receive side asks both per frame); -1: none.
     */
    private int walked = -1;

    public Virtqueue(int index) {
        this.index = index;
    }

    /**
     * Resolves the rings in {@code memory} (after SET_VRING_ADDR or a new memory table); false when
     * a ring does not lie inside it, and then the queue stays stopped.
     */
    public boolean resolve(GuestMemory memory) {
        ready = false;
        walked = -1;
        seen = 0;
        mem = memory;
        if (memory == null || num <= 0 || num > MAX_SIZE || (num & (num - 1)) != 0) {
            return false;
        }
        int d = memory.virtual(descAddr, 16L * num);
        int a = memory.virtual(availAddr, 6L + 2L * num);
        int u = memory.virtual(usedAddr, 6L + 8L * num);
        if (d < 0 || a < 0 || u < 0 || (descAddr & 15) != 0 || (availAddr & 1) != 0 || (usedAddr & 3) != 0) {
            return false;
        }
        desc = memory.segment(d);
        descOff = memory.virtualOffset(d, descAddr);
        avail = memory.segment(a);
        availOff = memory.virtualOffset(a, availAddr);
        used = memory.segment(u);
        usedOff = memory.virtualOffset(u, usedAddr);
        nextUsed = (short) IDX.getAcquire(used, usedOff + 2) & 0xffff;
        signalledUsed = -1;
        ready = true;
        if (kickless) {
            noKicks();
        }
        return true;
    }

    /** Logs this queue's writes into {@code l} from now on (null: logging is off). */
    public void logTo(DirtyLog l) {
        log = l;
        usedLog = usedLogAddr == -1 ? null : l;
    }

    /** Started: resolved, enabled and with a kick (the guest can tell the back end of new buffers). */
    public boolean running() {
        return ready && enabled;
    }

    public void stop() {
        ready = false;
        walked = -1;
        seen = 0;
        mem = null;
        desc = avail = used = null;
    }

    /** Chains the guest has made available and the back end not taken; more than {@code num} means a broken ring. */
    public int available() {
        seen = (((short) IDX.getAcquire(avail, availOff + 2) & 0xffff) - lastAvail) & 0xffff;
        return seen;
    }

    /**
     * At least {@code want} available chains if the guest has posted them: the count known from the
     * last read of its index, read again only when that falls short. The receive side asks per
     * frame; the index is a cache line the guest's CPU writes, read once per batch of chains
     * rather than once per frame.
     */
    public int available(int want) {
        return seen >= want ? seen : available();
    }

    /** The head of the next available chain (taking it); may be out of range: the walk checks. */
    public int take() {
        int head = avail.get(U16, availOff + 4 + 2L * (lastAvail & (num - 1))) & 0xffff;
        lastAvail = (lastAvail + 1) & 0xffff;
        if (seen > 0) {
            seen--;
        }
        return head;
    }

    /** The head {@code ahead} entries past the next without taking it (the receive side's look-ahead). */
    public int peek(int ahead) {
        return avail.get(U16, availOff + 4 + 2L * ((lastAvail + ahead) & (num - 1))) & 0xffff;
    }

    public void skip(int n) {
        lastAvail = (lastAvail + n) & 0xffff;
        seen = Math.max(0, seen - n);
    }

    /**
     * Returns chain {@code head} to the guest with {@code len} bytes written into it; the guest
     * sees it at the next {@link #publish} (a merged receive buffer's chains must appear together).
     */
    public void put(int head, int len) {
        long e = usedOff + 4 + 8L * (nextUsed & (num - 1));
        used.set(U64, e, head & 0xffffffffL | (long) len << 32); // id and len in one store
        if (usedLog != null) {
            usedLog.mark(usedLogAddr + (e - usedOff), 8);
        }
        nextUsed = (nextUsed + 1) & 0xffff;
    }

    /** Makes the used entries put so far visible to the guest. */
    public void publish() {
        IDX.setRelease(used, usedOff + 2, (short) nextUsed);
        if (usedLog != null) {
            usedLog.mark(usedLogAddr + 2, 2);
        }
    }

    /**
     * Asks the guest not to kick while the back end is polling, or to kick again for the next chain it
     * makes available. Without EVENT_IDX that is the used ring's NO_NOTIFY flag; with it, turning
     * kicks off writes nothing ({@code avail_event} stays behind, and the guest kicks only when its
     * index crosses it), turning them on sets {@code avail_event} to the next chain to take. Either
     * way a full fence follows, so the caller's re-check of the available index cannot miss a chain
     * posted by a guest that saw no reason to kick.
     */
    public void notifications(boolean on) {
        if (eventIdx) {
            if (!on) {
                return;
            }
            long at = usedOff + 4 + 8L * num;
            IDX.setRelease(used, at, (short) lastAvail);
            VarHandle.fullFence();
            if (usedLog != null) {
                usedLog.mark(usedLogAddr + 4 + 8L * num, 2);
            }
            return;
        }
        IDX.setRelease(used, usedOff, (short) (on ? 0 : 1));
        VarHandle.fullFence(); // the flag before the re-check of the available index
        if (usedLog != null) {
            usedLog.mark(usedLogAddr, 2);
        }
    }

    /**
     * Asks the guest never to kick this queue (the receive queue: nothing waits for its buffers, a
     * frame for a guest without any is dropped and counted). With EVENT_IDX, {@code avail_event} one
     * behind the next chain: the guest's index moves away from it and crosses it again only after
     * 65536 more chains (one kick then, harmless).
     */
    public void noKicks() {
        if (eventIdx) {
            IDX.setRelease(used, usedOff + 4 + 8L * num, (short) (lastAvail - 1));
            if (usedLog != null) {
                usedLog.mark(usedLogAddr + 4 + 8L * num, 2);
            }
        } else {
            notifications(false);
        }
    }

    /**
     * Whether the guest wants an interrupt for the used entries published since the last time this
     * was asked: without EVENT_IDX, unless it set NO_INTERRUPT; with it, when the used index just
     * published crossed {@code used_event} (virtio's {@code vring_need_event}: the new entries'
     * window, from the last decision to now, holds the index the guest named). Call after
     * {@link #publish}; the full fence orders the published index before the read of what the
     * guest wants (the guest writes {@code used_event}, then re-reads the used index).
     */
    public boolean interruptWanted() {
        if (!eventIdx) {
            return ((short) IDX.getAcquire(avail, availOff) & 1) == 0;
        }
        VarHandle.fullFence();
        int old = signalledUsed;
        int now = nextUsed;
        signalledUsed = now;
        if (old < 0) {
            return true; // the first since the ring started: nothing known to compare with
        }
        int event = (short) IDX.getAcquire(avail, availOff + 4 + 2L * num) & 0xffff;
        return needEvent(event, now, old);
    }

    /** virtio's {@code vring_need_event}: whether moving an index from {@code old} to {@code now} crossed {@code event} (mod 2^16). */
    public static boolean needEvent(int event, int now, int old) {
        return ((now - event - 1) & 0xffff) < ((now - old) & 0xffff);
    }

    /** Starts walking chain {@code head}; false when the head is out of range. */
    public boolean begin(int head) {
        if (head == walked) {
            walked = -1; // the cursor is where this would put it, checked by the same load
            return true;
        }
        if (head >= num) {
            return false;
        }
        cDesc = head;
        cHops = 0;
        return load();
    }

    /** Loads the cursor's descriptor; false when it is malformed. */
    private boolean load() {
        walked = -1;
        if (++cHops > num) {
            return false; // a loop in the chain
        }
        long d = descOff + 16L * cDesc;
        long addr = desc.get(U64, d);
        long lenFlagsNext = desc.get(U64, d + 8); // len, flags and next in one load
        long len = lenFlagsNext & 0xffffffffL;
        cFlags = (int) (lenFlagsNext >>> 32) & 0xffff;
        cNext = (int) (lenFlagsNext >>> 48);
        if ((cFlags & DESC_INDIRECT) != 0) {
            return false;
        }
        int r = mem.physical(addr, len);
        if (r < 0) {
            return false;
        }
        cSeg = mem.segment(r);
        cOff = mem.physicalOffset(r, addr);
        cLeft = len;
        cAddr = addr;
        return true;
    }

    /** Moves to the next descriptor of the chain: 1 moved, 0 the chain ended, -1 malformed. */
    private int advance() {
        if ((cFlags & DESC_NEXT) == 0) {
            return 0;
        }
        int next = cNext;
        if (next >= num) {
            return -1;
        }
        cDesc = next;
        return load() ? 1 : -1;
    }

    /**
     * Copies the guest's transmit chain {@code head} into {@code dst[0, cap)}; its length, or -1
     * when the chain is malformed or longer than {@code cap}.
     */
    public int read(int head, MemorySegment dst, int cap) {
        if (!begin(head)) {
            return -1;
        }
        int n = 0;
        while (true) {
            if ((cFlags & DESC_WRITE) != 0 || cLeft > cap - n) {
                return -1;
            }
            MemorySegment.copy(cSeg, cOff, dst, n, cLeft);
            n += (int) cLeft;
            int a = advance();
            if (a < 0) {
                return -1;
            }
            if (a == 0) {
                return n;
            }
        }
    }

    /**
     * The writable bytes of the receive chain at {@code head}, or -1 when it is malformed. A chain
     * of one descriptor leaves the cursor at its start, for the {@link #begin} that follows.
     */
    public long capacity(int head) {
        walked = -1;
        if (!begin(head)) {
            return -1;
        }
        long n = 0;
        while (true) {
            if ((cFlags & DESC_WRITE) == 0) {
                return -1;
            }
            n += cLeft;
            int a = advance();
            if (a < 0) {
                return -1;
            }
            if (a == 0) {
                if (cHops == 1) {
                    walked = head;
                }
                return n;
            }
        }
    }

    /**
     * Writes {@code src[off, off+len)} into the chain being filled (after {@link #begin}), from
     * where the last write stopped; the bytes written (fewer when the chain is full).
     * Call only on a chain {@link #capacity} accepted.
     */
    public int write(MemorySegment src, long off, int len) {
        int done = 0;
        while (done < len) {
            if (cLeft == 0) {
                if (advance() != 1) {
                    return done;
                }
                continue;
            }
            int n = (int) Math.min(cLeft, len - done);
            MemorySegment.copy(src, off + done, cSeg, cOff, n);
            if (log != null) {
                log.mark(cAddr, n);
            }
            cAddr += n;
            cOff += n;
            cLeft -= n;
            done += n;
        }
        return done;
    }

    // The cursor of the chain being walked, for a device that reads and writes a chain's buffers
    // itself (virtio-blk's header, data and status; virtio-net's header in place): after begin,
    // each descriptor in turn until next says the chain ended.

    /** The mapping that holds the descriptor at the cursor. */
    public MemorySegment cursorSegment() {
        return cSeg;
    }

    /** Where the cursor is in {@link #cursorSegment()}. */
    public long cursorOffset() {
        return cOff;
    }

    /** The bytes left in the descriptor at the cursor. */
    public long cursorLeft() {
        return cLeft;
    }

    /** The guest-physical address at the cursor (what the dirty log is marked by). */
    public long cursorAddress() {
        return cAddr;
    }

    /** Whether the descriptor at the cursor is one the device writes (the guest's receive or read buffer). */
    public boolean cursorWritable() {
        return (cFlags & DESC_WRITE) != 0;
    }

    /**
     * Moves the cursor {@code n} bytes on inside its descriptor ({@code n <= cursorLeft()}), marking
     * them in the dirty log when {@code wrote} and the front end logs.
     */
    public void consumed(long n, boolean wrote) {
        if (wrote && log != null) {
            log.mark(cAddr, n);
        }
        cAddr += n;
        cOff += n;
        cLeft -= n;
    }

    /** Moves the cursor to the chain's next descriptor: 1 moved, 0 the chain ended, -1 malformed. */
    public int next() {
        return advance();
    }

    /** Marks guest-physical {@code [addr, addr+len)} written by the device, when the front end logs. */
    public void written(long addr, long len) {
        if (log != null) {
            log.mark(addr, len);
        }
    }

    public void signal(MemorySegment scratch) {
        if (callFd >= 0) {
            Posix.signal(callFd, scratch);
        }
    }

    /** Forgets the guest's state (GET_VRING_BASE stopped it, or the connection ended). */
    public void reset() {
        stop();
        Posix.close(callFd);
        callFd = -1;
        enabled = false;
        num = 0;
        lastAvail = 0;
        signalledUsed = -1;
        usedLogAddr = -1;
        logTo(null);
    }
}
