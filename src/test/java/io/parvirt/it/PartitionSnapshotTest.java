package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, partition snapshots on a real TCG guest whose disk a running VIOS serves. The guest
 * writes a counter in a loop: record {@code i} (its number and a tag read from a tmpfs) at block
 * {@code i} of its disk, then {@code i} into the tmpfs. A snapshot with memory is taken while it
 * writes; then the tag changes and more records are written; the revert brings the partition back
 * Running with the tmpfs tag of the snapshot, and once the loop is stopped every record on disk up
 * to its counter is there, none with the later tag: disk and memory are of one point. A chain of
 * three with the middle one deleted reverts to the last correctly. Refusals change neither
 * {@code lslparsnap} nor the pool's files. A linked clone of the running partition boots and
 * reads its disk as at the copy while the source writes on; its snapshot cannot be deleted until
 * the clone is removed. One guest, and the clone's.
 */
@Tag("guest")
class PartitionSnapshotTest {
    static RunningDaemon d;
    static final String DISK = BackupRestoreTest.DISK;
    static final String LOOP = "i=0; while [ -e /mnt/t/go ]; do i=$((i+1)); echo \"$i $(cat /mnt/t/tag)\" | dd of=$DISK"
            + " bs=512 seek=$i conv=fsync,notrunc 2>/dev/null; echo $i > /mnt/t/count; done; echo $i > /mnt/t/end";

    @BeforeAll
    static void start() {
        d = RunningDaemon.start();
        Guests.define(d, "VIOS1", "vioserver", "\"virtual_scsi_adapters=2/server/any//any/1\"");
        Guests.vios(d, "VIOS1", "mksp -fb pool1 -size 256M");
        Guests.define(d, "A", "aixlinux", "virtual_scsi_adapters=2/client//VIOS1/2/1");
        Guests.define(d, "B", "aixlinux", "virtual_scsi_adapters=none");
        Guests.vios(d, "VIOS1", "mkbdsp -sp pool1 16M -bd diskA -vadapter vhost0");
        BackupRestoreTest.ok(d, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "VIOS1", "-f", "default");
        Guests.awaitState(d, "VIOS1", "Running", Duration.ofSeconds(90));
        BackupRestoreTest.ok(d, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "A", "-f", "default");
        Guests.awaitState(d, "A", "Running", Duration.ofSeconds(300));
        awaitAgent();
    }

    @AfterAll
    static void stop() {
        if (d != null) {
            d.close();
        }
    }

    static void awaitAgent() {
        Await.on("A's agent", () -> Guests.exec(d, "A", "/bin/true").exit()).within(Duration.ofSeconds(90))
                .every(Guests.POLL).until(e -> e == 0);
    }

    static String sh(String script) {
        Guests.Exec e = Guests.exec(d, "A", "/bin/sh", "-c", script);
        assertThat(e.exit()).as(script + ": " + e.stdout() + e.stderr() + e.body()).isZero();
        return e.stdout();
    }

    static int count() {
        String c = Guests.exec(d, "A", "/bin/cat", "/mnt/t/count").stdout().strip();
        return c.isEmpty() ? 0 : Integer.parseInt(c);
    }

    static String snaps() {
        return d.hmc("lslparsnap", "-m", "sys1", "-p", "A", "-F", "name,parent,with_memory,state_at_snapshot")
                .stdout();
    }

    /** The pool's files with their sizes: what a refusal must leave as it was. */
    static String poolFiles() throws IOException {
        String id = d.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=VIOS1", "-F", "lpar_id")
                .stdout().strip();
        Path pool = d.home().root().resolve("vios").resolve(id).resolve("pools").resolve("pool1");
        try (Stream<Path> s = Files.walk(pool)) {
            return s.filter(Files::isRegularFile).map(f -> pool.relativize(f) + ":" + f.toFile().length()).sorted()
                    .collect(Collectors.joining("\n"));
        }
    }

    static void refused(String code, String words, String... argv) {
        RunningDaemon.Hmc r = d.hmc(argv);
        assertThat(r.exit()).as(String.join(" ", argv)).isNotZero();
        assertThat(r.stdout()).startsWith(code).contains(words).hasLineCount(1);
    }

