package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.parvirt.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 19: a move whose target file system fills up (a real one: a 4 MiB tmpfs mounted for the
 * test, which needs root, as the tests run here and in CI) fails on its own side only: the client
 * writing all along sees no error, the partial target is deleted, the source holds every write and
 * is served on, and the move's status says why.
 */
@Tag("daemon")
class DiskMoveFullTargetTest {
    static final long SIZE = 32L << 20;

    @RegisterExtension
    final NbdRig rig = NbdRig.serving("lv01", SIZE);
    Path mount;

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTargetThatFillsUpFailsTheMoveAndNotTheClient() throws Exception {
        Path dir = Files.createDirectories(rig.dir.resolve("small"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "mounting a tmpfs needs root");
        mount = dir;
        byte[] model = new byte[(int) SIZE];
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            for (long at = 0; at < 16L << 20; at += 4096) { // 16 MiB of data: four times the target's room
                byte[] b = DiskMoveTest.stamp((int) (at >>> 12));
                c.write(at, b, 0);
                System.arraycopy(b, 0, model, (int) at, b.length);
            }
            DiskMove move = rig.server.move("lv01", dir.resolve(".lv01.moving"), 0);
            for (int i = 0; i < 2000 && move.mirroring(); i++) { // the client writes on, and is never told of the target
                long at = (i * 97L % (SIZE / 4096)) * 4096;
                byte[] b = DiskMoveTest.stamp(9_000_000 + i);
                c.write(at, b, 0);
                System.arraycopy(b, 0, model, (int) at, b.length);
            }
            Await.until("the move fails", Duration.ofSeconds(60), () -> move.state() == DiskMove.State.FAILED);
            assertThat(move.reason()).containsIgnoringCase("no space");
            Await.until("the partial target is deleted", () -> Files.notExists(dir.resolve(".lv01.moving")));
            byte[] after = DiskMoveTest.stamp(77);
            c.write(SIZE - 4096, after, 0);
            System.arraycopy(after, 0, model, (int) (SIZE - 4096), after.length);
            assertThat(c.command(RawClient.CMD_FLUSH, 0, 0, 0).error()).isZero();
            assertThat(c.read(SIZE - 4096, 4096)).isEqualTo(after);
        }
        assertThat(Files.readAllBytes(rig.disk().export().file())).as("the source holds every write").isEqualTo(model);
    }
}
