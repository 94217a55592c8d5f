package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: a snapshot of an export taken while a client writes is one point in the client's
 * sequence of writes: the client writes log block i+1, then the counter i, one request after
 * another, and the snapshot must hold a counter k with every log block up to k+1 and none past
 * k+2 (the one write that may have been between). The client never sees an error or a stall
 * longer than the pause.
 */
@Tag("unit")
class ServedSnapshotTest {
    static final int BLOCKS = 2000;

    @RegisterExtension
    final NbdRig rig = NbdRig.serving("lv01", 16L << 20);

    static byte[] block(int value) {
        return ByteBuffer.allocate(4096).putInt(value).array();
    }

    static int valueOf(byte[] b) {
        return ByteBuffer.wrap(b).getInt();
    }

    @Test
    void aSnapshotTakenUnderWritesIsOnePointOfTheirSequenceAndRevertReturnsToIt() throws Exception {
        AtomicBoolean go = new AtomicBoolean(true);
        AtomicInteger written = new AtomicInteger();
        Thread writer;
        try (RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            writer = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 1; i < BLOCKS && go.get(); i++) {
                        c.write((long) (i + 1) * 4096, block(i + 1), 0);
                        c.write(0, block(i), 0);
                        written.set(i);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            while (written.get() < 100 && writer.isAlive()) {
                Thread.onSpinWait();
            }
            long pause = rig.server.snapshot("lv01", "s1", 1);
            assertThat(pause).as("pause in ns").isPositive();
            while (written.get() < 300 && writer.isAlive()) {
                Thread.onSpinWait();
            }
            go.set(false);
            writer.join();
            assertThat(written.get()).as("the writer went on past the snapshot without an error").isGreaterThanOrEqualTo(300);
            int last = written.get();
            assertThat(valueOf(c.read(0, 4096))).isEqualTo(last);

            rig.server.revert("lv01", "s1");
            int k = valueOf(c.read(0, 4096));
            assertThat(k).as("the counter at the snapshot").isBetween(99, last - 1);
            for (int i = 2; i <= k + 1; i++) {
                assertThat(valueOf(c.read((long) i * 4096, 4096))).as("log block %d", i).isEqualTo(i);
            }
            for (int i = k + 3; i <= last + 1; i++) {
                assertThat(valueOf(c.read((long) i * 4096, 4096))).as("log block %d after the snapshot", i).isZero();
            }
            assertThat(rig.server.snapshots("lv01")).extracting(OverlayChain.Snapshot::name).containsExactly("s1");
            rig.server.deleteSnapshot("lv01", "s1");
            assertThat(valueOf(c.read(0, 4096))).as("deleting keeps the current state").isEqualTo(k);
        }
    }

    @Test
    void theControlSocketTakesListsRevertsAndDeletesAndRefusesInOneLine(@TempDir Path tmp) throws Exception {
        Path sock = tmp.resolve("control.sock");
        try (SnapshotControl control = SnapshotControl.open(sock, rig.server);
                RawClient c = RawClient.open(rig.disk().socket(), "lv01")) {
            c.write(0, block(1), 0);
            assertThat(Long.parseLong(SnapshotControl.call(sock, "snapshot", "lv01", "a", "1700000000000"))).isPositive();
            c.write(0, block(2), 0);
            assertThat(SnapshotControl.call(sock, "list", "lv01")).isEqualTo("a:1700000000000");
            assertThatThrownBy(() -> SnapshotControl.call(sock, "snapshot", "lv01", "a", "1"))
                    .hasMessage("snapshot a exists");
            assertThatThrownBy(() -> SnapshotControl.call(sock, "revert", "nope", "a"))
                    .hasMessageContaining("export nope: NOT_SERVED");
            assertThatThrownBy(() -> SnapshotControl.call(sock, "revert", "lv01", "b")).hasMessage("no snapshot b");
            assertThat(valueOf(c.read(0, 4096))).as("refusals changed nothing").isEqualTo(2);
            SnapshotControl.call(sock, "revert", "lv01", "a");
            assertThat(valueOf(c.read(0, 4096))).isEqualTo(1);
            SnapshotControl.call(sock, "delete", "lv01", "a");
            assertThat(SnapshotControl.call(sock, "list", "lv01")).isEmpty();
        }
        assertThat(sock).as("removed when closed").doesNotExist();
    }
}
