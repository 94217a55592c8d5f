package io.parvirt.partition.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.HmcResult;
import io.parvirt.testing.InProcessSystem;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, {@code migrdisk}: a backing device moved to another storage pool of its VIOS on the
 * real store and files, the VIOS not running (so the daemon copies it, sparse); every refusal is
 * one HSCL line and changes nothing (listings and files compared). The live move, with a guest
 * writing, is {@code it.DiskMigrationGuestTest}; the storage server's engine is
 * {@code vios.nbd.DiskMoveTest}.
 */
@Tag("unit")
class DiskMigrationTest {
    static final String SYS = InProcessSystem.SYS;
    static final long MB = 1 << 20;

    @TempDir
    Path dir;
    InProcessSystem one;
    byte[] block = new byte[3 * 4096];

    @BeforeEach
    void start() throws IOException {
        one = new InProcessSystem(dir);
        PartitionBackupTest.define(one, "VIOS1", "vioserver", "\"virtual_scsi_adapters=2/server/any//any/1\"");
        PartitionBackupTest.define(one, "A", "aixlinux", "virtual_scsi_adapters=2/client//VIOS1/2/1");
        vios("mksp -fb pool1 -size 512M");
        vios("mksp -fb pool2 -size 512M");
        vios("mksp -fb tiny -size 32M");
        vios("mkbdsp -sp pool1 64M -bd diskA -vadapter vhost0");
        new Random(19).nextBytes(block);
        try (RandomAccessFile f = new RandomAccessFile(pool("pool1").resolve("diskA").toFile(), "rw")) {
            f.seek(0);
            f.write(block);
            f.seek(40 * MB + 512);
            f.write(block);
        }
    }

    @AfterEach
    void stop() {
        one.close();
    }

    void vios(String command) {
        one.ok("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", command);
    }

    Path pool(String name) {
        int id = one.sys.definition().partitions().stream().filter(p -> p.name().equals("VIOS1")).findFirst()
                .orElseThrow().id();
        return dir.resolve("vios/" + id + "/pools/" + name);
    }

    String state() throws IOException {
        StringBuilder out = new StringBuilder();
        for (String c : List.of("lsmap -all", "lssp", "lssp -bd -sp pool1", "lssp -bd -sp pool2")) {
            out.append(one.run("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", c).stdout());
        }
        out.append(one.run("lslparjob", "-m", SYS).stdout());
        try (var files = Files.walk(dir.resolve("vios"))) {
            files.map(Path::toString).sorted().forEach(p -> out.append(p).append('\n'));
        }
        return out.toString();
    }

    void refused(String code, String text, String... argv) throws IOException {
        String before = state();
        HmcResult r = one.run(argv);
        assertThat(r.exitCode()).as(r.stdout()).isNotZero();
        assertThat(r.stdout()).startsWith(code).contains(text);
        assertThat(r.stdout().strip().lines().count()).isEqualTo(1);
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void aDeviceMovesToAnotherPoolWithItsContentsSparseAndStaysMapped() throws IOException {
        byte[] before = Files.readAllBytes(pool("pool1").resolve("diskA"));
        HmcResult r = one.run("migrdisk", "-m", SYS, "-p", "VIOS1", "-bd", "diskA", "-sp", "pool2");
        assertThat(r.exitCode()).as(r.stdout()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(pool("pool1").resolve("diskA")).doesNotExist();
        assertThat(Files.readAllBytes(pool("pool2").resolve("diskA"))).isEqualTo(before);
        assertThat(PartitionBackupTest.allocated(pool("pool2").resolve("diskA"))).isLessThan(MB);
        assertThat(one.run("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "lssp -bd -sp pool2").stdout())
                .contains("diskA");
        assertThat(one.run("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "lssp -bd -sp pool1").stdout())
                .doesNotContain("diskA");
        assertThat(one.run("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "lsmap -all").stdout()).contains("diskA");
        assertThat(one.run("lslparjob", "-m", SYS).stdout()).as("the job is over").isEqualTo("No results were found.\n");
        try (var files = Files.list(pool("pool2"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("diskA");
        }
    }

    @Test
    void badMovesAreRefusedWithOneLineAndNothingChanges() throws IOException {
        String[] base = {"migrdisk", "-m", SYS, "-p", "VIOS1", "-bd"};
        refused("HSCL130A", "The backing device nosuch does not exist", concat(base, "nosuch", "-sp", "pool2"));
        refused("HSCL130A", "The storage pool nopool does not exist", concat(base, "diskA", "-sp", "nopool"));
        refused("HSCL1302", "The backing device diskA is already in storage pool pool1",
                concat(base, "diskA", "-sp", "pool1"));
        refused("HSCL130D", "The storage pool tiny has 32 MB free; the backing device diskA needs 64 MB",
                concat(base, "diskA", "-sp", "tiny"));
        refused("HSCL1302", "The partition A is not a Virtual I/O Server",
                "migrdisk", "-m", SYS, "-p", "A", "-bd", "diskA", "-sp", "pool2");
        LparJobs jobs = one.operations.backups().orElseThrow().jobs();
        LparJobs.Job running = jobs.startMove("VIOS1", "diskA");
        refused("HSCL130C", "The backing device diskA of VIOS1 is already being moved (job " + running.id() + ")",
                concat(base, "diskA", "-sp", "pool2"));
        jobs.end(running);
        one.ok("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "mkbdsp -sp pool1 8M -bd diskS");
        Files.createDirectories(pool("pool1").resolve(".diskS.snap"));
        Files.writeString(pool("pool1").resolve(".diskS.snap/chain"), "parvirt-overlay 1\n");
        refused("HSCL130C", "The backing device diskS has snapshots", concat(base, "diskS", "-sp", "pool2"));
    }

    @Test
    void aStrayTargetOfAMoveCutShortIsRemovedAtTheNextStart() throws IOException {
        Path stray = pool("pool2").resolve(".diskA.moving");
        Files.writeString(stray, "partial");
        one.close();
        one = new InProcessSystem(dir);
        assertThat(stray).doesNotExist();
        assertThat(pool("pool1").resolve("diskA")).exists();
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
