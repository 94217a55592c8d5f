package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately small NBD client written from the protocol, for the tests that must send what no
 * real client sends: bad magic, a half request, huge lengths, unknown commands. It speaks fixed
 * newstyle and simple replies only, and checks every reply's magic.
 */
final class RawClient implements AutoCloseable {
    static final int CMD_READ = 0;
    static final int CMD_WRITE = 1;
    static final int CMD_DISC = 2;
    static final int CMD_FLUSH = 3;
    static final int CMD_TRIM = 4;
    static final int CMD_WRITE_ZEROES = 6;
    static final int FLAG_FUA = 1;
    static final int FLAG_NO_HOLE = 2;
    static final int FLAG_FAST_ZERO = 16;

    /** One option reply. */
    record OptionReply(int option, int type, byte[] data) {
        boolean isError() {
            return type < 0;
        }
    }

    /** One simple reply's header. */
    record Reply(int error, long cookie) {
    }

    final SocketChannel channel;
    long size;
    int transmissionFlags;

    private RawClient(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects and does the greeting and client flags; options may follow. */
    static RawClient connect(Path socket) throws IOException {
        RawClient c = new RawClient(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        ByteBuffer greeting = c.readExactly(18);
        assertThat(greeting.getLong(0)).isEqualTo(Protocol.NBDMAGIC);
        assertThat(greeting.getLong(8)).isEqualTo(Protocol.IHAVEOPT);
        assertThat(greeting.getShort(16) & 0xffff).isEqualTo(Protocol.FLAG_FIXED_NEWSTYLE | Protocol.FLAG_NO_ZEROES);
        c.write(ByteBuffer.allocate(4).putInt(Protocol.FLAG_C_FIXED_NEWSTYLE | Protocol.FLAG_C_NO_ZEROES).flip());
        return c;
    }

    /** Connects and enters transmission with NBD_OPT_GO for {@code name}. */
    static RawClient open(Path socket, String name) throws IOException {
        RawClient c = connect(socket);
        List<OptionReply> replies = c.infoOrGo(Protocol.OPT_GO, name);
        assertThat(replies.getLast().type()).as("GO %s", name).isEqualTo(Protocol.REP_ACK);
        return c;
    }

    /** NBD_OPT_INFO or NBD_OPT_GO asking for the name and block sizes; every reply up to the final one. */
    List<OptionReply> infoOrGo(int option, String name) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer data = ByteBuffer.allocate(4 + n.length + 2 + 4).putInt(n.length).put(n).putShort((short) 2)
                .putShort((short) Protocol.INFO_NAME).putShort((short) Protocol.INFO_BLOCK_SIZE).flip();
        sendOption(option, data);
        List<OptionReply> replies = new ArrayList<>();
        while (true) {
            OptionReply r = readOptionReply();
            replies.add(r);
            if (r.type() == Protocol.REP_INFO && r.data().length == 12) {
                ByteBuffer b = ByteBuffer.wrap(r.data());
                if (b.getShort(0) == Protocol.INFO_EXPORT) {
                    size = b.getLong(2);
                    transmissionFlags = b.getShort(10) & 0xffff;
                }
            }
            if (r.type() != Protocol.REP_INFO) {
                return replies;
            }
        }
    }

    void sendOption(int option, ByteBuffer data) throws IOException {
        write(ByteBuffer.allocate(16 + data.remaining()).putLong(Protocol.IHAVEOPT).putInt(option)
                .putInt(data.remaining()).put(data).flip());
    }

    OptionReply readOptionReply() throws IOException {
        ByteBuffer h = readExactly(20);
        assertThat(h.getLong(0)).isEqualTo(Protocol.OPT_REPLY_MAGIC);
        byte[] data = new byte[h.getInt(16)];
        readExactly(data.length).get(data);
        return new OptionReply(h.getInt(8), h.getInt(12), data);
    }

    void request(int type, int flags, long cookie, long offset, long length) throws IOException {
        write(header(type, flags, cookie, offset, length).flip());
    }

    static ByteBuffer header(int type, int flags, long cookie, long offset, long length) {
        return ByteBuffer.allocate(28).putInt(Protocol.REQUEST_MAGIC).putShort((short) flags).putShort((short) type)
                .putLong(cookie).putLong(offset).putInt((int) length);
    }

    void writeRequest(int flags, long cookie, long offset, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(28 + data.length);
        b.put(header(CMD_WRITE, flags, cookie, offset, data.length).flip()).put(data);
        write(b.flip());
    }

    Reply reply() throws IOException {
        ByteBuffer h = readExactly(16);
        assertThat(h.getInt(0)).as("simple reply magic").isEqualTo(Protocol.SIMPLE_REPLY_MAGIC);
        return new Reply(h.getInt(4), h.getLong(8));
    }

    /** A READ and its data, asserting success. */
    byte[] read(long offset, int length) throws IOException {
        request(CMD_READ, 0, 7, offset, length);
        Reply r = reply();
        assertThat(r).isEqualTo(new Reply(0, 7));
        byte[] data = new byte[length];
        readExactly(length).get(data);
        return data;
    }

    /** A WRITE, asserting success. */
    void write(long offset, byte[] data, int flags) throws IOException {
        writeRequest(flags, 8, offset, data);
        assertThat(reply()).isEqualTo(new Reply(0, 8));
    }

    /** A command without payload; returns its reply. */
    Reply command(int type, int flags, long offset, long length) throws IOException {
        request(type, flags, 9, offset, length);
        return reply();
    }

    void disconnect() throws IOException {
        request(CMD_DISC, 0, 0, 0, 0);
    }

    void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    ByteBuffer readExactly(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new EOFException("server closed after " + b.position() + " of " + n + " bytes");
            }
        }
        return b.flip();
    }

    /** Reads until the server closes the connection; returns how many bytes came, or -1 if it is still open after {@code millis}. */
    long drain(long millis) throws IOException, InterruptedException {
        ByteBuffer b = ByteBuffer.allocate(64 << 10);
        long got = 0;
        long deadline = System.nanoTime() + millis * 1_000_000;
        channel.configureBlocking(false);
        try {
            for (int n; (n = channel.read(b.clear())) >= 0; got += n) {
                if (n == 0) {
                    if (System.nanoTime() > deadline) {
                        return -1;
                    }
                    Thread.sleep(5);
                }
            }
        } catch (IOException e) {
            // reset: closed all the same
        } finally {
            channel.configureBlocking(true);
        }
        return got;
    }

    /** True when the server has closed the connection (reads end of stream). */
    boolean closedByServer() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1);
        try {
            return channel.read(b) < 0;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
