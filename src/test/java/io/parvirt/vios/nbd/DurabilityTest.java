package io.parvirt.vios.nbd;

import static io.parvirt.vios.nbd.RawClient.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.vios.nbd.RawClient.Reply;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 6: FLUSH and FUA mean the data is on stable storage before the reply. What a test can see
 * is that the data is in the backing file when the reply arrives, and that the server synced the
 * file ({@code fdatasync}) before answering; a power cut cannot be staged here.
 */
@Tag("unit")
class DurabilityTest {
    @RegisterExtension
    final NbdRig rig = NbdRig.serving("lv01", 32L << 20);

    byte[] fileBytes(long offset, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(rig.disk().export().file(), StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining() && ch.read(b, offset + b.position()) >= 0) {
                // fill
            }
            return b.array();
        }
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void afterAFlushReplyTheWritesAreInTheFile() throws IOException {
        byte[] a = random(1 << 20, 1);
        byte[] b = random(4096, 2);
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            c.writeRequest(0, 1, 0, a);
            c.writeRequest(0, 2, 5 << 20, b);
            c.request(CMD_FLUSH, 0, 3, 0, 0);
            assertThat(c.reply()).isEqualTo(new Reply(0, 1));
            assertThat(c.reply()).isEqualTo(new Reply(0, 2));
            assertThat(c.reply()).isEqualTo(new Reply(0, 3));
            assertThat(rig.disk().counters().syncs()).as("one fdatasync, done before the FLUSH reply").isEqualTo(1);
            assertThat(fileBytes(0, a.length)).isEqualTo(a);
            assertThat(fileBytes(5 << 20, b.length)).isEqualTo(b);
        }
    }

    @Test
    void afterAFuaWriteReplyItsDataIsInTheFile() throws IOException {
        byte[] a = random(64 << 10, 3);
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            c.write(3 << 20, a, FLAG_FUA);
            assertThat(rig.disk().counters().syncs()).isEqualTo(1);
            assertThat(fileBytes(3 << 20, a.length)).isEqualTo(a);
            c.write(7 << 20, a, 0);
            assertThat(rig.disk().counters().syncs()).as("no sync without FUA").isEqualTo(1);
        }
    }

    @Test
    void aFlushOnOneConnectionCoversWritesDoneOnAnother() throws IOException {
        // CAN_MULTI_CONN: the client may write on one connection and flush on another
        byte[] a = random(256 << 10, 4);
        try (RawClient writer = RawClient.open(rig.disk().socket(), "lv01");
                RawClient flusher = RawClient.open(rig.disk().socket(), "lv01")) {
            assertThat(writer.transmissionFlags & Protocol.FLAG_CAN_MULTI_CONN).isNotZero();
            writer.write(9 << 20, a, 0);
            assertThat(flusher.command(CMD_FLUSH, 0, 0, 0)).isEqualTo(new Reply(0, 9));
            assertThat(fileBytes(9 << 20, a.length)).isEqualTo(a);
            assertThat(flusher.read(9 << 20, a.length)).isEqualTo(a);
        }
    }

    @Test
    void fuaOnTrimAndWriteZeroesSyncsToo() throws IOException {
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            byte[] ones = new byte[1 << 20];
            Arrays.fill(ones, (byte) 1);
            c.write(0, ones, 0);
            assertThat(c.command(CMD_TRIM, FLAG_FUA, 0, 64 << 10)).isEqualTo(new Reply(0, 9));
            assertThat(c.command(CMD_WRITE_ZEROES, FLAG_FUA | FLAG_NO_HOLE, 64 << 10, 64 << 10))
                    .isEqualTo(new Reply(0, 9));
            assertThat(rig.disk().counters().syncs()).isEqualTo(2);
            assertThat(fileBytes(64 << 10, 64 << 10)).isEqualTo(new byte[64 << 10]);
            assertThat(c.read(0, 64 << 10)).isEqualTo(new byte[64 << 10]);
        }
    }

    @Test
    void stoppingTheServerKeepsEveryAcknowledgedWrite() throws IOException {
        byte[] a = random(2 << 20, 5);
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            c.write(1 << 20, a, 0);
            rig.server.close();
        }
        assertThat(fileBytes(1 << 20, a.length)).isEqualTo(a);
    }
}
