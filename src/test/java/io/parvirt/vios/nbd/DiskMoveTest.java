package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.testing.Await;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 19, disk migration: the storage server copies a served device to another file while a
 * client writes a counter stream to it (each 4 KiB block stamped with its write's sequence
 * number, TRIMs among them), mirroring every write, and the target is byte for byte what the
 * client wrote; the copy skips the source's holes; a cancel leaves the source as it was and
 * served, the target gone.
 */
@Tag("unit")
class DiskMoveTest {
    static final long SIZE = 64L << 20;
    static final int BLOCK = 4096;

    @RegisterExtension
    final NbdRig rig = NbdRig.serving("lv01", SIZE);

    /** What the client has written, block by block: the disk as it must read. */
    final byte[] model = new byte[(int) SIZE];

    static byte[] stamp(int seq) {
        byte[] b = new byte[BLOCK];
        ByteBuffer w = ByteBuffer.wrap(b);
        for (int i = 0; i < BLOCK / 8; i++) {
            w.putInt(seq).putInt(i);
        }
        return b;
    }

    /** Data in the first half of the disk (every other MiB, so the copy has extents and holes). */
    void prefill(RawClient c) throws Exception {
        for (long mib = 0; mib < 32; mib += 2) {
            for (int blk = 0; blk < 256; blk += 16) {
                long at = (mib << 20) + (long) blk * BLOCK;
                byte[] data = stamp((int) (at / BLOCK) + 1_000_000);
                c.write(at, data, 0);
                System.arraycopy(data, 0, model, (int) at, BLOCK);
            }
        }
        assertThat(c.command(RawClient.CMD_FLUSH, 0, 0, 0).error()).isZero();
    }

    /** The counter stream: writes all over the disk, every 50th a TRIM of one block. */
    Thread writer(RawClient c, AtomicBoolean go, AtomicInteger writes, AtomicReference<Throwable> failure) {
        return Thread.ofPlatform().start(() -> {
            try {
                for (int seq = 1; go.get(); seq++) {
                    long blk = (seq * 7919L) % (SIZE / BLOCK);
                    long at = blk * BLOCK;
                    if (seq % 50 == 0) {
                        assertThat(c.command(RawClient.CMD_TRIM, 0, at, BLOCK).error()).isZero();
                        Arrays.fill(model, (int) at, (int) at + BLOCK, (byte) 0);
                    } else {
                        byte[] data = stamp(seq);
                        c.write(at, data, 0);
                        System.arraycopy(data, 0, model, (int) at, BLOCK);
                    }
                    writes.incrementAndGet();
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
    }

    @Test
    void aDeviceMovedUnderACounterStreamIsOnTheTargetByteForByteAndStaysSparse() throws Exception {
        Path target = rig.dir.resolve("pool2").resolve(".lv01.moving");
        Files.createDirectories(target.getParent());
        AtomicBoolean go = new AtomicBoolean(true);
        AtomicInteger writes = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            prefill(c);
            Thread w = writer(c, go, writes, failure);
            Await.until("the writer runs", () -> writes.get() > 200 || !w.isAlive());
            DiskMove move = rig.server.move("lv01", target, 0);
            int atStart = writes.get();
            Await.until("the copy is done", Duration.ofSeconds(60), () -> move.state() != DiskMove.State.COPYING);
            assertThat(move.state()).as(move.reason()).isEqualTo(DiskMove.State.SYNCED);
            int atSync = writes.get();
            Await.until("writes go on after the copy (mirror only)", () -> writes.get() > atSync + 200 || !w.isAlive());
            go.set(false);
            w.join();
            assertThat(failure.get()).as("the client saw no error").isNull();
            assertThat(writes.get()).as("writes during the move").isGreaterThan(atStart);
            assertThat(c.command(RawClient.CMD_FLUSH, 0, 0, 0).error()).isZero();
            assertThat(move.copiedBytes()).isEqualTo(move.totalBytes());
            assertThat(move.totalBytes()).as("only the source's data extents are copied").isLessThan(SIZE);
            assertThat(Files.readAllBytes(rig.disk().export().file())).as("the source").isEqualTo(model);
            assertThat(Files.readAllBytes(target)).as("the target, every byte").isEqualTo(model);
            long targetData = DataExtents.of(target, SIZE).stream().mapToLong(DataExtents.Extent::length).sum();
            assertThat(targetData).as("the target keeps holes").isLessThan(SIZE);
            assertThatThrownBy(() -> rig.server.snapshot("lv01", "s1", 1)).hasMessageContaining("being moved");
            assertThatThrownBy(() -> rig.server.move("lv01", target.resolveSibling("again"), 0))
                    .hasMessageContaining("already being moved");
            assertThat(move.finish()).isTrue();
            assertThat(move.state()).isEqualTo(DiskMove.State.COMMITTED);
        }
        rig.server.stop("lv01");
        assertThat(Files.readAllBytes(target)).as("a committed target stays when the export stops").isEqualTo(model);
    }

    @Test
    void aCancelledMoveDeletesTheTargetAndTheSourceIsServedAsItWas() throws Exception {
        Path target = rig.dir.resolve(".lv01.moving");
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            prefill(c);
            DiskMove move = rig.server.move("lv01", target, 0);
            assertThat(move.cancel("cancelled")).isTrue();
            assertThat(move.state()).isEqualTo(DiskMove.State.CANCELLED);
            assertThat(target).doesNotExist();
            assertThat(move.finish()).as("a cancelled move is not committed").isFalse();
            byte[] after = stamp(42);
            c.write(0, after, 0); // served as before, no mirror left
            System.arraycopy(after, 0, model, 0, BLOCK);
            assertThat(c.read(0, BLOCK)).isEqualTo(after);
            assertThat(Files.readAllBytes(rig.disk().export().file())).isEqualTo(model);
            assertThat(target).doesNotExist();
            DiskMove again = rig.server.move("lv01", target, 0);
            Await.until("a second move may start and finishes", Duration.ofSeconds(60),
                    () -> again.state() == DiskMove.State.SYNCED);
            assertThat(Files.readAllBytes(target)).isEqualTo(model);
        }
        rig.server.stop("lv01");
        assertThat(target).as("a move not committed goes with the export").doesNotExist();
    }

    @Test
    void aTargetThatExistsIsRefusedAndNothingIsMade() throws Exception {
        Path target = rig.dir.resolve("taken");
        try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
            f.setLength(1);
        }
        assertThatThrownBy(() -> rig.server.move("lv01", target, 0)).hasMessageContaining("exists");
        assertThat(Files.size(target)).isEqualTo(1);
        assertThat(rig.server.moveOf("lv01")).isEmpty();
    }
}
