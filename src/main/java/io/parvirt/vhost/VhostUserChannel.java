package io.parvirt.vhost;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One vhost-user connection's messages, as a back end reads and answers them (layouts in
 * {@link VhostUser}): a request with the descriptors that came with it, and the replies. The
 * buffers are allocated once per channel; one thread uses it at a time. The descriptors of a
 * request are the caller's to {@link #takeFd take}; those it leaves are closed by
 * {@link #closeFds}, which the caller calls once the request is handled.
 */
public final class VhostUserChannel implements AutoCloseable {
    /** The largest reply: a configuration space (GET_CONFIG) of up to this many bytes after its header. */
    public static final int MAX_CONFIG = 256;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment msg = arena.allocate(VhostUser.HEADER + VhostUser.MAX_PAYLOAD + 64, 8);
    private final MemorySegment ioScratch = arena.allocate(Posix.MSGHDR + 16 + Posix.CMSG_SPACE, 8);
    private final MemorySegment out = arena.allocate(VhostUser.HEADER + VhostUser.CONFIG_HEADER + MAX_CONFIG, 8);
    private final int[] got = new int[Posix.MAX_FDS];
    private final int[] fds = new int[Posix.MAX_FDS];
    private final int[] none = new int[0];
    private int nfds;
    private int fd = -1;
    private int flags;
    private int size;

    /** Reads and answers on connected socket {@code fd} from now on (the caller closes it). */
    public void use(int fd) {
        this.fd = fd;
        closeFds();
    }

    /**
     * Reads the next request; its number, or -1 when the connection ended or sent a payload larger
     * than any request this side reads (the stream cannot be followed past it).
     */
    public int read() {
        closeFds();
        if (!readFully(0, VhostUser.HEADER)) {
            return -1;
        }
        int req = msg.get(VhostUser.U32, 0);
        flags = msg.get(VhostUser.U32, 4);
        size = msg.get(VhostUser.U32, 8);
        if (size < 0 || size > VhostUser.MAX_PAYLOAD || !readFully(VhostUser.HEADER, size)) {
            closeFds();
            return -1;
        }
        return req;
    }

    /** The last request's payload. */
    public MemorySegment payload() {
        return msg.asSlice(VhostUser.HEADER, size);
    }

    /**
     * After a request was handled ({@code ok}): answers REPLY_ACK's status when the front end asked
     * for it, negotiated it, and the request has no reply of its own ({@code answers}); false when
     * the answer could not be sent.
     */
    public boolean acknowledge(int req, boolean ok, long protocolFeatures, boolean answers) {
        if ((flags & VhostUser.FLAG_NEED_REPLY) != 0 && VhostUser.has(protocolFeatures, VhostUser.PROTOCOL_F_REPLY_ACK)
                && !answers) {
            return reply(req, ok ? 0 : 1);
        }
        return true;
    }

    /** Takes the {@code i}th descriptor that came with the request (the caller now owns it); -1 if none. */
    public int takeFd(int i) {
        if (i >= nfds || fds[i] < 0) {
            return -1;
        }
        int f = fds[i];
        fds[i] = -1;
        return f;
    }

    /** Closes the descriptors of the last request that were not taken. */
    public void closeFds() {
        for (int i = 0; i < nfds; i++) {
            Posix.close(fds[i]);
            fds[i] = -1;
        }
        nfds = 0;
    }

    private boolean readFully(int off, int len) {
        int done = 0;
        while (done < len) {
            long r = Posix.recv(fd, msg.asSlice(off + done), len - done, ioScratch, got);
            if (r < 0) {
                return false;
            }
            int count = (int) (r >>> 32);
            for (int i = 0; i < count; i++) {
                if (nfds < Posix.MAX_FDS) {
                    fds[nfds++] = got[i];
                } else {
                    Posix.close(got[i]); // more than any request carries: not kept open
                }
            }
            done += (int) r;
        }
        return true;
    }

    /** Answers {@code req} with a u64 (features, a queue count, or REPLY_ACK's status). */
    public boolean reply(int req, long value) {
        VhostUser.header(out, req, VhostUser.VERSION | VhostUser.FLAG_REPLY, 8);
        out.set(VhostUser.U64, VhostUser.HEADER, value);
        return Posix.send(fd, out, VhostUser.HEADER + 8, ioScratch, none, 0);
    }

    /** Answers {@code req} with no payload (SET_LOG_BASE's acknowledgement). */
    public boolean replyEmpty(int req) {
        VhostUser.header(out, req, VhostUser.VERSION | VhostUser.FLAG_REPLY, 0);
        return Posix.send(fd, out, VhostUser.HEADER, ioScratch, none, 0);
    }

    /** Answers GET_VRING_BASE: the queue's index and where the guest resumes. */
    public boolean replyState(int req, int index, int num) {
        VhostUser.header(out, req, VhostUser.VERSION | VhostUser.FLAG_REPLY, 8);
        out.set(VhostUser.U32, VhostUser.HEADER, index);
        out.set(VhostUser.U32, VhostUser.HEADER + 4, num);
        return Posix.send(fd, out, VhostUser.HEADER + 8, ioScratch, none, 0);
    }

    /**
     * Answers GET_CONFIG: the request's offset, size and flags, then {@code size} bytes of
     * {@code space} from the offset (zeros past its end); false when the size is more than
     * {@link #MAX_CONFIG}.
     */
    public boolean replyConfig(int offset, int size, int flags, MemorySegment space) {
        if (offset < 0 || size < 0 || size > MAX_CONFIG) {
            return false;
        }
        int body = VhostUser.CONFIG_HEADER + size;
        VhostUser.header(out, VhostUser.GET_CONFIG, VhostUser.VERSION | VhostUser.FLAG_REPLY, body);
        out.set(VhostUser.U32, VhostUser.HEADER, offset);
        out.set(VhostUser.U32, VhostUser.HEADER + 4, size);
        out.set(VhostUser.U32, VhostUser.HEADER + 8, flags);
        MemorySegment dst = out.asSlice(VhostUser.HEADER + VhostUser.CONFIG_HEADER, size).fill((byte) 0);
        long have = Math.max(0, Math.min(size, space.byteSize() - offset));
        if (have > 0) {
            MemorySegment.copy(space, offset, dst, 0, have);
        }
        return Posix.send(fd, out, VhostUser.HEADER + body, ioScratch, none, 0);
    }

    /**
     * SET_MEM_TABLE's regions mapped (each with its descriptor, closed once mapped) into a new
     * {@link GuestMemory}; null, and nothing left mapped, when the table is malformed or a region
     * cannot be mapped.
     */
    public GuestMemory memoryTable(MemorySegment m) {
        if (m.byteSize() < 8) {
            return null;
        }
        int n = m.get(VhostUser.U32, 0);
        if (n < 1 || n > VhostUser.TABLE_REGIONS || m.byteSize() < 8 + 32L * n) {
            return null;
        }
        GuestMemory mem = new GuestMemory();
        for (int i = 0; i < n; i++) {
            long o = 8 + 32L * i;
            int f = takeFd(i);
            boolean mapped = f >= 0 && mem.add(m.get(VhostUser.U64, o), m.get(VhostUser.U64, o + 8),
                    m.get(VhostUser.U64, o + 16), m.get(VhostUser.U64, o + 24), f);
            Posix.close(f);
            if (!mapped) {
                mem.close();
                return null;
            }
        }
        return mem;
    }

    @Override
    public void close() {
        closeFds();
        arena.close();
    }
}
