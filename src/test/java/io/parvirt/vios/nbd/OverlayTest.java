package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: a backing device's snapshots as copy-on-write layers on real files. Each test keeps a
 * model of the disk (a byte array) and compares every byte read through the layers with it.
 * Crashes are staged by opening the files again without closing (nothing flushed), or by
 * writing the chain file a crash would have left between two steps.
 */
@Tag("unit")
class OverlayTest {
    static final int SIZE = 8 << 20;

    @TempDir
    Path dir;

    Path disk() throws IOException {
        Path f = dir.resolve("lv01");
        if (!Files.exists(f)) {
            try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
                r.setLength(SIZE);
            }
        }
        return f;
    }

    /** Random writes of random sizes (some unaligned, some crossing blocks), the same on disk and model. */
    static void scribble(Overlay o, byte[] model, long seed, int count) {
        Random r = new Random(seed);
        for (int i = 0; i < count; i++) {
            int len = r.nextBoolean() ? 4096 * (1 + r.nextInt(40)) : 1 + r.nextInt(9000);
            int at = r.nextBoolean() ? r.nextInt(SIZE / 4096 - 41) * 4096 : r.nextInt(SIZE - len);
            byte[] b = new byte[len];
            r.nextBytes(b);
            assertThat(o.write(ByteBuffer.wrap(b), at)).isZero();
            System.arraycopy(b, 0, model, at, len);
        }
    }

    static void assertReads(Overlay o, byte[] model) {
        ByteBuffer all = ByteBuffer.allocate(SIZE);
        assertThat(o.read(all, 0)).isZero();
        assertThat(all.array()).as("every byte through the layers").isEqualTo(model);
        ByteBuffer part = ByteBuffer.allocate(5000);
        assertThat(o.read(part, 4093)).isZero(); // an unaligned read across three blocks
        byte[] want = new byte[5000];
        System.arraycopy(model, 4093, want, 0, 5000);
        assertThat(part.array()).isEqualTo(want);
    }

    @Test
    void aSnapshotKeepsTheDiskAsItWasWhileWritesGoOnAndRevertReturnsToIt() throws IOException {
        byte[] model = new byte[SIZE];
        byte[] atSnap;
        try (Overlay o = Overlay.open(disk(), true)) {
            scribble(o, model, 1, 200);
            assertThat(o.isPlain()).isTrue();
            atSnap = model.clone();
            o.snapshot("s1", 1);
            assertThat(o.isPlain()).isFalse();
            scribble(o, model, 2, 200);
            assertReads(o, model);
            o.revert("s1");
            assertReads(o, atSnap);
            assertThat(o.snapshots()).extracting(OverlayChain.Snapshot::name).containsExactly("s1");
        }
        try (Overlay again = Overlay.open(disk(), true)) {
            assertReads(again, atSnap); // the revert was durable
            assertThat(again.snapshots()).hasSize(1);
        }
    }

    static byte[] readBack(Overlay o) {
        ByteBuffer all = ByteBuffer.allocate(SIZE);
        o.read(all, 0);
        return all.array();
    }

    @Test
    void deletingAMiddleSnapshotMergesItsLayerAndKeepsTheOthersExact() throws IOException {
        byte[] model = new byte[SIZE];
        Map<String, byte[]> at = new LinkedHashMap<>();
        try (Overlay o = Overlay.open(disk(), true)) {
            for (int i = 1; i <= 3; i++) {
                scribble(o, model, 10 + i, 150);
                at.put("s" + i, model.clone());
                o.snapshot("s" + i, i);
            }
            scribble(o, model, 20, 150);
            Path snapDir = Overlay.dirOf(disk());
            long layersBefore = countLayers(snapDir);
            o.delete("s2");
            assertThat(countLayers(snapDir)).as("one layer merged away").isEqualTo(layersBefore - 1);
            assertReads(o, model);
            o.revert("s3");
            assertReads(o, at.get("s3"));
            o.revert("s1");
            assertReads(o, at.get("s1"));
            assertThatThrownBy(() -> o.revert("s2")).hasMessageContaining("no snapshot s2");
            o.delete("s1"); // the base absorbs its only child's blocks
            assertReads(o, at.get("s1"));
            o.revert("s3");
            assertReads(o, at.get("s3"));
        }
    }

    @Test
    void deletingEverySnapshotLeavesAPlainFileAtTheNextOpen() throws IOException {
        byte[] model = new byte[SIZE];
        try (Overlay o = Overlay.open(disk(), true)) {
            scribble(o, model, 30, 50);
            o.snapshot("a", 1);
            scribble(o, model, 31, 50);
            o.delete("a");
            assertReads(o, model);
        }
        try (Overlay o = Overlay.open(disk(), true)) {
            assertThat(o.isPlain()).isTrue();
            assertThat(Overlay.dirOf(disk())).doesNotExist();
            assertThat(Files.readAllBytes(disk())).as("the file itself holds the disk again").isEqualTo(model);
        }
    }

    @Test
    void aCrashLosesOnlyUnflushedWritesAndNeverShowsABlockWithoutItsData() throws IOException {
        byte[] model = new byte[SIZE];
        Overlay o = Overlay.open(disk(), true);
        scribble(o, model, 40, 100);
        o.snapshot("s", 1);
        byte[] atSnap = model.clone();
        scribble(o, model, 41, 100);
        assertThat(o.flush()).isZero();
        byte[] flushed = model.clone();
        scribble(o, model, 42, 100); // never flushed: their bits are only in memory
        try (Overlay crashed = Overlay.open(disk(), true)) {
            byte[] seen = readBack(crashed);
            for (int b = 0; b < SIZE / 4096; b++) {
                int from = b * 4096;
                boolean isFlushed = java.util.Arrays.equals(seen, from, from + 4096, flushed, from, from + 4096);
                boolean isLatest = java.util.Arrays.equals(seen, from, from + 4096, model, from, from + 4096);
                assertThat(isFlushed || isLatest).as("block %d is the flushed or the written content", b).isTrue();
            }
            crashed.revert("s");
            assertReads(crashed, atSnap);
        }
        o.close();
    }

    @Test
    void aDeleteCutShortByACrashIsFinishedAtOpen() throws IOException {
        byte[] model = new byte[SIZE];
        byte[] atS2;
        try (Overlay o = Overlay.open(disk(), true)) {
            scribble(o, model, 50, 80);
            o.snapshot("s1", 1);
            scribble(o, model, 51, 80);
            o.snapshot("s2", 2);
            atS2 = model.clone();
            scribble(o, model, 52, 80);
        }
        // the first step of "delete s1" only: the chain no longer names it, no layer merged yet
        Path snapDir = Overlay.dirOf(disk());
        OverlayChain c = OverlayChain.read(snapDir).orElseThrow();
        Map<String, OverlayChain.Snapshot> snaps = new LinkedHashMap<>(c.snapshots());
        snaps.remove("s1");
        new OverlayChain(c.size(), c.parents(), c.top(), snaps).write(snapDir);
        // and a layer made for a snapshot the crash kept from being named
        Layer.create(snapDir, 99, SIZE);
        try (Overlay o = Overlay.open(disk(), true)) {
            assertThat(o.snapshots()).extracting(OverlayChain.Snapshot::name).containsExactly("s2");
            assertThat(Layer.dataOf(snapDir, 99)).as("stray layer removed").doesNotExist();
            assertReads(o, model);
            o.revert("s2");
            assertReads(o, atS2);
        }
    }

    @Test
    void zeroingInALayerHidesTheLowerLayersBlocks() throws IOException {
        byte[] model = new byte[SIZE];
        try (Overlay o = Overlay.open(disk(), true)) {
            scribble(o, model, 60, 300);
            o.snapshot("s", 1);
            assertThat(o.zero(1000, 3 << 20)).isZero();
            java.util.Arrays.fill(model, 1000, 1000 + (3 << 20), (byte) 0);
            assertReads(o, model);
        }
    }

    @Test
    void aSecondServerOfTheSameDeviceSeesTheFirstOnesWritesAndSnapshotsAfterRefresh() throws IOException {
        // mobility: the source and the target VIOS serve one device on the shared pool, one after the other
        byte[] model = new byte[SIZE];
        try (Overlay source = Overlay.open(disk(), true)) {
            source.snapshot("s1", 1);
            try (Overlay target = Overlay.open(disk(), true)) {
                scribble(source, model, 70, 100);
                byte[] atS2 = model.clone();
                source.snapshot("s2", 2);
                scribble(source, model, 71, 100);
                assertThat(source.flush()).isZero(); // QEMU flushes its disks when migration completes
                target.refresh(); // the target's first client connects
                assertReads(target, model);
                assertThat(target.snapshots()).extracting(OverlayChain.Snapshot::name).containsExactly("s1", "s2");
                target.revert("s2");
                assertReads(target, atS2);
            }
        }
    }

    @Test
    void namesAreRefusedWithoutChangingAnything() throws IOException {
        try (Overlay o = Overlay.open(disk(), true)) {
            o.snapshot("s", 1);
            assertThatThrownBy(() -> o.snapshot("s", 2)).hasMessageContaining("snapshot s exists");
            assertThatThrownBy(() -> o.snapshot("../x", 2)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> o.delete("nope")).hasMessageContaining("no snapshot nope");
            assertThat(o.snapshots()).hasSize(1);
            assertThat(countLayers(Overlay.dirOf(disk()))).isEqualTo(1);
        }
    }

    static long countLayers(Path snapDir) throws IOException {
        try (var s = Files.list(snapDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".data")).count();
        }
    }
}
