package io.parvirt.vios.nbd;

import static io.parvirt.vios.nbd.Protocol.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;

/**
 * The transmission phase of one connection: requests in, simple replies out, on the connection's
 * own thread (byte layouts in {@link Protocol}; how it waits for the socket in {@link SocketWait}).
 *
 * <p>A client may send many requests before reading a reply (qemu and libnbd keep up to 16 or
 * more in flight). They are taken in order from one input buffer: one {@code read} can bring a
 * whole batch of headers, and their replies gather in one output buffer that is written only when
 * the next request is not there yet, or when it is full. A batch of 4 KiB reads then costs one
 * {@code pread} each and two socket calls in all. Replies go out in request order, which the
 * protocol allows. Both buffers are direct and allocated once per connection: a small READ's data
 * is read from the file straight behind its reply header, and a WRITE's payload is written to the
 * file straight from the input buffer. Nothing is allocated per request.
 *
 * <p>Large requests (issue 17: 1 MiB sequential I/O in a guest ran at half the speed of the same
 * file attached to its QEMU directly) do not wait for their whole payload in a buffer. A READ of
 * 64 KiB or more goes from the page cache to the socket with {@code sendfile(2)}: no copy in this
 * process, and the client receives the first pages while the kernel still sends the last, where
 * a {@code pread} of the whole range had to end before the first byte went out. A WRITE longer
 * than 64 KiB is written in pieces as it arrives, so that the client's sending, the socket's drain
 * and the copy into the page cache overlap. Its payload goes from the socket to the file with
 * {@code splice(2)} through a pipe of the connection's ({@link PayloadPipe}), copied once, into the
 * page cache, where a read into the buffer and a write from it copied it twice; the header after
 * such a WRITE is read alone, so that the next payload waits in the socket for the next splice.
 * Where the JVM does not give the socket's descriptor, on a device with snapshot layers and during
 * a move to another pool, the payload goes through the buffer as before.
 *
 * <p>Held-back replies are always written before blocking on the socket: a client that waits for
 * them before sending more would otherwise wait for ever.
 *
 * <p>Errors are answered, counted and served past: a range past the end, an unknown command or
 * flag, a read-only export, an I/O error. The connection ends only when the stream cannot be
 * followed any more (no request magic; a WRITE longer than 32 MiB, whose payload it would take
 * reading up to 4 GiB to skip), when a READ fails after its header promised the data (a large
 * READ's files are checked to hold the range before the header goes, so only a file shortened or
 * failing during the transfer does that), or when the client goes. Other connections never
 * notice: each has its thread, buffers and file descriptor.
 */
final class Transmission {
    /** A batch of pipelined small requests, or what has arrived of a large WRITE's payload. */
    static final int BUFFER_BYTES = (1 << 20) + (64 << 10);
    /** A payload at least this long is read up to its own end only, so the buffer starts afresh after it. */
    private static final int LARGE = 64 << 10;

