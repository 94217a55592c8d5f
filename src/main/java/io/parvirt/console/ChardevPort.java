package io.parvirt.console;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * parvirt's end of QEMU's serial chardev ({@code -chardev socket,server=on,wait=off}): QEMU serves
 * a Unix stream socket and talks to one client at a time; while none is connected QEMU discards
 * the guest's output. The output loop reads the connection; anyone may send input through it.
 */
final class ChardevPort implements AutoCloseable {
    private final UnixDomainSocketAddress address;
    private final ConsoleCounters counters;
    // vterm input and write() both send: a chunk must reach QEMU whole, not interleaved with another
    private final ReentrantLock sending = new ReentrantLock();
    private volatile SocketChannel channel;
    private volatile boolean closed;

    ChardevPort(Path socket, ConsoleCounters counters) {
        this.address = UnixDomainSocketAddress.of(socket);
        this.counters = counters;
    }

    /** Connects once; fails at once while QEMU has not yet created or no longer serves the socket. */
    SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(address);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        channel = ch;
        if (closed) { // close() ran while we connected and could not see this channel
            disconnect(ch);
            throw new ClosedChannelException();
        }
        return ch;
    }

    void disconnect(SocketChannel ch) {
        if (channel == ch) {
            channel = null;
        }
        try {
            ch.close();
        } catch (IOException e) {
            // nothing is left to release
        }
    }

    /**
     * Sends the buffer's remaining bytes to the guest. Blocks while QEMU does not read (the guest's
     * UART is full): backpressure to whoever types. Without a connection the bytes are dropped.
     */
    void send(ByteBuffer input) {
        int n = input.remaining();
        sending.lock();
        try {
            SocketChannel ch = channel;
            if (ch != null) {
                while (input.hasRemaining()) {
                    ch.write(input);
                }
            }
        } catch (IOException e) {
            // the connection dropped under us; the output loop sees it too and reconnects
        } finally {
            sending.unlock();
            counters.inputBytes.addAndGet(n - input.remaining());
            counters.droppedInputBytes.addAndGet(input.remaining());
        }
    }

    /** Stops for good: a blocked read or send returns at once. */
    @Override
    public void close() {
        closed = true;
        SocketChannel ch = channel;
        if (ch != null) {
            disconnect(ch);
        }
    }
}
