package io.parvirt.vios.nbd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A connection's pipe through which a large WRITE's payload goes from the socket to the file with
 * {@code splice(2)} (issue 17): the socket's pages are handed to the pipe by reference and copied
 * once, into the page cache, where reading them into a buffer first copied them twice. A perf
 * profile of the connection thread under 1 MiB writes had 17-19 % of its samples in that first
 * copy.
 *
 * <p>{@code splice} needs the socket's descriptor, which the JDK keeps to itself: it is read once
 * per connection through {@code sun.nio.ch.SelChImpl.getFDVal}, which the storage server's JVM is
 * let see by {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} on its command line. Without
 * that flag, or without {@code splice}, {@link #open} gives null and the payload takes the
 * buffered path. The descriptor stays the connection's until the thread's own next select: a
 * channel registered with a selector is closed by that selector, not under a running call (see
 * {@link SocketWait#splice}).
 *
 * <p>The file gets a descriptor of its own (a {@code FileChannel} hides its descriptor too),
 * opened read-write for the connection and closed with the pipe.
 */
final class PayloadPipe implements AutoCloseable {
    /** Bytes the pipe holds; a 1 MiB payload fits whole (the unprivileged limit, {@code fs.pipe-max-size}). */
    static final int CAPACITY = 1 << 20;
    private static final MethodHandle FD_VAL = fdVal();

    private final int socket;
    private final int in;
    private final int out;
    private final int file;
    private final int capacity;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment state = arena.allocate(Libc.STATE);
    private final MemorySegment offset = arena.allocate(ValueLayout.JAVA_LONG);
    /** Bytes taken from the socket and not yet written to the file. */
    private int held;

    private PayloadPipe(int socket, int in, int out, int file, int capacity) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.file = file;
        this.capacity = capacity;
    }

    /** A pipe from {@code channel} to {@code path}; null when splicing cannot be done here (the caller buffers). */
    static PayloadPipe open(SocketChannel channel, Path path) {
        int socket = descriptor(channel);
        if (socket < 0 || Libc.SPLICE == null || Libc.PIPE2 == null) {
            return null;
        }
        int[] fds = new int[2];
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ValueLayout.JAVA_INT, 2);
            if ((int) Libc.PIPE2.invokeExact(p, Libc.O_CLOEXEC | Libc.O_NONBLOCK) != 0) {
                return null;
            }
            fds[0] = p.getAtIndex(ValueLayout.JAVA_INT, 0);
            fds[1] = p.getAtIndex(ValueLayout.JAVA_INT, 1);
        } catch (Throwable e) {
            return null;
        }
        int capacity;
        try {
            capacity = (int) Libc.FCNTL.invokeExact(fds[1], Libc.F_SETPIPE_SZ, CAPACITY);
            if (capacity < 0) { // fs.pipe-max-size set lower: the pipe keeps its own size, pieces are smaller
                capacity = (int) Libc.FCNTL.invokeExact(fds[1], Libc.F_GETPIPE_SZ, 0);
            }
        } catch (Throwable e) {
            capacity = -1;
        }
        int file = capacity > 0 ? Libc.open(path, Libc.O_RDWR) : -1;
        if (file < 0) {
            Libc.close(fds[0]);
            Libc.close(fds[1]);
            return null;
        }
        return new PayloadPipe(socket, fds[0], fds[1], file, capacity);
    }

    /** The descriptor of {@code channel} (it stays the channel's), or -1 when the JVM does not give it. */
    static int descriptor(SocketChannel channel) {
        if (FD_VAL == null) {
            return -1;
        }
        try {
            return (int) FD_VAL.invoke(channel);
        } catch (Throwable e) {
            return -1;
        }
    }

    /** {@code SelChImpl.getFDVal} when the JVM exports {@code sun.nio.ch} to us, else null. */
    private static MethodHandle fdVal() {
        try {
            Class<?> c = Class.forName("sun.nio.ch.SelChImpl");
            if (!c.getModule().isExported(c.getPackageName(), PayloadPipe.class.getModule())) {
                return null;
            }
            return MethodHandles.lookup().findVirtual(c, "getFDVal", MethodType.methodType(int.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Bytes in the pipe, not yet in the file. */
    int held() {
        return held;
    }

    /**
     * Moves up to {@code max} bytes from the socket into the pipe without waiting: the count, 0
     * when the socket has nothing now (or the pipe is full), -1 at end of stream.
     */
    int fromSocket(int max) throws IOException {
        int n = Math.min(max, capacity - held);
        if (n <= 0) {
            return 0;
        }
        while (true) {
            long got;
            try {
                got = (long) Libc.SPLICE.invokeExact(state, socket, MemorySegment.NULL, out, MemorySegment.NULL,
                        (long) n, Libc.SPLICE_F_MOVE | Libc.SPLICE_F_NONBLOCK);
            } catch (Throwable e) {
                throw new IOException("splice from the socket", e);
            }
            if (got > 0) {
                held += (int) got;
                return (int) got;
            }
            if (got == 0) {
                return -1; // the client closed its end
            }
            int errno = (int) Libc.ERRNO.get(state, 0L);
            if (errno == Libc.EAGAIN) {
                return 0;
            }
            if (errno != Libc.EINTR) {
                throw new IOException("splice from the socket failed: errno " + errno);
            }
        }
    }

    /**
     * Writes all the pipe holds to the file at {@code at}; 0, or the NBD error of the failed write
     * (ENOSPC or EIO; the bytes it left in the pipe are dropped, so the pipe is empty either way).
     */
    int toFile(long at) throws IOException {
        long pos = at;
        while (held > 0) {
            offset.set(ValueLayout.JAVA_LONG, 0, pos);
            long n;
            try {
                n = (long) Libc.SPLICE.invokeExact(state, in, MemorySegment.NULL, file, offset, (long) held,
                        Libc.SPLICE_F_MOVE);
            } catch (Throwable e) {
                throw new IOException("splice to the file", e);
            }
            if (n > 0) {
                held -= (int) n;
                pos += n;
                continue;
            }
            int errno = n == 0 ? 0 : (int) Libc.ERRNO.get(state, 0L);
            if (errno == Libc.EINTR) {
                continue;
            }
            drop();
            // NBD has few error values: no room in every form is ENOSPC, anything else EIO
            return errno == Libc.ENOSPC || errno == Libc.EDQUOT || errno == Libc.EFBIG ? Protocol.ENOSPC : Protocol.EIO;
        }
        return 0;
    }

    /** Empties the pipe into nothing: the rest of a payload whose write failed, or that the client left unfinished. */
    void drop() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sink = a.allocate(64 << 10);
            while (held > 0) {
                long n = (long) Libc.READ.invokeExact(in, sink, (long) Math.min(held, 64 << 10));
                if (n <= 0) {
                    throw new IOException("the pipe could not be emptied");
                }
                held -= (int) n;
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException("the pipe could not be emptied", e);
        }
    }

    @Override
    public void close() {
        Libc.close(in);
        Libc.close(out);
        Libc.close(file);
        arena.close();
    }
}
