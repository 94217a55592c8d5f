package io.parvirt.vios.nbd;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The C library calls the storage server needs and Java has none for ({@code lseek} with
 * {@code SEEK_DATA}/{@code SEEK_HOLE}, {@code fallocate}, {@code splice} and its pipe), with the raw
 * descriptor they take, bound once through the FFM API. A call the C library lacks is null, and its
 * users fall back.
 */
final class Libc {
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    static final int O_NONBLOCK = 0x800;
    static final int F_SETPIPE_SZ = 1031;
    static final int F_GETPIPE_SZ = 1032;
    static final int SPLICE_F_MOVE = 1;
    static final int SPLICE_F_NONBLOCK = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EFBIG = 27;
    static final int ENOSPC = 28;
    static final int EDQUOT = 122;

    /** Where a call with {@link #ERRNO} captured leaves {@code errno}. */
    static final StructLayout STATE = Linker.Option.captureStateLayout();
    static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** {@code off_t lseek(int fd, off_t offset, int whence)}. */
    static final MethodHandle LSEEK;
    /** {@code int fallocate(int fd, int mode, off_t offset, off_t len)}, {@code errno} captured in a {@link #STATE}. */
    static final MethodHandle FALLOCATE;
    /**
     * {@code ssize_t splice(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len,
     * unsigned flags)}, {@code errno} captured in a {@link #STATE}.
     */
    static final MethodHandle SPLICE;
    /** {@code int pipe2(int fds[2], int flags)}. */
    static final MethodHandle PIPE2;
    /** {@code ssize_t read(int fd, void *buf, size_t count)}. */
    static final MethodHandle READ;
    /** {@code int fcntl(int fd, int cmd, int arg)}. */
    static final MethodHandle FCNTL;
    /**
     * {@code ssize_t preadv(int fd, const struct iovec *iov, int iovcnt, off_t offset)} and
     * {@code pwritev}, {@code errno} captured in a {@link #STATE}; null where the C library lacks them.
     */
    static final MethodHandle PREADV;
    static final MethodHandle PWRITEV;
    /** {@code struct iovec}: {@code void *iov_base; size_t iov_len}. */
    static final int IOVEC = 16;
    /** The most buffers one preadv or pwritev takes (Linux's UIO_MAXIOV). */
    static final int IOV_MAX = 1024;

    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        OPEN = linker.downcallHandle(libc.find("open").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
        CLOSE = linker.downcallHandle(libc.find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        LSEEK = libc.find("lseek").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT))).orElse(null);
        FALLOCATE = libc.find("fallocate").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG), errno)).orElse(null);
        SPLICE = libc.find("splice").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), errno)).orElse(null);
        PIPE2 = libc.find("pipe2").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT))).orElse(null);
        READ = linker.downcallHandle(libc.find("read").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        FunctionDescriptor vectored = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG);
        PREADV = libc.find("preadv").map(s -> linker.downcallHandle(s, vectored, errno)).orElse(null);
        PWRITEV = libc.find("pwritev").map(s -> linker.downcallHandle(s, vectored, errno)).orElse(null);
        FCNTL = linker.downcallHandle(libc.find("fcntl").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
    }

    private Libc() {
    }

    /** A new descriptor of {@code file} opened with {@code flags} ({@code O_CLOEXEC} added), or -1. */
    static int open(Path file, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(file.toString());
            return (int) OPEN.invokeExact(path, flags | O_CLOEXEC, 0);
        } catch (Throwable e) {
            return -1;
        }
    }

    /** Closes {@code fd}; a failed close leaves nothing to do, the descriptor is gone either way. */
    static void close(int fd) {
        try {
            int rc = (int) CLOSE.invokeExact(fd);
        } catch (Throwable e) {
            // gone either way
        }
    }
}
