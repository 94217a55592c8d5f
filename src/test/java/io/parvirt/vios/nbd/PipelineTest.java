package io.parvirt.vios.nbd;

import static io.parvirt.vios.nbd.RawClient.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.vios.nbd.RawClient.Reply;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several requests in flight on one connection, and requests larger than the connection's 1 MiB
 * buffers (up to the 32 MiB maximum payload), which are streamed in pieces.
 */
@Tag("unit")
class PipelineTest {
    static final long SIZE = 64L << 20;

    @RegisterExtension
    final NbdRig rig = NbdRig.serving("lv01", SIZE);

    @Test
    void manyRequestsSentAtOnceAreAllAnsweredWithTheirCookies() throws IOException {
        Random random = new Random(7);
        byte[][] blocks = new byte[100][];
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            // 100 writes of assorted sizes, then 100 reads of the same, all sent before any reply is read
            ByteBuffer batch = ByteBuffer.allocate(40 << 20);
            for (int i = 0; i < 100; i++) {
                blocks[i] = new byte[1 + random.nextInt(300_000)];
                random.nextBytes(blocks[i]);
                batch.put(RawClient.header(CMD_WRITE, 0, i, (long) i << 19, blocks[i].length).flip()).put(blocks[i]);
            }
            for (int i = 0; i < 100; i++) {
                batch.put(RawClient.header(CMD_READ, 0, 1000 + i, (long) i << 19, blocks[i].length).flip());
            }
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    c.write(batch.flip());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            for (int i = 0; i < 100; i++) {
                assertThat(c.reply()).isEqualTo(new Reply(0, i));
            }
            for (int i = 0; i < 100; i++) {
                assertThat(c.reply()).isEqualTo(new Reply(0, 1000 + i));
                byte[] data = new byte[blocks[i].length];
                c.readExactly(data.length).get(data);
                assertThat(data).as("block %d", i).isEqualTo(blocks[i]);
            }
            sender.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void requestsLargerThanTheBufferUpToTheMaximumPayloadRoundTrip() throws IOException {
        byte[] big = new byte[32 << 20];
        new Random(8).nextBytes(big);
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            c.write(16 << 20, big, 0);
            assertThat(c.read(16 << 20, big.length)).isEqualTo(big);
            byte[] mid = Arrays.copyOfRange(big, 3, 3 + (3 << 20) + 5);
            assertThat(c.read((16 << 20) + 3, mid.length)).as("unaligned and odd-sized").isEqualTo(mid);
            assertThat(c.read(0, 0)).isEmpty();
        }
        byte[] file = Files.readAllBytes(rig.disk().export().file());
        assertThat(Arrays.copyOfRange(file, 16 << 20, 48 << 20)).isEqualTo(big);
        assertThat(rig.disk().counters().bytesWritten()).isEqualTo(big.length);
    }

    @Test
    void aWriteZeroesOverTheWholeExportIsOneRequest() throws IOException {
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            byte[] ones = new byte[1 << 20];
            Arrays.fill(ones, (byte) 0xff);
            for (long at = 0; at < SIZE; at += ones.length) {
                c.write(at, ones, 0);
            }
            assertThat(c.command(CMD_WRITE_ZEROES, FLAG_FAST_ZERO, 0, SIZE)).isEqualTo(new Reply(0, 9));
            assertThat(c.read(SIZE - (1 << 20), 1 << 20)).isEqualTo(new byte[1 << 20]);
        }
        assertThat(QemuClientTest.allEqual(Files.readAllBytes(rig.disk().export().file()), 0, (int) SIZE, (byte) 0)).isTrue();
    }
}
