package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NBD parsers, fuzzed (STYLE.md §12): sessions of mutated options and requests, some cut
 * short, some with bytes flipped, sent whole and then half-closed. Whatever arrives, the server
 * ends each session on its own, counts why, and still serves a well-behaved client the data it was
 * given. Seeded, so a failure repeats.
 */
@Tag("unit")
class NbdFuzzTest {
    static final int SESSIONS = 400;
    static final long SIZE = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void randomSessionsNeverStopTheServerOrLoseAcknowledgedData() throws Exception {
        try (NbdRig rig = new NbdRig(tmp)) {
            Endpoint disk = rig.serve("fuzz", SIZE);
            byte[] kept = new byte[4096];
            new Random(99).nextBytes(kept);
            // written to the last block, which the fuzzing sessions never touch
            try (RawClient c = RawClient.open(disk.socket(), "fuzz")) {
                c.write(SIZE - 4096, kept, RawClient.FLAG_FUA);
            }
            Random random = new Random(6);
            for (int i = 0; i < SESSIONS; i++) {
                session(disk.socket(), random, i);
            }
            Await.until("every fuzzing connection ended", () -> disk.counters().openConnections(), v -> v == 0);
            assertThat(disk.counters().closesByReason().values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(disk.counters().connections());
            try (RawClient c = RawClient.open(disk.socket(), "fuzz")) {
                assertThat(c.read(SIZE - 4096, 4096)).isEqualTo(kept);
                byte[] data = new byte[8192];
                Arrays.fill(data, (byte) 9);
                c.write(0, data, 0);
                assertThat(c.read(0, 8192)).isEqualTo(data);
            }
        }
    }

    /** One session: a greeting answered, maybe options, maybe transmission, then the write side closes. */
    private static void session(Path socket, Random r, int n) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(1 << 20);
        boolean valid = r.nextInt(4) != 0;
        out.putInt(valid ? Protocol.FLAG_C_FIXED_NEWSTYLE | Protocol.FLAG_C_NO_ZEROES : r.nextInt());
        int options = r.nextInt(4);
        for (int i = 0; i < options; i++) {
            option(out, r);
        }
        if (r.nextInt(3) != 0) {
            byte[] name = (r.nextBoolean() ? "fuzz" : "").getBytes(StandardCharsets.UTF_8);
            out.putLong(Protocol.IHAVEOPT).putInt(Protocol.OPT_GO).putInt(4 + name.length + 2).putInt(name.length)
                    .put(name).putShort((short) 0);
            int requests = r.nextInt(20);
            for (int i = 0; i < requests && out.remaining() > 400_000; i++) {
                request(out, r);
            }
        }
        out.flip();
        if (r.nextInt(5) == 0 && out.limit() > 0) {
            out.put(r.nextInt(out.limit()), (byte) r.nextInt()); // one flipped byte
        }
        if (r.nextInt(5) == 0 && out.limit() > 0) {
            out.limit(r.nextInt(out.limit())); // cut short
        }
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            Thread reader = Thread.ofVirtual().start(() -> drain(ch));
            try {
                while (out.hasRemaining()) {
                    ch.write(out);
                }
                ch.shutdownOutput();
            } catch (IOException closedByServer) {
                // the server may end a session before it has read all of it
            }
            reader.join(30_000);
            assertThat(reader.isAlive()).as("session %d ended by the server", n).isFalse();
        }
    }

    private static void option(ByteBuffer out, Random r) {
        int option = r.nextInt(13);
        int length = r.nextInt(10) == 0 ? r.nextInt() : r.nextInt(64);
        out.putLong(r.nextInt(10) == 0 ? r.nextLong() : Protocol.IHAVEOPT).putInt(option).putInt(length);
        byte[] data = new byte[Math.max(0, Math.min(length, 64))];
        r.nextBytes(data);
        if (option == Protocol.OPT_INFO && data.length >= 4) {
            ByteBuffer.wrap(data).putInt(r.nextInt(8)); // a name length that is sometimes right
        }
        out.put(data);
    }

    private static void request(ByteBuffer out, Random r) {
        int type = r.nextInt(10) < 8 ? r.nextInt(7) : r.nextInt(0x10000);
        int flags = r.nextInt(4) == 0 ? r.nextInt(0x10000) : r.nextInt(2);
        long offset = switch (r.nextInt(4)) {
            case 0 -> r.nextLong();
            case 1 -> SIZE - r.nextInt(8192);
            default -> r.nextInt((int) SIZE - 8192); // never the last block, which holds the kept data
        };
        long length = switch (r.nextInt(4)) {
            case 0 -> r.nextInt() & 0xffffffffL;
            case 1 -> r.nextInt(300_000);
            default -> r.nextInt(8192);
        };
        if ((type == 1 || type == 4 || type == 6) && offset >= SIZE - 8192 - length) {
            offset = 0; // writes stay clear of the kept block
        }
        out.put(RawClient.header(type, flags, r.nextLong(), offset, length).flip());
        if (type == 1) {
            byte[] payload = new byte[(int) Math.min(length, Math.min(out.remaining() - 1024, 300_000))];
            r.nextBytes(payload);
            out.put(payload);
        }
        if (r.nextInt(30) == 0) {
            out.putInt(r.nextInt()); // stray bytes: the next header is out of step
        }
    }

    private static void drain(SocketChannel ch) {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        try {
            while (ch.read(b.clear()) >= 0) {
                // replies are not checked here: the other tests check them
            }
        } catch (IOException e) {
            // reset by the server: also an end
        }
    }
}