    private final SocketWait socket;
    private final BackingFile backing;
    private final ExportCounters counters;
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER_BYTES);
    /** A large read's two walks over its sources, made once (a lambda made per request would allocate). */
    private final Overlay.Source holds = Transmission::holds;
    private final Overlay.Source send;
    private int rd;
    private int wr;
    private int op;
    private CloseReason closeReason = CloseReason.CLIENT_GONE;
    /** The disk's file, layers and move, as both transports reach them. */
    private final DiskIo disk;
    /** Where large WRITEs' payloads are spliced to the file; null until the first, or when splicing cannot be done. */
    private PayloadPipe pipe;
    private boolean pipeTried;
    /**
     * The last request was a spliced WRITE: the next header is read alone, so that a payload behind
     * it stays in the socket for the next splice rather than being copied into the buffer.
     */
    private boolean streaming;

    Transmission(SocketWait socket, FileChannel file, BackingFile backing, ExportCounters counters) {
        this.socket = socket;
        this.backing = backing;
        this.counters = counters;
        this.send = socket::transferFully;
        this.disk = new DiskIo(file, backing, counters);
    }

    /** Serves requests until the connection ends; returns why it did. */
    CloseReason serve() {
        try {
            while (next()) {
                // one request per turn
            }
            flushOut();
        } catch (ClosedChannelException e) {
            return CloseReason.SERVER_STOP; // Endpoint.close closed the socket under a blocked read or write
        } catch (IOException e) {
            return CloseReason.SOCKET_ERROR;
        } finally {
            if (pipe != null) {
                pipe.close();
            }
        }
        return closeReason;
    }

    private boolean next() throws IOException {
        boolean alone = streaming;
        streaming = false;
        if (!fill(REQUEST_BYTES, alone ? REQUEST_BYTES : in.capacity(), wr > rd)) {
            return end(rd == wr ? CloseReason.CLIENT_GONE : CloseReason.TRUNCATED);
        }
        in.limit(in.capacity()); // absolute reads check the limit, which a WRITE's payload lowered
        if (in.getInt(rd) != REQUEST_MAGIC) {
            return end(CloseReason.BAD_MAGIC);
        }
        int flags = in.getShort(rd + 4) & 0xffff;
        int type = in.getShort(rd + 6) & 0xffff;
        long cookie = in.getLong(rd + 8);
        long offset = in.getLong(rd + 16);
        long length = in.getInt(rd + 24) & 0xffffffffL;
        rd += REQUEST_BYTES;
        if (type == CMD_DISC) {
            return dispatch(type, flags, cookie, offset, length);
        }
        // a snapshot waits for the request in progress, and the next one waits for the snapshot
        disk.enter();
        try {
            return dispatch(type, flags, cookie, offset, length);
        } finally {
            disk.exit();
        }
    }

    private boolean dispatch(int type, int flags, long cookie, long offset, long length) throws IOException {
        return switch (type) {
            case CMD_READ -> read(flags, cookie, offset, length);
            case CMD_WRITE -> write(flags, cookie, offset, length);
            case CMD_FLUSH -> flush(flags, cookie);
            case CMD_TRIM -> trim(flags, cookie, offset, length);
            case CMD_WRITE_ZEROES -> writeZeroes(flags, cookie, offset, length);
            case CMD_DISC -> end(CloseReason.DISCONNECT);
            default -> fail(cookie, RequestError.UNKNOWN_COMMAND, EINVAL);
        };
    }

    private boolean read(int flags, long cookie, long offset, long length) throws IOException {
        counters.reads.increment();
        if ((flags & ~CMD_FLAG_FUA) != 0) {
            return fail(cookie, RequestError.BAD_FLAGS, EINVAL);
        }
        if (length > MAX_PAYLOAD) {
            return fail(cookie, RequestError.TOO_LARGE, EINVAL);
        }
        if (!disk.inRange(offset, length)) {
            return fail(cookie, RequestError.OUT_OF_RANGE, EINVAL);
        }
        int len = (int) length;
        if (len >= LARGE) {
            return readSent(cookie, offset, len);
        }
        if (op + REPLY_BYTES + len > out.capacity()) {
            flushOut();
        }
        out.limit(op + REPLY_BYTES + len).position(op + REPLY_BYTES);
        int error = disk.read(out, offset);
        if (error != 0) {
            return fail(cookie, RequestError.IO_ERROR, error);
        }
        putReply(cookie, 0);
        op += len;
        counters.bytesRead.add(len);
        return true;
    }

    /**
     * A large read goes from the page cache to the socket with {@code sendfile(2)}, each run of
     * blocks from the layer that holds it: no copy through a buffer of ours, and the kernel sends it
     * in pieces as the client drains the socket, where a {@code pread} of the whole range followed by
     * a {@code write} made the client wait for the first before the second began. The files are
     * checked to hold the range before the header goes, so a short file is still answered with an
     * error; one that fails after the header promised the data leaves no way to tell the client, and
     * the protocol asks for a hard disconnect then. The sending holds the device's I/O lock as every
     * request does (the layers it reads must not be merged away under it), so a client that stops
     * reading in the middle of a reply larger than its socket buffer holds a snapshot off until the
     * snapshot's wait gives up.
     */
    private boolean readSent(long cookie, long offset, int len) throws IOException {
        if (!sources(offset, len, holds)) {
            return fail(cookie, RequestError.IO_ERROR, EIO);
        }
        putReply(cookie, 0);
        flushOut();
        if (!sources(offset, len, send)) {
            counters.error(RequestError.IO_ERROR);
            return end(CloseReason.IO_ERROR);
        }
        counters.bytesRead.add(len);
        return true;
    }

    /** Each run of the range, from the device's layers or straight from the file; false as soon as {@code s} says so. */
    private boolean sources(long offset, int len, Overlay.Source s) throws IOException {
        return disk.sources(offset, len, s);
    }

    private static boolean holds(FileChannel f, long pos, long length) {
        try {
            return f.size() >= pos + length;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean write(int flags, long cookie, long offset, long length) throws IOException {
        counters.writes.increment();
        if (length > MAX_PAYLOAD) {
            fail(cookie, RequestError.TOO_LARGE, EINVAL);
            return end(CloseReason.OVERSIZED_WRITE);
        }
        int len = (int) length;
        int error = 0;
        RequestError why = null; // a refusal's reason; null: a failed write's, from its error
        if ((flags & ~CMD_FLAG_FUA) != 0) {
            error = EINVAL;
            why = RequestError.BAD_FLAGS;
        } else if (backing.export.readOnly()) {
            error = EPERM;
            why = RequestError.READ_ONLY;
        } else if (!disk.inRange(offset, len)) {
            error = ENOSPC;
            why = RequestError.OUT_OF_RANGE;
        }
        if (error == 0 && len > LARGE) {
            return writeArriving(flags, cookie, offset, len);
        }
        // the payload is consumed whatever the answer, or the next request could not be found;
        // a short one is written whole once it is all here, so a client that goes in the middle
        // leaves the file as it was
        int done = 0;
        do {
            int n = Math.min(len - done, in.capacity());
            if (!fill(n, len <= LARGE)) {
                return end(CloseReason.TRUNCATED);
            }
            error = piece(n, offset + done, error);
            done += n;
        } while (done < len);
        return written(flags, cookie, len, error, why);
    }

    /**
     * A payload longer than {@link #LARGE} goes to the file as it arrives, in pieces of at least
     * {@code LARGE} bytes (the last may be shorter), each ending on a 4 KiB boundary of the disk so
     * that no piece starts a layer's block the next one completes (a copy-up for nothing). The
     * client's sending, the socket's drain and the copy into the page cache then overlap, where
     * reading the whole payload first made them follow each other. A client that goes in the
     * middle leaves the pieces written so far: a torn write, which a write it got no reply for may be.
     */
    private boolean writeArriving(int flags, long cookie, long offset, int len) throws IOException {
        PayloadPipe p = disk.layered() || disk.mirror() != null ? null : pipe();
        if (p != null) {
            return writeSpliced(p, flags, cookie, offset, len);
        }
        int error = 0;
        for (int done = 0; done < len; ) {
            int rest = len - done;
            if (!fill(Math.min(rest, LARGE), rest, false)) {
                return end(CloseReason.TRUNCATED);
            }
            int n = Math.min(wr - rd, rest);
            if (n < rest) {
                n = (int) (((offset + done + n) & -Layer.BLOCK) - (offset + done)); // n >= LARGE: stays > 0
            }
            error = piece(n, offset + done, error);
            done += n;
        }
        return written(flags, cookie, len, error, null);
    }

    /**
     * A large payload on a device without layers or a move in progress goes from the socket to the
     * file through the connection's pipe ({@link PayloadPipe}): copied once, into the page cache.
     * What came into the buffer with the header is written from there first. Then, as in {@link
     * #writeArriving}, what has arrived is written while the client sends the rest: the pipe is
     * emptied into the file whenever the socket has nothing more for now, and the thread waits
     * only with an empty pipe. A failed piece's error stands and the rest is taken and dropped.
     * A client that goes in the middle leaves the pieces written before.
     */
    private boolean writeSpliced(PayloadPipe p, int flags, long cookie, long offset, int len) throws IOException {
        int buffered = Math.min(wr - rd, len);
        int done = buffered; // taken from the socket: in the file, or in the pipe
        int error = done > 0 ? piece(done, offset, 0) : 0;
        while (done < len) {
            int got = p.fromSocket(len - done);
            if (got == 0) {
                if (p.held() > 0) {
                    error = emptyPipe(p, offset + done - p.held(), error);
                    continue;
                }
                flushOut();
                got = socket.splice(p, len - done);
            }
            if (got < 0) {
                p.drop();
                return end(CloseReason.TRUNCATED);
            }
            done += got;
        }
        error = emptyPipe(p, offset + len - p.held(), error);
        streaming = true;
        if (error == 0) {
            counters.bytesSpliced.add(len - buffered);
        }
        return written(flags, cookie, len, error, null);
    }

    /** Writes what the pipe holds at {@code at}, or drops it when {@code error} stands; returns the error after it. */
    private static int emptyPipe(PayloadPipe p, long at, int error) throws IOException {
        if (error != 0) {
            p.drop();
            return error;
        }
        return p.toFile(at);
    }

    /** The connection's pipe, made at its first large WRITE; null when splicing cannot be done here. */
    private PayloadPipe pipe() {
        if (!pipeTried) {
            pipeTried = true;
            pipe = PayloadPipe.open(socket.channel(), backing.export.file());
        }
        return pipe;
    }

    /**
     * Consumes {@code n} payload bytes at {@code rd}, writing them to the disk at {@code at} unless
     * {@code error} (a refusal, or an earlier piece's failure) stands; returns the error after it.
     */
    private int piece(int n, long at, int error) throws IOException {
        if (error == 0) {
            in.limit(rd + n).position(rd);
            error = disk.write(in, at);
        }
        rd += n;
        return error;
    }

    /** The reply to a WRITE whose payload was consumed ({@code why}: a refusal's reason, or null): FUA syncs first. */
    private boolean written(int flags, long cookie, int len, int error, RequestError why) throws IOException {
        // a refusal says why; a failed write says it from its error; a failed FUA sync is an I/O error
        RequestError reason = why != null ? why : error == ENOSPC ? RequestError.NO_SPACE : RequestError.IO_ERROR;
        if (error == 0 && (flags & CMD_FLAG_FUA) != 0) {
            error = disk.sync();
        }
        if (error != 0) {
            return fail(cookie, reason, error);
        }
        counters.bytesWritten.add(len);
        putReply(cookie, 0);
        return true;
    }

    private boolean flush(int flags, long cookie) throws IOException {
        counters.flushes.increment();
        if ((flags & ~CMD_FLAG_FUA) != 0) {
            return fail(cookie, RequestError.BAD_FLAGS, EINVAL);
        }
        int error = backing.export.readOnly() ? 0 : disk.sync();
        if (error != 0) {
            return fail(cookie, RequestError.IO_ERROR, error);
        }
        putReply(cookie, 0);
        return true;
    }

    /** TRIM punches a hole, giving the blocks back; where holes cannot be punched it does nothing (a hint). */
    private boolean trim(int flags, long cookie, long offset, long length) throws IOException {
        counters.trims.increment();
        if ((flags & ~CMD_FLAG_FUA) != 0) {
            return fail(cookie, RequestError.BAD_FLAGS, EINVAL);
        }
        if (backing.export.readOnly()) {
            return fail(cookie, RequestError.READ_ONLY, EPERM);
        }
        if (!disk.inRange(offset, length)) {
            return fail(cookie, RequestError.OUT_OF_RANGE, EINVAL);
        }
        int e = disk.trim(offset, length);
        return e != 0 ? fail(cookie, RequestError.IO_ERROR, e) : done(flags, cookie);
    }

    /**
     * WRITE_ZEROES punches a hole (reads back as zeros) unless NO_HOLE asks for the space to stay
     * allocated, then it zeroes the range in place (FALLOC_FL_ZERO_RANGE). Where the file system
     * can do neither, zeros are written, unless FAST_ZERO asked for an answer that is quicker than
     * writing: then ENOTSUP, and the file is left as it was.
     */
    private boolean writeZeroes(int flags, long cookie, long offset, long length) throws IOException {
        counters.zeroes.increment();
        if ((flags & ~(CMD_FLAG_FUA | CMD_FLAG_NO_HOLE | CMD_FLAG_FAST_ZERO)) != 0) {
            return fail(cookie, RequestError.BAD_FLAGS, EINVAL);
        }
        if (backing.export.readOnly()) {
            return fail(cookie, RequestError.READ_ONLY, EPERM);
        }
        if (!disk.inRange(offset, length)) {
            return fail(cookie, RequestError.OUT_OF_RANGE, ENOSPC);
        }
        int error = disk.zero(offset, length, (flags & CMD_FLAG_NO_HOLE) != 0, (flags & CMD_FLAG_FAST_ZERO) != 0);
        if (error != 0) {
            return fail(cookie, error == ENOTSUP ? RequestError.NOT_FAST
                    : error == ENOSPC ? RequestError.NO_SPACE : RequestError.IO_ERROR, error);
        }
        return done(flags, cookie);
    }

    /** Success for a request that changed the file without a payload: FUA syncs first. */
    private boolean done(int flags, long cookie) throws IOException {
        int error = (flags & CMD_FLAG_FUA) != 0 ? disk.sync() : 0;
        if (error != 0) {
            return fail(cookie, RequestError.IO_ERROR, error);
        }
        putReply(cookie, 0);
        return true;
    }

    private boolean fail(long cookie, RequestError why, int error) throws IOException {
        counters.error(why);
        putReply(cookie, error);
        return true;
    }

    private boolean end(CloseReason reason) {
        closeReason = reason;
        return false;
    }


    // --- socket --------------------------------------------------------------------------------

    /** Puts a reply header at the end of the output buffer (sending what is there when it is full). */
    private void putReply(long cookie, int error) throws IOException {
        if (op + REPLY_BYTES > out.capacity()) {
            flushOut();
        }
        out.limit(out.capacity());
        out.putInt(op, SIMPLE_REPLY_MAGIC).putInt(op + 4, error).putLong(op + 8, cookie);
        op += REPLY_BYTES;
    }

    private void flushOut() throws IOException {
        if (op == 0) {
            return;
        }
        out.limit(op).position(0);
        socket.writeFully(out);
        op = 0;
    }

    /**
     * Makes {@code n} unread bytes ({@code n <= in.capacity()}) available at {@code rd}; false at
     * end of stream. What is unread moves to the front only when {@code n} would not fit behind it.
     * {@code following}: the bytes are the rest of a request the client has begun (a short WRITE's
     * payload after its header, a header cut in two), which it sends microseconds later: they are
     * polled for before the thread sleeps ({@link SocketWait#read(ByteBuffer, boolean)}). Not the
     * rest of a large payload: that comes a socket buffer at a time, each after the client was woken
     * to send it, and polling for it may take the CPU from the client on a 2-core host (1 MiB writes
     * in a guest: 0.27-0.49 of the direct file in three runs with it, 0.60 in one before it; noisy,
     * but no gain to keep it for).
     */
    private boolean fill(int n, boolean following) throws IOException {
        return fill(n, n >= LARGE ? n : in.capacity(), following);
    }

    /** As {@link #fill(int, boolean)}, reading no further than {@code most} bytes past {@code rd} ({@code n <= most}). */
    private boolean fill(int n, int most, boolean following) throws IOException {
        if (wr - rd >= n) {
            return true;
        }
        if (rd == wr) {
            rd = 0;
            wr = 0;
        } else if (rd + n > in.capacity()) {
            in.limit(wr).position(rd);
            in.compact();
            wr -= rd;
            rd = 0;
        }
        flushOut();
        int limit = (int) Math.min(in.capacity(), (long) rd + most);
        while (wr - rd < n) {
            in.limit(limit).position(wr);
            int got = socket.read(in, following);
            if (got < 0) {
                return false;
            }
            wr += got;
        }
        return true;
    }
}
