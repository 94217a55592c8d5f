package io.parvirt.vios.nbd;

import static io.parvirt.vios.nbd.Protocol.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Fixed newstyle negotiation on one connection, up to the start of transmission (byte layouts in
 * {@link Protocol}). The socket belongs to one export, so the only name that succeeds is that
 * export's (or the empty name, the "default export" that {@code nbd+unix:///?socket=...} asks
 * for). Any other name is refused with REP_ERR_UNKNOWN, which is all a client of another socket
 * learns: NBD_OPT_LIST too shows only this socket's export.
 *
 * <p>Options are read exactly, never ahead: the first request of transmission may follow the
 * final reply at once, and it belongs to {@link Transmission}'s buffer. Negotiation happens once
 * per connection, so the buffers here are small heap buffers, not the data path's.
 */
final class Handshake {
    private static final byte[] NO_ZEROES = new byte[124];

    private final SocketChannel channel;
    private final BackingFile backing;
    private final ByteBuffer header = ByteBuffer.allocate(OPTION_HEADER_BYTES);
    private final ByteBuffer data = ByteBuffer.allocate(MAX_OPTION_BYTES);
    private CloseReason closeReason = CloseReason.CLIENT_GONE;
    private boolean noZeroes;

    Handshake(SocketChannel channel, BackingFile backing) {
        this.channel = channel;
        this.backing = backing;
    }

    /** Why negotiation ended without transmission (meaningful once {@link #negotiate} returned false). */
    CloseReason closeReason() {
        return closeReason;
    }

    /** True when the client chose this export and transmission starts. */
    boolean negotiate() throws IOException {
        send(ByteBuffer.allocate(18).putLong(NBDMAGIC).putLong(IHAVEOPT)
                .putShort((short) (FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES)).flip());
        ByteBuffer flags = ByteBuffer.allocate(4);
        if (!readFully(flags)) {
            return false;
        }
        int clientFlags = flags.getInt(0);
        if ((clientFlags & ~(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES)) != 0) {
            return end(CloseReason.BAD_CLIENT_FLAGS);
        }
        noZeroes = (clientFlags & FLAG_C_NO_ZEROES) != 0;
        while (true) {
            header.clear();
            if (!readFully(header)) {
                return false;
            }
            if (header.getLong(0) != IHAVEOPT) {
                return end(CloseReason.BAD_MAGIC);
            }
            int option = header.getInt(8);
            long length = header.getInt(12) & 0xffffffffL;
            if (length > MAX_OPTION_BYTES) {
                // answering would mean reading up to 4 GiB the client should not have sent
                return end(CloseReason.OPTION_TOO_LARGE);
            }
            data.clear().limit((int) length);
            if (!readFully(data)) {
                closeReason = CloseReason.TRUNCATED;
                return false;
            }
            data.flip();
            switch (option) {
                case OPT_EXPORT_NAME -> {
                    return exportName();
                }
                case OPT_ABORT -> {
                    ack(option);
                    return end(CloseReason.ABORT);
                }
                case OPT_LIST -> list();
                case OPT_INFO, OPT_GO -> {
                    if (info(option) && option == OPT_GO) {
                        return true;
                    }
                }
                default -> error(option, REP_ERR_UNSUP, "option " + option + " is not supported");
            }
        }
    }

    private boolean exportName() throws IOException {
        if (!isOurs(StandardCharsets.UTF_8.decode(data).toString())) {
            return end(CloseReason.UNKNOWN_EXPORT); // this option cannot carry an error: the protocol says close
        }
        ByteBuffer b = ByteBuffer.allocate(10 + (noZeroes ? 0 : NO_ZEROES.length));
        b.putLong(backing.size).putShort((short) backing.transmissionFlags);
        if (!noZeroes) {
            b.put(NO_ZEROES);
        }
        send(b.flip());
        return true;
    }

    private void list() throws IOException {
        if (data.hasRemaining()) {
            error(OPT_LIST, REP_ERR_INVALID, "NBD_OPT_LIST takes no data");
            return;
        }
        byte[] name = backing.export.name().getBytes(StandardCharsets.UTF_8);
        reply(OPT_LIST, REP_SERVER, ByteBuffer.allocate(4 + name.length).putInt(name.length).put(name).flip());
        ack(OPT_LIST);
    }

    /** NBD_OPT_INFO or NBD_OPT_GO; true when it ended with REP_ACK. */
    private boolean info(int option) throws IOException {
        // u32 name length | name | u16 number of requests | u16 each
        if (data.remaining() < 6) {
            return invalid(option, "option data too short");
        }
        long nameLength = data.getInt() & 0xffffffffL;
        if (nameLength > data.remaining() - 2) {
            return invalid(option, "name length past the option's end");
        }
        byte[] name = new byte[(int) nameLength];
        data.get(name);
        int requests = data.getShort() & 0xffff;
        if (data.remaining() != 2 * requests) {
            return invalid(option, "information requests do not fill the option");
        }
        String wanted = new String(name, StandardCharsets.UTF_8);
        if (!isOurs(wanted)) {
            error(option, REP_ERR_UNKNOWN, "no export '" + wanted + "' on this socket");
            return false;
        }
        reply(option, REP_INFO, ByteBuffer.allocate(12).putShort((short) INFO_EXPORT).putLong(backing.size)
                .putShort((short) backing.transmissionFlags).flip());
        for (int i = 0; i < requests; i++) {
            int type = data.getShort() & 0xffff;
            if (type == INFO_NAME) {
                byte[] ours = backing.export.name().getBytes(StandardCharsets.UTF_8);
                reply(option, REP_INFO, ByteBuffer.allocate(2 + ours.length).putShort((short) INFO_NAME).put(ours).flip());
            } else if (type == INFO_BLOCK_SIZE) {
                reply(option, REP_INFO, ByteBuffer.allocate(14).putShort((short) INFO_BLOCK_SIZE).putInt(MIN_BLOCK)
                        .putInt(PREFERRED_BLOCK).putInt(MAX_PAYLOAD).flip());
            }
            // other requests are ignored, as the protocol asks
        }
        ack(option);
        return true;
    }

    private boolean isOurs(String name) {
        return name.isEmpty() || name.equals(backing.export.name());
    }

    private boolean invalid(int option, String why) throws IOException {
        error(option, REP_ERR_INVALID, why);
        return false;
    }

    private boolean end(CloseReason reason) {
        closeReason = reason;
        return false;
    }

    private void ack(int option) throws IOException {
        reply(option, REP_ACK, ByteBuffer.allocate(0));
    }

    /** An error reply; its text is for the person reading the client's message. */
    private void error(int option, int type, String message) throws IOException {
        reply(option, type, ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
    }

    private void reply(int option, int type, ByteBuffer payload) throws IOException {
        int length = payload.remaining();
        send(ByteBuffer.allocate(OPTION_REPLY_HEADER_BYTES + length).putLong(OPT_REPLY_MAGIC).putInt(option)
                .putInt(type).putInt(length).put(payload).flip());
    }

    private void send(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** Fills {@code b}; false at end of stream (CLIENT_GONE before the first byte, TRUNCATED after). */
    private boolean readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                closeReason = b.position() == 0 ? CloseReason.CLIENT_GONE : CloseReason.TRUNCATED;
                return false;
            }
        }
        return true;
    }
}
