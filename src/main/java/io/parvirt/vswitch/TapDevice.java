package io.parvirt.vswitch;

import java.io.IOException;
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
import java.nio.charset.StandardCharsets;

/**
 * A Linux TAP interface, opened through {@code /dev/net/tun} with the FFM API: the JDK has no
 * channel for a character device's descriptor, and the frames must cross without a helper process.
 * Ethernet frames only ({@code IFF_TAP | IFF_NO_PI}: no packet-information header, no virtio-net
 * header, so the kernel hands over whole, segmented frames). The descriptor is non-blocking: a
 * read with nothing queued and a write the kernel cannot take both return at once.
 *
 * <p>Made persistent ({@code TUNSETPERSIST}), the interface outlives the descriptor, and so a
 * daemon that is killed: the administrator's addresses and bridge membership stay, and the
 * daemon that re-adopts the VIOS opens the same interface again. {@link #close(boolean)} with
 * {@code delete} ends it.
 */
final class TapDevice implements AutoCloseable {
    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final long TUNSETIFF = 0x400454caL;
    private static final long TUNSETPERSIST = 0x400454cbL;
    private static final int CLONE_NEWNET = 0x40000000;
    static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int EBUSY = 16;
    static final short POLLIN = 0x1;
    /** Linux's IFNAMSIZ less the terminating NUL. */
    static final int MAX_NAME = 15;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final MethodHandle OPEN = function("open", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = function("close", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));
    private static final MethodHandle IOCTL = function("ioctl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    private static final MethodHandle IOCTL_INT = function("ioctl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle READ = function("read", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE = function("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle POLL = function("poll", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle SETNS = function("setns", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle EVENTFD = function("eventfd", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private static MethodHandle function(String name, FunctionDescriptor d) {
        MemorySegment f = SymbolLookup.libraryLookup("libc.so.6", Arena.global()).find(name)
                .orElseThrow(() -> new IllegalStateException("libc has no " + name));
        return LINKER.downcallHandle(f, d, CAPTURE);
    }

    final String name;
    private final int fd;
    /** Errno of the last read or write (the switch loop's thread). */
    private final MemorySegment state = Arena.ofAuto().allocate(CALL_STATE);
    /** Errno of the last poll (the port's waiting thread). */
    private final MemorySegment pollState = Arena.ofAuto().allocate(CALL_STATE);
    private boolean closed;

    private TapDevice(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /**
     * Opens (creating it if need be) the persistent TAP interface {@code name}, in the network
     * namespace at {@code netns} (a path such as {@code /run/netns/NAME}) or, when null, in this
     * process's. The namespace is entered on a thread of its own that ends right after, so no other
     * thread of the daemon ever runs in it. An interface still held by a closing descriptor
     * (EBUSY) is waited for up to 2 s.
     */
    static TapDevice open(String name, String netns) throws IOException {
        if (name.isEmpty() || name.length() > MAX_NAME || name.contains("/") || name.contains(" ")) {
            throw new IOException("\"" + name + "\" is not a network interface name (1 to " + MAX_NAME
                    + " characters, no / or space)");
        }
        if (netns == null) {
            return openHere(name);
        }
        TapDevice[] out = new TapDevice[1];
        IOException[] err = new IOException[1];
        Thread t = Thread.ofPlatform().name("tap-open-" + name).start(() -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment st = a.allocate(CALL_STATE);
                int nsfd = (int) OPEN.invokeExact(st, a.allocateFrom(netns), O_CLOEXEC);
                if (nsfd < 0) {
                    throw new IOException("cannot open network namespace " + netns + ": " + errno(st));
                }
                int r = (int) SETNS.invokeExact(st, nsfd, CLONE_NEWNET);
                int e = (int) ERRNO.get(st, 0L);
                int ignored = (int) CLOSE.invokeExact(st, nsfd);
                if (r != 0) {
                    throw new IOException("cannot enter network namespace " + netns + ": " + strerror(e));
                }
                out[0] = openHere(name);
            } catch (IOException e) {
                err[0] = e;
            } catch (Throwable e) {
                err[0] = new IOException(e);
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening " + name, e);
        }
        if (err[0] != null) {
            throw err[0];
        }
        return out[0];
    }

    private static TapDevice openHere(String name) throws IOException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (true) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment st = a.allocate(CALL_STATE);
                int fd = (int) OPEN.invokeExact(st, a.allocateFrom("/dev/net/tun"), O_RDWR | O_NONBLOCK | O_CLOEXEC);
                if (fd < 0) {
                    throw new IOException("cannot open /dev/net/tun: " + errno(st)
                            + " (the daemon needs CAP_NET_ADMIN and the tun module)");
                }
                MemorySegment ifr = a.allocate(40); // struct ifreq: char ifr_name[16]; short ifr_flags
                byte[] n = name.getBytes(StandardCharsets.US_ASCII);
                MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, n.length);
                ifr.set(ValueLayout.JAVA_SHORT, 16, (short) (IFF_TAP | IFF_NO_PI));
                int r = (int) IOCTL.invokeExact(st, fd, TUNSETIFF, ifr);
                int e = (int) ERRNO.get(st, 0L);
                if (r == 0) {
                    r = (int) IOCTL_INT.invokeExact(st, fd, TUNSETPERSIST, 1L);
                    e = (int) ERRNO.get(st, 0L);
                }
                if (r == 0) {
                    return new TapDevice(name, fd);
                }
                int ignored = (int) CLOSE.invokeExact(st, fd);
                if (e == EBUSY && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                    continue;
                }
                throw new IOException("cannot make TAP interface " + name + ": " + strerror(e)
                        + (e == EBUSY ? " (another process holds it)" : e == 1 ? " (needs CAP_NET_ADMIN)" : ""));
            } catch (IOException e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while opening " + name, e);
            } catch (Throwable e) {
                throw new IOException(e);
            }
        }
    }

    /** One frame into {@code buf} (at most its size): its length, 0 when none is queued, -1 on error. */
    long read(MemorySegment buf) {
        try {
            long n = (long) READ.invokeExact(state, fd, buf, buf.byteSize());
            if (n < 0) {
                int e = (int) ERRNO.get(state, 0L);
                return e == EAGAIN || e == EINTR ? 0 : -1;
            }
            return n;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes one frame: true when the kernel took it. */
    boolean write(MemorySegment frame, long length) {
        try {
            return (long) WRITE.invokeExact(state, fd, frame, length) == length;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** The errno of the last failed read or write. */
    int lastErrno() {
        return (int) ERRNO.get(state, 0L);
    }

    /** The errno of the last failed poll, as text. */
    String lastPollError() {
        return strerror((int) ERRNO.get(pollState, 0L));
    }

    /**
     * Waits up to {@code millis} for a frame or for {@code wakeFd} (an eventfd) to be signalled;
     * returns the ready events of the TAP, 0 on timeout or wake-up, -1 when poll failed, -2 when
     * the TAP reports an error (POLLERR, POLLHUP: its interface was deleted under it).
     * {@code fds} is a caller-owned array of two {@code struct pollfd}.
     */
    int poll(MemorySegment fds, int wakeFd, int millis) {
        fds.set(ValueLayout.JAVA_INT, 0, fd);
        fds.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
        fds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        fds.set(ValueLayout.JAVA_INT, 8, wakeFd);
        fds.set(ValueLayout.JAVA_SHORT, 12, POLLIN);
        fds.set(ValueLayout.JAVA_SHORT, 14, (short) 0);
        try {
            int r = (int) POLL.invokeExact(pollState, fds, 2L, millis);
            if (r < 0) {
                return (int) ERRNO.get(pollState, 0L) == EINTR ? 0 : -1;
            }
            short tap = fds.get(ValueLayout.JAVA_SHORT, 6);
            return (tap & ~POLLIN) != 0 ? -2 : tap;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new eventfd (non-blocking, close-on-exec), for waking a {@link #poll}. */
    static int eventFd() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CALL_STATE);
            int fd = (int) EVENTFD.invokeExact(st, 0, O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) {
                throw new IOException("eventfd: " + errno(st));
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }

    /** Signals an eventfd made by {@link #eventFd}. */
    static void signal(int eventFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            long ignored = (long) WRITE.invokeExact(a.allocate(CALL_STATE), eventFd, one, 8L);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static void closeFd(int fd) {
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(a.allocate(CALL_STATE), fd);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Closes the descriptor; {@code delete} first clears persistence, so the interface goes with it. */
    void close(boolean delete) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (delete) {
                int ignored = (int) IOCTL_INT.invokeExact(state, fd, TUNSETPERSIST, 0L);
            }
            int ignored = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Closes the descriptor and keeps the interface. */
    @Override
    public void close() {
        close(false);
    }

    private static String errno(MemorySegment st) {
        return strerror((int) ERRNO.get(st, 0L));
    }

    private static String strerror(int errno) {
        return switch (errno) {
            case 1 -> "Operation not permitted (EPERM)";
            case 2 -> "No such file or directory (ENOENT)";
            case 13 -> "Permission denied (EACCES)";
            case 16 -> "Device or resource busy (EBUSY)";
            case 19 -> "No such device (ENODEV)";
            case 22 -> "Invalid argument (EINVAL)";
            default -> "errno " + errno;
        };
    }
}
