package io.parvirt.vswitch;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * One switch port on QEMU's {@code -netdev stream} transport: a Unix stream socket on which every
 * frame is preceded by its length (4 bytes, network order). QEMU listens; the port connects, and
 * connects again when QEMU was not listening yet or the connection broke, for as long as it is
 * attached. Its buffers are allocated once: frames are read into one and handed to the switch in
 * place; frames for the guest are appended to the other, and a full buffer refuses the frame (the
 * switch counts the drop) rather than growing: a guest that does not read cannot take memory.
 */
final class StreamPort implements FrameSink {
    /** Larger than any frame the switch forwards; a bigger length means the stream is corrupt. */
    static final int MAX_FRAME = 65536;
    private static final long RETRY_NANOS = 200_000_000L;

    final Path socket;
    final String lpar;
    final int slot;
    final VirtualSwitch vswitch;
    Port port;
    private final ByteBuffer in;
    private final ByteBuffer out;
    private SocketChannel channel;
    private SelectionKey key;
    private long retryAt;
    private boolean dirty;
    long connects;

    StreamPort(Path socket, String lpar, int slot, VirtualSwitch vswitch, int bufferBytes) {
        this.socket = socket;
        this.lpar = lpar;
        this.slot = slot;
        this.vswitch = vswitch;
        this.in = ByteBuffer.allocateDirect(Math.max(bufferBytes, 2 * (MAX_FRAME + 4)));
        this.out = ByteBuffer.allocateDirect(bufferBytes);
    }

    boolean connected() {
        return channel != null;
    }

    boolean dirty() {
        return dirty;
    }

    /** Tries to connect when it is time; false while QEMU is not listening. */
    boolean connect(Selector selector, long now) {
        if (channel != null || now < retryAt) {
            return channel != null;
        }
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket)); // a local connect: at once or refused
            ch.configureBlocking(false);
            key = ch.register(selector, SelectionKey.OP_READ, this);
            channel = ch;
            in.clear();
            out.clear();
            connects++;
            return true;
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // a socket that never connected
                }
            }
            retryAt = now + RETRY_NANOS;
            return false;
        }
    }

    long retryAt() {
        return retryAt;
    }

    /** Reads what QEMU sent and hands every whole frame to the switch. */
    void readable(long now) {
        try {
            if (channel.read(in) < 0) {
                broken(now);
                return;
            }
        } catch (IOException e) {
            broken(now);
            return;
        }
        in.flip();
        while (in.remaining() >= 4) {
            int start = in.position();
            int len = in.getInt(start);
            if (len < 0 || len > MAX_FRAME) {
                broken(now); // not a frame length: the stream is out of step
                return;
            }
            if (in.remaining() < 4 + len) {
                break;
            }
            int limit = in.limit();
            in.position(start + 4).limit(start + 4 + len);
            vswitch.receive(port, in);
            in.limit(limit).position(start + 4 + len);
        }
        in.compact();
    }

    @Override
    public boolean offer(ByteBuffer frame) {
        if (channel == null || out.remaining() < 4 + frame.remaining()) {
            return false;
        }
        int pos = frame.position();
        out.putInt(frame.remaining()).put(frame);
        frame.position(pos);
        dirty = true;
        return true;
    }

    /** Writes what is queued for QEMU; keeps the rest for when the socket can take it. */
    void flush(long now) {
        dirty = false;
        if (channel == null) {
            out.clear();
            return;
        }
        out.flip();
        try {
            channel.write(out);
        } catch (IOException e) {
            out.clear();
            broken(now);
            return;
        }
        out.compact();
        key.interestOps(out.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    /** The connection is gone (QEMU exited, or restarted its end): connect again later. */
    void broken(long now) {
        close();
        retryAt = now + RETRY_NANOS;
    }

    void close() {
        if (key != null) {
            key.cancel();
            key = null;
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
            channel = null;
        }
        in.clear();
        out.clear();
        dirty = false;
    }
}
