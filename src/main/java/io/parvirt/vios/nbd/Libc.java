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
 * {@code SEEK_DATA}/{@code SEEK_HOLE}, {@code fallocate}), with the raw descriptor they take, bound
 * once through the FFM API. A call the C library lacks is null, and its users fall back.
 */
final class Libc {
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;

    /** Where a call with {@link #ERRNO} captured leaves {@code errno}. */
    static final StructLayout STATE = Linker.Option.captureStateLayout();
    static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** {@code off_t lseek(int fd, off_t offset, int whence)}. */
    static final MethodHandle LSEEK;
    /** {@code int fallocate(int fd, int mode, off_t offset, off_t len)}, {@code errno} captured in a {@link #STATE}. */
    static final MethodHandle FALLOCATE;

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
