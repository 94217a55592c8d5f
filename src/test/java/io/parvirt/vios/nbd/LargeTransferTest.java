package io.parvirt.vios.nbd;

import static io.parvirt.vios.nbd.RawClient.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import io.parvirt.vios.nbd.RawClient.Reply;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 17, the large-request paths of {@link Transmission}: a READ of 64 KiB or more goes from the
 * files to the socket with sendfile, each run from the snapshot layer that holds it; a WRITE longer
 * than 64 KiB is written as it arrives. Each is checked against the buffered path or the bytes sent,
 * and for the errors that only these paths can meet.
 */
@Tag("unit")
class LargeTransferTest {
    static final long SIZE = 32L << 20;
    static final int MIB = 1 << 20;

    @RegisterExtension
    final NbdRig rig = NbdRig.serving("lv01", SIZE);

    @Test
    void aLargeReadAcrossLayersAndHolesIsTheBufferedReadByteForByte() throws Exception {
        byte[] disk = new byte[16 * MIB]; // what the client wrote, zeros elsewhere
        Random r = new Random(17);
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            writeRandom(c, disk, r, 0, 3 * MIB); // the base; 3..16 MiB a hole
            rig.server.snapshot("lv01", "s1", 1);
            writeRandom(c, disk, r, MIB + 512, MIB - 612); // layer 1, blocks partly written
            writeRandom(c, disk, r, 6 * MIB + 4096, 8192); // layer 1 over a hole of the base
            rig.server.snapshot("lv01", "s2", 2);
            writeRandom(c, disk, r, 2 * MIB - 4096, 3 * 4096); // layer 2 across layer 1's end
            assertThat(c.command(CMD_TRIM, 0, 2 * MIB + 65536, 131072)).isEqualTo(new Reply(0, 9)); // a hole in layer 2
            Arrays.fill(disk, 2 * MIB + 65536, 2 * MIB + 196608, (byte) 0);

            long at = 1000; // not on a block boundary
            int len = 8 * MIB;
            byte[] sent = c.read(at, len);
            byte[] buffered = new byte[len];
            for (int done = 0; done < len; done += 32 << 10) { // under 64 KiB: read through the buffer
                int n = Math.min(32 << 10, len - done);
                System.arraycopy(c.read(at + done, n), 0, buffered, done, n);
            }
            assertThat(sent).as("sendfile read").isEqualTo(buffered);
            assertThat(sent).as("what was written").isEqualTo(Arrays.copyOfRange(disk, (int) at, (int) at + len));
            assertThat(c.read(15 * MIB, MIB)).as("a run from the base's hole alone").isEqualTo(new byte[MIB]);
        }
        assertThat(rig.server.snapshots("lv01")).hasSize(2);
    }

    @Test
    void aWriteDeliveredInSmallPiecesReadsBackWhole() throws Exception {
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            sendInPieces(c, 4096 + 700, 3 * MIB + 5);
            rig.server.snapshot("lv01", "s1", 1); // and through a layer, whose blocks a piece may start
            sendInPieces(c, 2 * MIB - 300, MIB + 77);
        }
    }

    /**
     * One WRITE of {@code len} bytes sent a few hundred bytes at a time with pauses, so the server
     * meets its payload in many small pieces, then a READ in the same stream: the payload was
     * consumed exactly, and it is all in the file.
     */
    private void sendInPieces(RawClient c, long offset, int len) throws Exception {
        byte[] data = new byte[len];
        new Random(len).nextBytes(data);
        ByteBuffer all = ByteBuffer.allocate(28 + len + 28);
        all.put(header(CMD_WRITE, 0, 1, offset, len).flip()).put(data).put(header(CMD_READ, 0, 2, offset, len).flip());
        all.flip();
        for (int i = 0; all.hasRemaining(); i++) {
            ByteBuffer piece = all.slice().limit(Math.min(all.remaining(), 700 + i % 300));
            c.write(piece);
            all.position(all.position() + piece.limit());
            if (i % 100 == 0) {
                Thread.sleep(1);
            }
        }
        assertThat(c.reply()).isEqualTo(new Reply(0, 1));
        assertThat(c.reply()).isEqualTo(new Reply(0, 2));
        byte[] back = new byte[len];
        c.readExactly(len).get(back);
        assertThat(back).isEqualTo(data);
    }

    /**
     * Back-to-back 1 MiB-and-more WRITEs at offsets off every 4 KiB boundary, sent in one stream before
     * any reply is read (as QEMU does at depth 4): every payload but the part of the first that came
     * into the buffer with its header goes to the file by splice (the header after a spliced WRITE is
     * read alone, so its payload stays in the socket), and the file holds exactly the bytes sent.
     */
    @Test
    void streamedLargeWritesAreSplicedIntoTheFileByteForByte() throws Exception {
        int count = 6;
        byte[][] data = new byte[count][];
        long[] at = new long[count];
        ByteBuffer all = ByteBuffer.allocate(count * (28 + MIB + 4096) + 28);
        for (int i = 0; i < count; i++) {
            data[i] = new byte[MIB + 1000 * i + 3];
            new Random(i).nextBytes(data[i]);
            at[i] = 3L * MIB * i + 512 + 333 * i; // no two overlap; none on a 4 KiB boundary
            all.put(RawClient.header(CMD_WRITE, 0, 100 + i, at[i], data[i].length).flip()).put(data[i]);
        }
        all.put(RawClient.header(CMD_FLUSH, 0, 200, 0, 0).flip()).flip();
        long spliced = rig.disk().counters().bytesSpliced();
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            c.write(all); // the replies are 16 bytes each: they wait in the socket meanwhile
            for (int i = 0; i < count; i++) {
                assertThat(c.reply()).isEqualTo(new Reply(0, 100 + i));
            }
            assertThat(c.reply()).isEqualTo(new Reply(0, 200));
            assertThat(c.read(at[count - 1], data[count - 1].length)).as("read back through the server")
                    .isEqualTo(data[count - 1]);
        }
        try (FileChannel f = FileChannel.open(rig.disk().export().file(), StandardOpenOption.READ)) {
            for (int i = 0; i < count; i++) {
                ByteBuffer b = ByteBuffer.allocate(data[i].length + 2);
                f.read(b, at[i] - 1);
                assertThat(b.array()).as("write %d and the zeros either side", i)
                        .isEqualTo(withZerosAround(data[i]));
            }
        }
        long payload = Arrays.stream(data).mapToLong(d -> d.length).sum();
        assertThat(rig.disk().counters().bytesSpliced() - spliced).as("payload bytes spliced")
                .isBetween(payload - data[0].length, payload);
    }

    /** A client that goes in the middle of a spliced payload ends its connection; the next one is served. */
    @Test
    void aClientGoneInTheMiddleOfASplicedPayloadEndsOnlyItsConnection() throws Exception {
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            c.write(0, new byte[2 * MIB], 0); // the next header is read alone
            c.request(CMD_WRITE, 0, 5, MIB, 3 * MIB);
            c.write(ByteBuffer.allocate(MIB + 100));
        }
        Await.until("TRUNCATED counted", () -> rig.disk().counters().closes(CloseReason.TRUNCATED), v -> v == 1);
        byte[] d = new byte[MIB + 7];
        new Random(5).nextBytes(d);
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            c.write(4 * MIB + 1, d, 0);
            assertThat(c.read(4 * MIB + 1, d.length)).isEqualTo(d);
        }
    }

    private static byte[] withZerosAround(byte[] d) {
        byte[] b = new byte[d.length + 2];
        System.arraycopy(d, 0, b, 1, d.length);
        return b;
    }

    @Test
    void aFileShortOfTheRangeIsAnErrorBeforeTheHeaderAndEndsTheConnectionAfterIt() throws Exception {
        byte[] data = new byte[4 * MIB];
        new Random(3).nextBytes(data);
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            c.write(0, data, 0);
            c.request(CMD_READ, 0, 5, 0, 32 * MIB); // not read yet: the server blocks in sendfile, its socket buffer full
            Await.until("the READ in progress", () -> rig.disk().counters().reads.sum(), v -> v == 1);
            Thread.sleep(200);
            try (FileChannel f = FileChannel.open(rig.disk().export().file(), StandardOpenOption.WRITE)) {
                f.truncate(2 * MIB); // someone shortens the backing file under the transfer
            }
            assertThat(c.reply()).as("the header went before the file was shortened").isEqualTo(new Reply(0, 5));
            long got = c.drain(30_000);
            assertThat(got).as("bytes of the 32 MiB promised, then the hard disconnect the protocol asks for")
                    .isBetween(0L, 32L * MIB - 1);
        }
        Await.until("IO_ERROR counted", () -> rig.disk().counters().closes(CloseReason.IO_ERROR), v -> v == 1);
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            assertThat(c.command(CMD_READ, 0, 3 * MIB, MIB)).as("past the file's end, found before the header")
                    .isEqualTo(new Reply(5, 9));
            assertThat(c.read(MIB, MIB)).as("the connection goes on").isEqualTo(Arrays.copyOfRange(data, MIB, 2 * MIB));
        }
    }

    private static void writeRandom(RawClient c, byte[] disk, Random r, long offset, int len) throws IOException {
        byte[] d = new byte[len];
        r.nextBytes(d);
        c.write(offset, d, 0);
        System.arraycopy(d, 0, disk, (int) offset, len);
    }
}
