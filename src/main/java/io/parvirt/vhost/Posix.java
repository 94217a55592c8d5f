package io.parvirt.vhost;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * The few libc calls a vhost-user port makes through the FFM API, none of which the JDK offers:
 * a Unix socket whose messages carry file descriptors ({@code SCM_RIGHTS}), {@code mmap} of the
 * guest's memory from those descriptors, and eventfds. Calls return libc's result ({@code -1} on
 * failure); the callers treat a failure as the end of the connection, so errno is not read.
 *
 * <pre>
 *  struct msghdr (x86-64, 56 bytes)           struct cmsghdr + SCM_RIGHTS payload
 *  0  msg_name        (void *)                0  cmsg_len   (size_t) = 16 + 4 * nfds
 *  8  msg_namelen     (u32, 4 bytes pad)      8  cmsg_level (int)    = SOL_SOCKET (1)
 *  16 msg_iov         (struct iovec *)        12 cmsg_type  (int)    = SCM_RIGHTS (1)
 *  24 msg_iovlen      (size_t)                16 int fds[nfds]
 *  32 msg_control     (void *)
 *  40 msg_controllen  (size_t)
 *  48 msg_flags       (int)
 * </pre>
 */
public final class Posix {
    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_CLOEXEC = 02000000;
    public static final int EFD_NONBLOCK = 04000;
    public static final int EFD_CLOEXEC = 02000000;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MFD_CLOEXEC = 1;
    public static final short POLLIN = 1;
    public static final int SHUT_RDWR = 2;
    public static final int MAX_FDS = 8;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int CMSG_HEADER = 16;
    public static final int CMSG_SPACE = CMSG_HEADER + 4 * MAX_FDS;
    public static final int MSGHDR = 56;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = SymbolLookup.libraryLookup("libc.so.6", Arena.global());
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout A = ValueLayout.ADDRESS;
    private static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(I, I, I, I));
    private static final MethodHandle BIND = fn("bind", FunctionDescriptor.of(I, I, A, I));
    private static final MethodHandle LISTEN = fn("listen", FunctionDescriptor.of(I, I, I));
    private static final MethodHandle ACCEPT4 = fn("accept4", FunctionDescriptor.of(I, I, A, A, I));
    private static final MethodHandle CONNECT = fn("connect", FunctionDescriptor.of(I, I, A, I));
    private static final MethodHandle RECVMSG = fn("recvmsg", FunctionDescriptor.of(L, I, A, I));
    private static final MethodHandle SENDMSG = fn("sendmsg", FunctionDescriptor.of(L, I, A, I));
    private static final MethodHandle SHUTDOWN = fn("shutdown", FunctionDescriptor.of(I, I, I));
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(I, I));
    private static final MethodHandle MMAP = fn("mmap", FunctionDescriptor.of(A, A, L, I, I, I, L));
    private static final MethodHandle MUNMAP = fn("munmap", FunctionDescriptor.of(I, A, L));
    private static final MethodHandle EVENTFD = fn("eventfd", FunctionDescriptor.of(I, I, I));
    private static final MethodHandle READ = fn("read", FunctionDescriptor.of(L, I, A, L));
    private static final MethodHandle WRITE = fn("write", FunctionDescriptor.of(L, I, A, L));
    private static final MethodHandle POLL = fn("poll", FunctionDescriptor.of(I, A, L, I));
    private static final MethodHandle MEMFD_CREATE = fn("memfd_create", FunctionDescriptor.of(I, A, I));
    private static final MethodHandle FTRUNCATE = fn("ftruncate", FunctionDescriptor.of(I, I, L));

    private Posix() {
    }

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name)), d);
    }

    /** A listening Unix stream socket at {@code path} (an old socket file there is replaced). */
    public static int listen(java.nio.file.Path path) throws IOException {
        java.nio.file.Files.deleteIfExists(path);
        int fd = (int) call(SOCKET, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        try (Arena a = Arena.ofConfined()) {
            if (fd < 0 || (int) call(BIND, fd, sockaddr(a, path), 110) < 0 || (int) call(LISTEN, fd, 1) < 0) {
                close(fd);
                throw new IOException("cannot listen on " + path);
            }
        }
        return fd;
    }

    /** Connects to a listening Unix socket; -1 when nobody listens. */
    public static int connect(java.nio.file.Path path) {
        int fd = (int) call(SOCKET, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        try (Arena a = Arena.ofConfined()) {
            if (fd >= 0 && (int) call(CONNECT, fd, sockaddr(a, path), 110) < 0) {
                close(fd);
                return -1;
            }
        }
        return fd;
    }

    private static MemorySegment sockaddr(Arena a, java.nio.file.Path path) throws IllegalArgumentException {
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        if (p.length > 107) {
            throw new IllegalArgumentException("socket path longer than 107 bytes: " + path);
        }
        MemorySegment s = a.allocate(110);
        s.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(p, 0, s, ValueLayout.JAVA_BYTE, 2, p.length);
        return s;
    }

    /** Blocks until a peer connects; -1 when the socket was shut down. */
    public static int accept(int listenFd) {
        return (int) call(ACCEPT4, listenFd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
    }

    /**
     * Receives into {@code buf[0, len)} with up to {@link #MAX_FDS} descriptors, which land in
     * {@code fds} (count in the return's high 32 bits; bytes read in the low 32). {@code scratch}
     * holds the msghdr, iovec and control buffer: {@link #MSGHDR} + 16 + {@link #CMSG_SPACE} bytes.
     * Returns -1 when the connection ended or failed.
     */
    public static long recv(int fd, MemorySegment buf, long len, MemorySegment scratch, int[] fds) {
        MemorySegment msg = message(scratch, buf, len);
        MemorySegment ctl = scratch.asSlice(MSGHDR + 16, CMSG_SPACE);
        msg.set(A, 32, ctl);
        msg.set(L, 40, CMSG_SPACE);
        long n = (long) call(RECVMSG, fd, msg, MSG_CMSG_CLOEXEC);
        if (n <= 0) {
            return -1;
        }
        int count = 0;
        long ctlLen = msg.get(L, 40);
        if (ctlLen >= CMSG_HEADER && ctl.get(I, 8) == SOL_SOCKET && ctl.get(I, 12) == SCM_RIGHTS) {
            count = (int) Math.min(MAX_FDS, (ctl.get(L, 0) - CMSG_HEADER) / 4);
            for (int i = 0; i < count; i++) {
                fds[i] = ctl.get(I, CMSG_HEADER + 4L * i);
            }
        }
        return ((long) count << 32) | n;
    }

    /** A msghdr in {@code scratch} with one iovec over {@code buf[0, len)}, its control buffer zeroed. */
    private static MemorySegment message(MemorySegment scratch, MemorySegment buf, long len) {
        MemorySegment msg = scratch.asSlice(0, MSGHDR).fill((byte) 0);
        MemorySegment iov = scratch.asSlice(MSGHDR, 16);
        scratch.asSlice(MSGHDR + 16, CMSG_SPACE).fill((byte) 0);
        iov.set(A, 0, buf);
        iov.set(L, 8, len);
        msg.set(A, 16, iov);
        msg.set(L, 24, 1);
        return msg;
    }

    /** Sends {@code buf[0, len)} with {@code nfds} descriptors from {@code fds}; false on failure. */
    public static boolean send(int fd, MemorySegment buf, long len, MemorySegment scratch, int[] fds, int nfds) {
        MemorySegment msg = message(scratch, buf, len);
        MemorySegment ctl = scratch.asSlice(MSGHDR + 16, CMSG_SPACE);
        if (nfds > 0) {
            ctl.set(L, 0, CMSG_HEADER + 4L * nfds);
            ctl.set(I, 8, SOL_SOCKET);
            ctl.set(I, 12, SCM_RIGHTS);
            for (int i = 0; i < nfds; i++) {
                ctl.set(I, CMSG_HEADER + 4L * i, fds[i]);
            }
            msg.set(A, 32, ctl);
            msg.set(L, 40, CMSG_HEADER + 4L * nfds);
        }
        return (long) call(SENDMSG, fd, msg, MSG_NOSIGNAL) == len;
    }

    public static void shutdown(int fd) {
        call(SHUTDOWN, fd, SHUT_RDWR);
    }

    public static void close(int fd) {
        if (fd >= 0) {
            call(CLOSE, fd);
        }
    }

    /** Maps {@code len} bytes of {@code fd} shared, read-write; NULL on failure. */
    public static MemorySegment mmap(int fd, long len) {
        MemorySegment p = (MemorySegment) call(MMAP, MemorySegment.NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0L);
        return p.address() == -1L ? MemorySegment.NULL : p.reinterpret(len);
    }

    public static void munmap(MemorySegment m) {
        call(MUNMAP, m, m.byteSize());
    }

    public static int eventfd() {
        return (int) call(EVENTFD, 0, EFD_NONBLOCK | EFD_CLOEXEC);
    }

    /** Adds one to an eventfd (a kick or an interrupt); {@code scratch}: 8 bytes. */
    public static void signal(int fd, MemorySegment scratch) {
        scratch.set(L, 0, 1L);
        try {
            long n = (long) WRITE.invokeExact(fd, scratch, 8L); // exact: no boxing on the data path
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Reads (and so clears) an eventfd; false when nothing was signalled. */
    public static boolean drain(int fd, MemorySegment scratch) {
        try {
            return (long) READ.invokeExact(fd, scratch, 8L) == 8;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** poll(2) over {@code n} struct pollfd in {@code fds} (8 bytes each). */
    public static int poll(MemorySegment fds, int n, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(fds, (long) n, timeoutMillis);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** An anonymous file of {@code size} bytes (what QEMU's memory-backend-memfd makes); -1 on failure. */
    public static int memfd(String name, long size) {
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) call(MEMFD_CREATE, a.allocateFrom(name), MFD_CLOEXEC);
            if (fd >= 0 && (int) call(FTRUNCATE, fd, size) < 0) {
                close(fd);
                return -1;
            }
            return fd;
        }
    }

    private static Object call(MethodHandle h, Object... args) {
        try {
            return h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
