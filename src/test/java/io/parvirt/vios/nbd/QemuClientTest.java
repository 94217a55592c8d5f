package io.parvirt.vios.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 6: the server against QEMU's own NBD client (what a client partition's QEMU runs), through
 * {@code nbd+unix:///NAME?socket=PATH}, checking the backing file itself afterwards.
 */
@Tag("daemon")
class QemuClientTest {
    static final long SIZE = 64L << 20;

    @RegisterExtension
    final NbdRig rig = NbdRig.serving("lv01", SIZE);

    @Test
    void qemuImgInfoShowsTheBackingFilesSize() throws Exception {
        QemuTools.Result r = QemuTools.run(List.of("qemu-img", "info", "--output=json", rig.disk().uri()));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("\"virtual-size\": " + SIZE);
    }

    @Test
    void aPatternWrittenByQemuIoReadsBackAndIsInTheFile() throws Exception {
        QemuTools.qemuIo(rig.disk().uri(), "write -P 0xab 0 1M", "write -P 0x5c 40M 4k", "flush");
        QemuTools.qemuIo(rig.disk().uri(), "read -P 0xab 0 1M", "read -P 0x5c 40M 4k", "read -P 0 1M 1M");
        byte[] file = Files.readAllBytes(rig.disk().export().file());
        assertThat(allEqual(file, 0, 1 << 20, (byte) 0xab)).isTrue();
        assertThat(allEqual(file, 40 << 20, 4096, (byte) 0x5c)).isTrue();
        assertThat(allEqual(file, 1 << 20, 1 << 20, (byte) 0)).isTrue();
        assertThat(rig.disk().counters().syncs()).isPositive();
    }

    @Test
    void discardPunchesAHoleThatReadsBackAsZeros() throws Exception {
        QemuTools.qemuIo(rig.disk().uri(), "write -P 0x11 0 8M", "flush");
        long before = allocatedBytes(rig.disk().export().file());
        QemuTools.qemuIo(rig.disk().uri(), "discard 1M 4M", "read -P 0 1M 4M", "read -P 0x11 0 1M", "read -P 0x11 5M 3M");
        assertThat(allocatedBytes(rig.disk().export().file())).isLessThanOrEqualTo(before - (4L << 20));
        assertThat(rig.disk().counters().trims()).isEqualTo(1);
    }

    @Test
    void writeZeroesReadsBackAsZerosWithAndWithoutUnmap() throws Exception {
        QemuTools.qemuIo(rig.disk().uri(), "write -P 0x22 0 4M");
        // -z alone asks for NO_HOLE (the space stays allocated); -z -u lets the server punch a hole
        QemuTools.qemuIo(rig.disk().uri(), "write -z 0 1M", "write -z -u 2M 1M", "read -P 0 0 1M", "read -P 0x22 1M 1M",
                "read -P 0 2M 1M", "read -P 0x22 3M 1M");
        assertThat(rig.disk().counters().writeZeroes()).isEqualTo(2);
        assertThat(rig.disk().counters().errorsByReason().values()).allMatch(n -> n == 0);
    }

    @Test
    void severalClientsAtOnceEachSeeTheirOwnWrites() throws Exception {
        int clients = 4;
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<String>> runs = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String region = (i * 8) + "M";
                String pattern = "0x" + Integer.toHexString(0x31 + i);
                runs.add(pool.submit(() -> QemuTools.qemuIo(rig.disk().uri(), "write -P " + pattern + " " + region + " 8M",
                        "read -P " + pattern + " " + region + " 8M")));
            }
            for (Future<String> f : runs) {
                f.get();
            }
        }
        List<String> checks = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            checks.add("read -P 0x" + Integer.toHexString(0x31 + i) + " " + (i * 8) + "M 8M");
        }
        QemuTools.qemuIo(rig.disk().uri(), checks.toArray(String[]::new));
        assertThat(rig.disk().counters().connections()).isGreaterThanOrEqualTo(clients + 1);
    }

    @Test
    void qemuImgConvertCopiesAnImageWithHolesExactly() throws Exception {
        Path source = rig.dir.resolve("source.img");
        Random random = new Random(6);
        try (FileChannel ch = FileChannel.open(source, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long at = 0; at < SIZE; at += 3L << 20) { // 1 MiB of data, then 2 MiB of hole
                byte[] data = new byte[1 << 20];
                random.nextBytes(data);
                ch.write(ByteBuffer.wrap(data), at);
            }
            ch.truncate(SIZE);
            ch.write(ByteBuffer.allocate(1), SIZE - 1);
        }
        QemuTools.qemuIo(rig.disk().uri(), "write -P 0xee 0 64M"); // the copy must overwrite, holes included
        QemuTools.Result copy = QemuTools.run(List.of("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw",
                source.toString(), rig.disk().uri()));
        assertThat(copy.exit()).as(copy.output()).isZero();
        QemuTools.Result cmp = QemuTools.run(List.of("qemu-img", "compare", "-f", "raw", "-F", "raw",
                source.toString(), rig.disk().uri()));
        assertThat(cmp.exit()).as(cmp.output()).isZero();
        assertThat(Files.mismatch(source, rig.disk().export().file())).isEqualTo(-1);
    }

    @Test
    void aReadOnlyExportServesReadsAndRefusesWrites() throws Exception {
        Path media = rig.sparse("media", 4 << 20);
        Files.write(media, filled(4 << 20, (byte) 0x7e));
        Endpoint cd = rig.server.serve(new Export("vopt0", media, true));
        QemuTools.Result r = QemuTools.run(QemuTools.qemuIoCommand(cd.uri(), true, "read -P 0x7e 0 4M"));
        assertThat(r.exit()).as(r.output()).isZero();
        // QEMU sees READ_ONLY in the export's flags and will not even open it for writing
        QemuTools.Result w = QemuTools.run(QemuTools.qemuIoCommand(cd.uri(), false, "write -P 1 0 4k"));
        assertThat(w.exit()).isNotZero();
        assertThat(w.output()).contains("Permission denied");
        assertThat(Files.readAllBytes(media)).isEqualTo(filled(4 << 20, (byte) 0x7e));
    }

    static byte[] filled(int n, byte b) {
        byte[] a = new byte[n];
        Arrays.fill(a, b);
        return a;
    }

    static boolean allEqual(byte[] a, int from, int length, byte b) {
        for (int i = from; i < from + length; i++) {
            if (a[i] != b) {
                return false;
            }
        }
        return true;
    }

    /** Blocks the file system holds for the file (st_blocks x 512, which Java's attribute views do not show). */
    static long allocatedBytes(Path f) throws IOException, InterruptedException {
        QemuTools.Result r = QemuTools.run(List.of("stat", "-c", "%b", f.toString()));
        assertThat(r.exit()).isZero();
        return Long.parseLong(r.output().strip()) * 512;
    }
}
