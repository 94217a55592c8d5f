package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, disk migration (FusionCompute's 磁盘迁移): a running partition writes to its disk in a
 * loop (4 KiB blocks of random data, each {@code dd conv=fsync}) while {@code migrdisk} moves the
 * disk to another storage pool of its running VIOS (the storage server copies and mirrors, then
 * the export is served from the new file); the job shows in {@code lslparjob}; a second move is
 * cancelled with {@code rmlparjob} and leaves the disk where it was. The guest sees no I/O error,
 * and what it reads of its disk is, byte for byte, the file in the target pool. One guest.
 */
@Tag("guest")
class DiskMigrationGuestTest {
    static RunningDaemon d;
    static final String DISK = BackupRestoreTest.DISK;

    @BeforeAll
    static void start() {
        d = RunningDaemon.start();
        Guests.define(d, "VIOS1", "vioserver", "\"virtual_scsi_adapters=2/server/any//any/1\"");
        Guests.vios(d, "VIOS1", "mksp -fb pool1 -size 256M");
        Guests.vios(d, "VIOS1", "mksp -fb pool2 -size 256M");
        Guests.define(d, "A", "aixlinux", "virtual_scsi_adapters=2/client//VIOS1/2/1");
        Guests.vios(d, "VIOS1", "mkbdsp -sp pool1 32M -bd diskA -vadapter vhost0");
        BackupRestoreTest.ok(d, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "VIOS1", "-f", "default");
        Guests.awaitState(d, "VIOS1", "Running", Duration.ofSeconds(90));
        BackupRestoreTest.ok(d, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "A", "-f", "default");
        Guests.awaitState(d, "A", "Running", Duration.ofSeconds(300));
        Await.on("A's agent", () -> Guests.exec(d, "A", "/bin/true").exit()).within(Duration.ofSeconds(60))
                .every(Guests.POLL).until(e -> e == 0);
    }

    @AfterAll
    static void stop() {
        if (d != null) {
            d.close();
        }
    }

    static String sh(String script) {
        Guests.Exec e = Guests.exec(d, "A", "/bin/sh", "-c", script);
        assertThat(e.exit()).as(script + ": " + e.stdout() + e.stderr() + e.body()).isZero();
        return e.stdout();
    }

    Path pool(String name) {
        String id = d.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=VIOS1", "-F", "lpar_id")
                .stdout().strip();
        return d.home().root().resolve("vios").resolve(id).resolve("pools").resolve(name);
    }

    /** Starts migrdisk in the background and waits until lslparjob lists it; returns its job id and outcome. */
    CompletableFuture<RunningDaemon.Hmc> migrdisk(String pool, String rate, String[] jobId) {
        CompletableFuture<RunningDaemon.Hmc> done = CompletableFuture.supplyAsync(() -> d.hmc("migrdisk", "-m", "sys1",
                "-p", "VIOS1", "-bd", "diskA", "-sp", pool, "--rate", rate));
        String row = Await.on("the move in lslparjob", () -> d.hmc("lslparjob", "-m", "sys1", "-F",
                "job_id,operation,lpar_name,file,phase").stdout()).within(Duration.ofSeconds(60)).every(Guests.POLL)
                .until(s -> s.contains(",disk_migration,VIOS1,diskA,copying") || done.isDone());
        assertThat(row).as("listed while it runs (migrdisk: %s)", done.isDone() ? done.join() : "running")
                .contains(",disk_migration,VIOS1,diskA,copying");
        jobId[0] = row.substring(0, row.indexOf(','));
        return done;
    }

    @Test
    void theDiskMovesUnderTheGuestsWritesWithoutAnErrorAndACancelledMoveLeavesItWhereItWas() throws Exception {
        sh(DISK + "dd if=/dev/urandom of=$DISK bs=1M count=3 seek=5 conv=fsync 2>/dev/null");
        sh(DISK + "export DISK; touch /run/go; rm -f /run/err /run/loopdone; setsid sh -c 'i=0;"
                + " while [ -e /run/go ]; do dd if=/dev/urandom of=$DISK bs=4k count=1 seek=$((2560 + i % 2048))"
                + " conv=fsync,notrunc 2>/dev/null || echo \"write $i failed\" >> /run/err; i=$((i+1)); done;"
                + " echo $i > /run/loopdone' </dev/null >/dev/null 2>&1 &");
        String[] job = new String[1];
        long started = System.nanoTime();
        RunningDaemon.Hmc moved = migrdisk("pool2", "2", job).get();
        long moveMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(moved.exit()).as(moved.stdout()).isZero();
        assertThat(moved.stdout()).as("silent success").isEmpty();
        assertThat(Guests.vios(d, "VIOS1", "lssp -bd -sp pool2")).contains("diskA");
        assertThat(pool("pool1").resolve("diskA")).as("the source file is gone").doesNotExist();

        // a move back, cancelled mid-copy: the disk stays in pool2, nothing left in pool1
        CompletableFuture<RunningDaemon.Hmc> back = migrdisk("pool1", "1", job);
        BackupRestoreTest.ok(d, "rmlparjob", "-m", "sys1", "--id", job[0]);
        RunningDaemon.Hmc cancelled = back.get();
        assertThat(cancelled.exit()).isNotZero();
        assertThat(cancelled.stdout()).startsWith("HSCL1310").contains("stays in storage pool pool2").hasLineCount(1);
        assertThat(Guests.vios(d, "VIOS1", "lssp -bd -sp pool2")).contains("diskA");
        try (var files = Files.list(pool("pool1"))) {
            assertThat(files.toList()).as("no target left in pool1").isEmpty();
        }

        sh("rm /run/go");
        Await.on("the guest's write loop to end", () -> Guests.exec(d, "A", "/bin/cat", "/run/loopdone").stdout())
                .within(Duration.ofSeconds(60)).every(Guests.POLL).until(s -> !s.isBlank());
        int writes = Integer.parseInt(sh("cat /run/loopdone").strip());
        assertThat(writes).as("writes during the test (the move took " + moveMs + " ms)").isPositive();
        assertThat(sh("cat /run/err 2>/dev/null; dmesg | grep -i 'i/o error' || true")).as("no I/O error in the guest")
                .isEmpty();
        String guest = sh("sync; echo 3 > /proc/sys/vm/drop_caches; " + DISK + "md5sum < $DISK").strip();
        byte[] file = Files.readAllBytes(pool("pool2").resolve("diskA"));
        String host = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(file));
        assertThat(guest).as("the guest reads the file in the target pool").startsWith(host);
    }
}
