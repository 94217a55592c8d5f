package io.parvirt.vios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.model.ModelException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: a not-activated partition's disk snapshots, taken on the VIOS's files (its storage
 * server not running): every disk at one name, refusals before any change, revert and delete.
 */
@Tag("unit")
class DiskSnapshotsTest {
    @TempDir
    Path dir;
    ViosRig r;
    DiskSnapshots snaps;

    @BeforeEach
    void setUp() {
        r = ViosRig.defined(dir);
        r.ok("mksp -fb pool1 -size 10G");
        r.ok("mkbdsp -sp pool1 64M -bd bd1 -vadapter vhost0");
        r.ok("mkbdsp -sp pool1 64M -bd bd2 -vadapter vhost0");
        r.ok("mkvdev -fbo -vadapter vhost0"); // a CD drive: no snapshot of it
        snaps = new DiskSnapshots(r.vios, id -> Optional.empty());
    }

    @AfterEach
    void tearDown() {
        r.close();
    }

    void put(String bd, int value) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(r.file("2/pools/pool1/" + bd).toFile(), "rw")) {
            f.seek(4096);
            f.writeInt(value);
        }
    }

    int get(String bd) throws IOException {
        Path file = r.file("2/pools/pool1/" + bd);
        try (io.parvirt.vios.nbd.Overlay o = io.parvirt.vios.nbd.Overlay.open(file, false)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4);
            o.read(b, 4096);
            return b.getInt(0);
        }
    }

    @Test
    void everyDiskOfThePartitionIsSnapshottedRevertedAndDeletedTogether() throws IOException {
        put("bd1", 1);
        put("bd2", 10);
        snaps.take(5, "lp1", "first", 1);
        try (var o = io.parvirt.vios.nbd.Overlay.open(r.file("2/pools/pool1/bd1"), true)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4).putInt(0, 2);
            o.write(b, 4096); // the partition wrote after the snapshot
        }
        assertThat(get("bd1")).isEqualTo(2);
        snaps.take(5, "lp1", "second", 2);
        assertThat(snaps.list(5, "lp1")).containsExactly("first", "second");
        snaps.revert(5, "lp1", "first");
        assertThat(get("bd1")).isEqualTo(1);
        assertThat(get("bd2")).isEqualTo(10);
        snaps.delete(5, "lp1", "first");
        assertThat(snaps.list(5, "lp1")).containsExactly("second");
        assertThat(get("bd1")).as("deleting keeps the current state").isEqualTo(1);
        assertThat(snaps.list(6, "lp2")).as("another partition's disks are not touched").isEmpty();
    }

    @Test
    void refusalsChangeNothing() throws IOException {
        snaps.take(5, "lp1", "a", 1);
        Path snapDir = r.file("2/pools/pool1/.bd1.snap");
        byte[] chain = Files.readAllBytes(snapDir.resolve("chain"));
        assertThatThrownBy(() -> snaps.take(5, "lp1", "a", 2)).isInstanceOf(ModelException.class)
                .hasMessage("The snapshot name a is already used by partition lp1.");
        assertThatThrownBy(() -> snaps.revert(5, "lp1", "nope")).isInstanceOf(ModelException.class)
                .hasMessage("The snapshot nope of partition lp1 does not exist.");
        assertThatThrownBy(() -> snaps.delete(5, "lp1", "nope")).isInstanceOf(ModelException.class);
        assertThatThrownBy(() -> snaps.take(6, "lp2", "a", 1)).hasMessageContaining("has no virtual SCSI disk");
        assertThat(Files.readAllBytes(snapDir.resolve("chain"))).isEqualTo(chain);
        assertThat(snaps.list(5, "lp1")).containsExactly("a");
    }

    @Test
    void rmbdspRemovesTheDevicesSnapshotLayersWithItsFile() {
        snaps.take(5, "lp1", "a", 1);
        Path snapDir = r.file("2/pools/pool1/.bd1.snap");
        assertThat(snapDir.resolve("chain")).exists();
        r.ok("rmbdsp -vtd vtscsi0"); // the mapping and its device bd1
        assertThat(r.file("2/pools/pool1/bd1")).doesNotExist();
        assertThat(snapDir).as("issue 19: rmbdsp left .bd1.snap/ behind").doesNotExist();
        assertThat(r.file("2/pools/pool1/.bd2.snap/chain")).as("the other device keeps its layers").exists();
    }

    @Test
    void aSnapshotIsRefusedWhenThePoolCannotHoldItsLayerAndNothingChanges() throws IOException {
        r.ok("mksp -fb small -size 140M");
        r.ok("mkbdsp -sp small 64M -bd bd3");
        r.ok("mkbdsp -sp small 64M -bd bd4"); // 12 MB left as lssp counts it
        r.ok("mkvdev -vdev bd3 -vadapter vhost1"); // lp2 (id 6)
        try (RandomAccessFile f = new RandomAccessFile(r.file("2/pools/small/bd3").toFile(), "rw")) {
            f.seek(0);
            f.write(new byte[16 << 20]); // 16 MB of data: a layer may come to hold as much
        }
        assertThatThrownBy(() -> snaps.take(6, "lp2", "a", 1)).isInstanceOf(ModelException.class)
                .hasMessage("The storage pool small has 12 MB free; a snapshot layer of disk vtscsi2 of partition lp2 "
                        + "needs 16 MB.");
        assertThat(r.file("2/pools/small/.bd3.snap")).as("nothing made").doesNotExist();
        assertThat(snaps.list(6, "lp2")).isEmpty();
        snaps.take(5, "lp1", "a", 1); // pool1 has room for lp1's disks
        assertThat(snaps.list(5, "lp1")).containsExactly("a");
    }
}
