package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: the storage server SIGKILLed while it moves a device (copying, capped at 4 MiB/s so
 * that the kill finds it mid-copy, a client writing all along): every write the client was told
 * was done is in the source, which a new server serves as before; the partial target is only a
 * stray file (the host daemon deletes it).
 */
@Tag("daemon")
class DiskMoveKillTest {
    static final long SIZE = 64L << 20;

    @TempDir
    Path tmp;

    @Test
    void aServerKilledMidCopyLeavesTheSourceWhole() throws Exception {
        Path sockets = Files.createDirectories(tmp.resolve("s"));
        Path disk = tmp.resolve("lv01");
        Path target = Files.createDirectories(tmp.resolve("pool2")).resolve(".lv01.moving");
        byte[] model = new byte[(int) SIZE];
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(SIZE);
            for (long at = 0; at < 32L << 20; at += 64 << 10) { // 32 MiB of data in 64 KiB runs, holes between
                byte[] b = DiskMoveTest.stamp((int) (at >>> 12));
                f.seek(at);
                f.write(b);
                System.arraycopy(b, 0, model, (int) at, b.length);
            }
        }
        String[] args = {"--socket-dir", sockets.toString(), "--export", "lv01=" + disk, "--control-socket",
                tmp.resolve("control.sock").toString(), "--pid-file", tmp.resolve("pid").toString(), "--log-dir",
                tmp.toString()};
        try (ServerProcess first = ServerProcess.start(args)) {
            first.awaitReady(tmp.resolve("pid"));
            try (RawClient c = RawClient.open(sockets.resolve("lv01.sock"), "lv01")) {
                SnapshotControl.call(tmp.resolve("control.sock"), "move", "lv01", Long.toString(4L << 20),
                        target.toString());
                Await.until("the copy is under way", Duration.ofSeconds(30), () -> SnapshotControl.call(
                        tmp.resolve("control.sock"), "move-status", "lv01").matches("COPYING [1-9][0-9]* .*"));
                for (int i = 0; i < 500; i++) { // mirrored writes, in the copied part and past it
                    long at = (i * 131L % (SIZE / 4096)) * 4096;
                    byte[] b = DiskMoveTest.stamp(5_000_000 + i);
                    c.write(at, b, 0);
                    System.arraycopy(b, 0, model, (int) at, b.length);
                }
                assertThat(SnapshotControl.call(tmp.resolve("control.sock"), "move-status", "lv01"))
                        .as("still copying when killed").startsWith("COPYING");
                first.process.destroyForcibly();
                assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        }
        assertThat(Files.readAllBytes(disk)).as("the source holds every acknowledged write").isEqualTo(model);
        Files.deleteIfExists(tmp.resolve("pid"));
        try (ServerProcess second = ServerProcess.start(args)) {
            second.awaitReady(tmp.resolve("pid"));
            try (RawClient c = RawClient.open(sockets.resolve("lv01.sock"), "lv01")) {
                for (long at = 0; at < SIZE; at += 1 << 20) {
                    byte[] want = java.util.Arrays.copyOfRange(model, (int) at, (int) at + (1 << 20));
                    assertThat(c.read(at, 1 << 20)).as("served from the source at %d", at).isEqualTo(want);
                }
            }
            assertThat(SnapshotControl.call(tmp.resolve("control.sock"), "move-status", "lv01"))
                    .as("no move outlives the server").isEqualTo("none");
        }
    }
}
