package io.parvirt.vios.nbd;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * Reads and writes a connection's non-blocking socket, waiting in its own {@link Selector} when
 * the socket is not ready, after polling for a while when that is likely to pay.
 *
 * <p>Why poll: a client with one request in flight (a guest doing synchronous I/O) sends the next
 * request a few microseconds after our reply. A thread that sleeps in between must be woken on
 * its own core for every request, and on this kind of host (virtual CPUs, 2 cores) that wake-up
 * costs more than serving the request: measured with fio at queue depth 1, about 15 k reads/s
 * sleeping against 35-40 k polling. QEMU's iothreads solve the same problem the same way: they
 * poll their file descriptors before sleeping, adaptively, for at most 32 us by default.
 *
 * <p>The poll adapts, as QEMU's does: it starts at zero, so an idle connection never polls. A
 * wait that ends within the maximum poll time shows that polling would have found the request
 * without sleeping, and sets the poll time to the maximum; a poll that finds nothing halves it.
 * A client that sends a request every few microseconds keeps the thread polling (about one core
 * while it lasts); one that pauses longer keeps it sleeping.
 */
final class SocketWait {
    private static final Consumer<SelectionKey> READY = k -> { };
    private static final int SEND_BUFFER_BYTES = 4 << 20;

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final long maxPollNanos;
    private long pollNanos;
    private long sleeps;

    /** The channel, for a {@link PayloadPipe} of the connection. */
    SocketChannel channel() {
        return channel;
    }

    SocketWait(SocketChannel channel, Selector selector, long maxPollNanos) throws IOException {
        this.channel = channel;
        this.selector = selector;
        this.maxPollNanos = maxPollNanos;
        channel.configureBlocking(false);
        // a large READ's data goes out by sendfile as references to page-cache pages, not copies: a
        // socket buffer that holds a few 1 MiB replies lets the thread hand them over and go on,
        // where the default 208 KiB woke it several times per MiB (capped at net.core.wmem_max)
        channel.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER_BYTES);
        this.key = channel.register(selector, 0);
    }

    /** Reads what is there into {@code b}, waiting for at least one byte; -1 at end of stream. */
    int read(ByteBuffer b) throws IOException {
        return read(b, false);
    }

    /**
     * As {@link #read(ByteBuffer)}; {@code following}: the bytes are the rest of something the client
     * has begun to send, so they are polled for during the maximum poll time whatever the adaptive
     * one is (which they leave as it was). QEMU sends a WRITE's header and its payload in two calls:
     * a thread that slept on the header would otherwise often sleep again for the payload: one more
     * wake-up per request (issue 17: at queue depth 1 a 4 KiB write through the VIOS took 80 us
     * more than a read, where the directly attached file showed no difference).
     */
    int read(ByteBuffer b, boolean following) throws IOException {
        return await(b, null, 0, following);
    }

    /**
     * Moves up to {@code max} bytes from the socket into {@code pipe} (which must be empty, so that
     * nothing but an empty socket can stop it), waiting as {@link #read(ByteBuffer)} does for at least
     * one byte; -1 at end of stream. The socket's descriptor is the JDK's: the channel is checked to
     * be open after every select, because a close on another thread leaves the descriptor to our
     * selector, which releases it (and the kernel may reuse its number) during our own select.
     */
    int splice(PayloadPipe pipe, int max) throws IOException {
        return await(null, pipe, max, false);
    }

    /** One try at the socket: a read into {@code b}, or a splice into {@code pipe} when {@code b} is null. */
    private int attempt(ByteBuffer b, PayloadPipe pipe, int max) throws IOException {
        if (b != null) {
            return channel.read(b);
        }
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        return pipe.fromSocket(max);
    }

    private int await(ByteBuffer b, PayloadPipe pipe, int max, boolean following) throws IOException {
        int got = attempt(b, pipe, max);
        if (got != 0) {
            return got;
        }
        long poll = following ? Math.max(pollNanos, maxPollNanos) : pollNanos;
        if (poll > 0) {
            long deadline = System.nanoTime() + poll;
            do {
                Thread.onSpinWait();
                got = attempt(b, pipe, max);
                if (got != 0) {
                    return got;
                }
            } while (System.nanoTime() < deadline);
            if (!following) {
                pollNanos >>= 1;
            }
        }
        try {
            key.interestOps(SelectionKey.OP_READ);
        } catch (CancelledKeyException e) {
            throw new ClosedChannelException(); // closed by Endpoint.close
        }
        while (true) {
            long start = System.nanoTime();
            sleeps++;
            selector.select(READY);
            if (System.nanoTime() - start < maxPollNanos) {
                pollNanos = maxPollNanos; // a poll would have found it
            }
            got = attempt(b, pipe, max);
            if (got != 0) {
                return got;
            }
        }
    }

    /** How many times the thread has slept in the selector waiting for the client to send. */
    long sleeps() {
        return sleeps;
    }

    /** The current poll time (0: the next wait sleeps at once). */
    long pollNanos() {
        return pollNanos;
    }

    /**
     * Sends {@code length} bytes of {@code file} at {@code pos} with {@code sendfile(2)} (what
     * {@link FileChannel#transferTo} does for a socket), waiting while the client's socket buffer is
     * full; false when the file ends first (someone truncated it): the bytes are not there to send.
     */
    boolean transferFully(FileChannel file, long pos, long length) throws IOException {
        long end = pos + length;
        while (pos < end) {
            long n = file.transferTo(pos, end - pos, channel);
            if (n > 0) {
                pos += n;
                continue;
            }
            if (file.size() <= pos) {
                return false; // transferTo's 0 also means "past the end of the file"
            }
            key.interestOps(SelectionKey.OP_WRITE);
            selector.select(READY);
        }
        return true;
    }

    /** Writes all of {@code b}, waiting while the client's socket buffer is full. */
    void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                key.interestOps(SelectionKey.OP_WRITE);
                selector.select(READY);
            }
        }
    }
}