    @Test
    void aRevertReturnsDiskAndMemoryToOnePointAndAMiddleSnapshotOfAChainIsDeleted() throws Exception {
        long t0 = System.nanoTime();
        sh("mkdir -p /mnt/t && mount -t tmpfs tmpfs /mnt/t && echo before > /mnt/t/tag && touch /mnt/t/go");
        sh(DISK + "export DISK; setsid sh -c '" + LOOP + "' </dev/null >/dev/null 2>&1 &");
        Await.on("the counter", PartitionSnapshotTest::count).within(Duration.ofSeconds(60)).every(Guests.POLL)
                .until(c -> c >= 3);

        long s0 = System.nanoTime();
        BackupRestoreTest.ok(d, "mklparsnap", "-m", "sys1", "-p", "A", "-n", "s1", "-d", "while writing");
        long snapMs = (System.nanoTime() - s0) / 1_000_000;
        assertThat(snaps()).isEqualTo("s1,,1,Running\n");
        assertThat(Guests.state(d, "A")).isEqualTo("Running");
        int atSnap = count();
        sh("echo after > /mnt/t/tag");
        Await.on("records after the snapshot", PartitionSnapshotTest::count).within(Duration.ofSeconds(60))
                .every(Guests.POLL).until(c -> c >= atSnap + 3);

        long r0 = System.nanoTime();
        BackupRestoreTest.ok(d, "rstlparsnap", "-m", "sys1", "-p", "A", "-n", "s1");
        long revertMs = (System.nanoTime() - r0) / 1_000_000;
        assertThat(Guests.state(d, "A")).as("Running at the snapshot's point").isEqualTo("Running");
        awaitAgent();
        assertThat(sh("cat /mnt/t/tag").strip()).as("the tmpfs as at the snapshot").isEqualTo("before");
        sh("rm /mnt/t/go");
        Await.on("the loop to stop", () -> Guests.exec(d, "A", "/bin/cat", "/mnt/t/end").stdout())
                .within(Duration.ofSeconds(60)).every(Guests.POLL).until(s -> !s.isBlank());
        int n = Integer.parseInt(sh("cat /mnt/t/end").strip());
        String records = sh("echo 3 > /proc/sys/vm/drop_caches; " + DISK + "j=1; while [ $j -le " + (n + 5)
                + " ]; do dd if=$DISK bs=512 skip=$j count=1 2>/dev/null | tr -d '\\000' | head -1; j=$((j+1)); done");
        StringBuilder want = new StringBuilder();
        for (int j = 1; j <= n; j++) {
            want.append(j).append(" before\n");
        }
        assertThat(records.replaceAll("(?m)^\\s*$\\n?", "")).as("every record up to the counter, none written after "
                + "the snapshot").isEqualTo(want.toString());

        // a chain: s2, s3 after s1 (the partition is at s1), the middle one deleted, a revert to s3
        sh("echo two > /mnt/t/tag; " + DISK + "echo two | dd of=$DISK bs=512 count=1 conv=fsync,notrunc 2>/dev/null"
                + " && echo two | dd of=$DISK bs=512 seek=1000 count=1 conv=fsync,notrunc 2>/dev/null");
        BackupRestoreTest.ok(d, "mklparsnap", "-m", "sys1", "-p", "A", "-n", "s2");
        sh("echo three > /mnt/t/tag; " + DISK + "echo three | dd of=$DISK bs=512 count=1 conv=fsync,notrunc 2>/dev/null");
        BackupRestoreTest.ok(d, "mklparsnap", "-m", "sys1", "-p", "A", "-n", "s3");
        sh("echo four > /mnt/t/tag; " + DISK + "echo four | dd of=$DISK bs=512 count=1 conv=fsync,notrunc 2>/dev/null");
        assertThat(snaps()).isEqualTo("s1,,1,Running\ns2,s1,1,Running\ns3,s2,1,Running\n");
        BackupRestoreTest.ok(d, "rmlparsnap", "-m", "sys1", "-p", "A", "-n", "s2");
        assertThat(snaps()).isEqualTo("s1,,1,Running\ns3,s1,1,Running\n");
        BackupRestoreTest.ok(d, "rstlparsnap", "-m", "sys1", "-p", "A", "-n", "s3");
        assertThat(Guests.state(d, "A")).isEqualTo("Running");
        awaitAgent();
        assertThat(sh("cat /mnt/t/tag").strip()).isEqualTo("three");
        assertThat(sh("echo 3 > /proc/sys/vm/drop_caches; " + DISK + "dd if=$DISK bs=512 count=1 2>/dev/null | head -1")
                .strip()).as("the disk at s3").isEqualTo("three");
        assertThat(sh(DISK + "dd if=$DISK bs=512 skip=1000 count=1 2>/dev/null | tr -d '\\000' | head -1").strip())
                .as("what s2's layer held, merged into s3's").isEqualTo("two");

        // refusals: one line each, nothing changed
        String listed = snaps();
        String files = poolFiles();
        refused("HSCL", "snapshot nosuch of partition A does not exist", "rstlparsnap", "-m", "sys1", "-p", "A", "-n",
                "nosuch");
        refused("HSCL", "does not exist", "rmlparsnap", "-m", "sys1", "-p", "A", "-n", "nosuch");
        refused("HSCL", "already used by partition A", "mklparsnap", "-m", "sys1", "-p", "A", "-n", "s1");
        refused("HSCL", "has no virtual SCSI disk", "mklparsnap", "-m", "sys1", "-p", "B", "-n", "x");
        refused("HSCL", "is a Virtual I/O Server", "mklparsnap", "-m", "sys1", "-p", "VIOS1", "-n", "x");
        BackupRestoreTest.ok(d, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "pause", "-n", "A");
        refused("HSCL", "A is Paused", "rstlparsnap", "-m", "sys1", "-p", "A", "-n", "s1");
        refused("HSCL", "A is Paused", "mklparsnap", "-m", "sys1", "-p", "A", "-n", "s4");
        BackupRestoreTest.ok(d, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "resume", "-n", "A");
        assertThat(snaps()).isEqualTo(listed);
        assertThat(poolFiles()).isEqualTo(files);
        assertThat(Guests.state(d, "A")).isEqualTo("Running");

        // a linked clone of the running partition: it boots and sees A's disk as at the copy, A writes on
        sh(DISK + "echo linked | dd of=$DISK bs=512 seek=2000 count=1 conv=fsync,notrunc 2>/dev/null");
        long c0 = System.nanoTime();
        BackupRestoreTest.ok(d, "cplpar", "-m", "sys1", "-p", "A", "-n", "A2", "--linked");
        long cloneMs = (System.nanoTime() - c0) / 1_000_000;
        assertThat(Guests.state(d, "A")).isEqualTo("Running");
        sh(DISK + "echo later | dd of=$DISK bs=512 seek=2000 count=1 conv=fsync,notrunc 2>/dev/null");
        BackupRestoreTest.ok(d, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "A2", "-f", "default");
        Guests.awaitState(d, "A2", "Running", Duration.ofSeconds(300));
        Await.on("A2's agent", () -> Guests.exec(d, "A2", "/bin/true").exit()).within(Duration.ofSeconds(120))
                .every(Guests.POLL).until(e -> e == 0);
        Guests.Exec onClone = Guests.exec(d, "A2", "/bin/sh", "-c", "DISK=/dev/$(ls /sys/block | grep ^sd | head -1);"
                + " dd if=$DISK bs=512 skip=2000 count=1 2>/dev/null | head -1");
        assertThat(onClone.stdout().strip()).as("the clone's disk as at the copy: " + onClone.stderr())
                .isEqualTo("linked");
        assertThat(sh(DISK + "dd if=$DISK bs=512 skip=2000 count=1 2>/dev/null | head -1").strip()).isEqualTo("later");
        refused("HSCL", "hold the disk of a linked clone", "rmlparsnap", "-m", "sys1", "-p", "A", "-n", "linked.A2");
        BackupRestoreTest.ok(d, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "A2");
        Guests.awaitState(d, "A2", "Not Activated", Duration.ofSeconds(60));
        BackupRestoreTest.ok(d, "rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "A2", "--vioscfg", "--vdisks");
        BackupRestoreTest.ok(d, "rmlparsnap", "-m", "sys1", "-p", "A", "-n", "linked.A2");

        // disk only, running (its file systems frozen by the agent): a revert leaves it Not Activated
        BackupRestoreTest.ok(d, "mklparsnap", "-m", "sys1", "-p", "A", "-n", "d1", "--nomem");
        assertThat(snaps()).endsWith("d1,s3,0,Running\n");
        assertThat(Guests.state(d, "A")).isEqualTo("Running");
        BackupRestoreTest.ok(d, "rstlparsnap", "-m", "sys1", "-p", "A", "-n", "d1");
        assertThat(Guests.state(d, "A")).isEqualTo("Not Activated");
        System.out.printf("partition-snapshot: snapshot %d ms, revert %d ms, linked clone %d ms, test %d s%n", snapMs,
                revertMs, cloneMs, (System.nanoTime() - t0) / 1_000_000_000);
    }
}
