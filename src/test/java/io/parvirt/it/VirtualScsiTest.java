package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Virtual SCSI with real partitions: a VIOS whose storage server runs as its operating system, and
 * two client partitions (TCG guests) that see the disks and the optical medium mapped to them
 * through QEMU's NBD client, and only those. All configuration goes through viosvrcmd over the API.
 */
@Tag("guest")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VirtualScsiTest {
    static RunningDaemon d;
    static Path iso;
    static final String ISO_TEXT = "parvirt optical medium\n";

    @BeforeAll
    static void start() throws Exception {
        d = RunningDaemon.start();
        define("VIOS1", "vioserver", "\"virtual_scsi_adapters=2/server/any//any/1,3/server/any//any/1\"");
        define("A", "aixlinux", "virtual_scsi_adapters=2/client//VIOS1/2/1");
        define("B", "aixlinux", "virtual_scsi_adapters=2/client//VIOS1/3/1");
        vios("mksp -fb pool1 -size 512M");
        vios("mkbdsp -sp pool1 64M -bd diskA -vadapter vhost0");
        vios("mkbdsp -sp pool1 32M -bd diskB -vadapter vhost1");
        vios("mkvdev -fbo -vadapter vhost0");
        vios("mkrep -sp pool1 -size 16M");
        iso = Files.createTempFile("parvirt-medium-", ".iso");
        IsoImage.write(iso, "PARVIRT", "hello.txt", ISO_TEXT.getBytes(StandardCharsets.US_ASCII));
        vios("mkvopt -name medium1 -file " + iso + " -ro");
        vios("loadopt -disk medium1 -vtd vtopt0");
    }

    static void define(String name, String env, String adapters) {
        Guests.define(d, name, env, adapters);
    }

    static String vios(String command) {
        return Guests.vios(d, "VIOS1", command);
    }

    static RunningDaemon.Hmc power(String op, String name, String... extra) {
        List<String> argv = new ArrayList<>(List.of("chsysstate", "-m", "sys1", "-r", "lpar", "-o", op, "-n", name));
        argv.addAll(List.of(extra));
        return d.hmc(argv.toArray(String[]::new));
    }

    static void ok(RunningDaemon.Hmc r) {
        assertThat(r.exit()).as(r.stdout()).isZero();
    }

    static String sh(String lpar, String script) {
        Guests.Exec e = Guests.exec(d, lpar, "/bin/sh", "-c", script);
        assertThat(e.status()).as(e.body()).isEqualTo(200);
        assertThat(e.exit()).as(script + " in " + lpar + ": " + e.stdout() + e.stderr()).isZero();
        return e.stdout();
    }

    /**
     * What the guest sees on its SCSI buses, by LUN (the kernel names sdX in probe order, which
     * varies): "LUN bytes" for a disk, "LUN cdrom" for a CD drive.
     */
    static String devices(String lpar) {
        return sh(lpar, "cd /sys/block; for b in sd* sr*; do [ -e $b ] || continue; l=$(readlink -f $b/device);"
                + " l=${l##*:}; case $b in sr*) echo $l cdrom;; *) echo $l $(( $(cat $b/size) * 512 ));; esac;"
                + " done | sort -n");
    }

    /** Sets DISK to the /dev name of the disk at LUN 0 (A's file system disk, B's only disk). */
    static final String DISK = "DISK=/dev/$(cd /sys/block; for b in sd*; do case $(readlink -f $b/device) in"
            + " *:0) echo $b;; esac; done); ";

    /** The VIOS's run directory: its pid file, exports and sockets. */
    static Path viosRun() {
        return d.home().run().resolve("lpar/1");
    }

    static Path viosFile(String rel) {
        return d.home().root().resolve("vios/1").resolve(rel);
    }

    @Test
    @Order(1)
    void aClientCannotBeActivatedWhileItsViosIsNotRunning() {
        var r = power("on", "A", "-f", "default");
        assertThat(r.exit()).isNotZero();
        assertThat(r.stdout()).startsWith("HSCL").contains("Virtual I/O Server VIOS1 (ID 1)")
                .contains("Not Activated").contains("chsysstate -r lpar -o on -n VIOS1");
        assertThat(Guests.state(d, "A")).isEqualTo("Not Activated");
    }

    @Test
    @Order(2)
    void theViosRunsItsStorageServerInItsOwnCgroupServingEachMappingOnItsOwnSocket() throws Exception {
        ok(power("on", "VIOS1", "-f", "default"));
        Guests.awaitState(d, "VIOS1", "Running", Duration.ofSeconds(90));
        Path run = viosRun();
        long pid = Long.parseLong(Files.readString(run.resolve("storage.pid")).strip());
        assertThat(Files.readString(Path.of("/proc/" + pid + "/cmdline"))).contains("NbdServerMain");
        assertThat(Files.readString(Path.of("/proc/" + pid + "/cgroup"))).contains("/lpar1");
        try (var s = Files.list(run.resolve("nbd"))) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    // each read-write disk on NBD and as a vhost-user-blk back end (issue 17); the optical one on NBD
                    .containsExactly(".snapshots.sock", "vtopt0.sock", "vtscsi0.sock", "vtscsi0.vhost", "vtscsi1.sock",
                            "vtscsi1.vhost");
        }
        // the snapshot control socket is the daemon's alone: no QEMU may take or revert a snapshot
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(
                run.resolve("nbd/.snapshots.sock")))).isEqualTo("rw-------");
        for (String sock : List.of("vtscsi0", "vtscsi1", "vtopt0")) {
            // the VIOS's, and its clients' QEMU's (run as parvirt-qemu: issue 12), no one else's
            Path file = run.resolve("nbd/" + sock + ".sock");
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .as(sock).isEqualTo("rw-rw----");
            assertThat(Files.readAttributes(file, java.nio.file.attribute.PosixFileAttributes.class).group().getName())
                    .isEqualTo("parvirt-qemu");
        }
        // Its threads are its processors: the dispatcher puts them under the entitlement's quota.
        Await.on("the storage server's main thread to be dispatched (its cgroup)",
                () -> read(Path.of("/proc/" + pid + "/task/" + pid + "/cgroup"))).within(Duration.ofSeconds(20))
                .every(Guests.POLL).until(cg -> cg.contains("/lpar1/vcpus"));
        // The VIOS's console is its storage server's log.
        Await.on("the storage server's banner on VIOS1's console",
                () -> d.api("GET", "/api/v1/partitions/VIOS1/console?kb=4", null).body()).within(Duration.ofSeconds(10))
                .every(Guests.POLL).until(c -> c.contains("parvirt VIOS storage server"));
        // The other way round: another user cannot open the socket at all, and A's socket does
        // not hand out B's disk under B's export name.
        ProcessResult other = run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "qemu-io", "-r",
                "--image-opts", "driver=nbd,server.type=unix,server.path=" + run.resolve("nbd/vtscsi0.sock")
                        + ",export=vtscsi0", "-c", "read 0 512");
        assertThat(other.exit() != 0 || other.out().contains("Permission denied")).as(other.out()).isTrue();
        assertThat(other.out()).contains("Permission denied");
        ProcessResult wrong = run("qemu-io", "-r", "--image-opts", "driver=nbd,server.type=unix,server.path="
                + run.resolve("nbd/vtscsi0.sock") + ",export=vtscsi1", "-c", "read 0 512");
        assertThat(wrong.out()).doesNotContain("read 512/512 bytes");
        assertThat(wrong.exit()).as(wrong.out()).isNotZero();
    }

    @Test
    @Order(3)
    void eachClientSeesItsOwnDisksAndNoneOfTheOthers() {
        ok(power("on", "A", "-f", "default"));
        ok(power("on", "B", "-f", "default"));
        Guests.awaitState(d, "A", "Running", Duration.ofSeconds(240));
        Guests.awaitState(d, "B", "Running", Duration.ofSeconds(240));
        assertThat(devices("A")).isEqualTo("0 67108864\n1 cdrom\n");
        assertThat(devices("B")).isEqualTo("0 33554432\n");
        assertThat(sh("A", "cat /sys/block/sd*/device/vendor /sys/block/sd*/device/model")).contains("QEMU");
    }

    @Test
    @Order(4)
    void aClientMakesAFileSystemWritesReadsTheOpticalMediumAndFindsItsDataAfterAReactivation() throws Exception {
        sh("A", DISK + "mke2fs -q $DISK && mkdir -p /mnt/d && mount -t ext2 $DISK /mnt/d"
                + " && head -c 1048576 /dev/urandom > /mnt/d/data && md5sum /mnt/d/data > /mnt/d/data.md5"
                + " && sync && umount /mnt/d");
        String md5 = sh("A", DISK + "mount -t ext2 $DISK /mnt/d && cat /mnt/d/data.md5 && umount /mnt/d");
        assertThat(md5).contains("/mnt/d/data");
        assertThat(sh("A", "mkdir -p /media/cd && mount -t iso9660 -o ro /dev/sr0 /media/cd && cat /media/cd/hello.txt"
                + " && umount /media/cd")).isEqualTo(ISO_TEXT);
        // B writes to its own disk; nothing of it reaches A's backing device.
        sh("B", "yes only-for-b | head -c 65536 > /tmp/b && dd if=/tmp/b of=/dev/sda bs=65536 count=1 conv=fsync"
                + " 2>/dev/null");
        assertThat(new String(Files.readAllBytes(viosFile("pools/pool1/diskA")), StandardCharsets.ISO_8859_1))
                .doesNotContain("only-for-b");
        assertThat(new String(Files.readAllBytes(viosFile("pools/pool1/diskB")), StandardCharsets.ISO_8859_1))
                .startsWith("only-for-b\n");

        // A mapping made while A runs is hot-plugged into it (issue 13), and is there after a reactivation too.
        vios("mkbdsp -sp pool1 16M -bd diskA2 -vadapter vhost0");
        Await.on("A to see the disk mapped while it runs", () -> devices("A")).within(Duration.ofSeconds(60))
                .every(Duration.ofSeconds(1)).until(x -> x.equals("0 67108864\n1 cdrom\n2 16777216\n"));
        ok(power("shutdown", "A", "--immed"));
        Guests.awaitState(d, "A", "Not Activated", Duration.ofSeconds(60));
        ok(power("on", "A", "-f", "default"));
        Guests.awaitState(d, "A", "Running", Duration.ofSeconds(240));
        assertThat(devices("A")).isEqualTo("0 67108864\n1 cdrom\n2 16777216\n");
        assertThat(sh("A", DISK + "mkdir -p /mnt/d && mount -t ext2 $DISK /mnt/d && cd /mnt/d && md5sum -c data.md5 && cd / && umount /mnt/d"))
                .contains("OK");
    }

    @Test
    @Order(5)
    void aKilledStorageServerLosesNoFlushedWriteAndItsClientResumes() throws Exception {
        // B writes 4 KiB blocks one by one, each flushed (conv=fsync), and logs each completed one.
        sh("B", "cat > /tmp/stream.sh <<'EOF'\n"
                + "i=1; while [ $i -le 120 ]; do\n"
                + "  yes block-$i | head -c 4096 > /tmp/blk\n"
                + "  if dd if=/tmp/blk of=/dev/sda bs=4096 seek=$i count=1 conv=fsync,notrunc 2>/dev/null;"
                + " then echo $i >> /tmp/done; else echo $i >> /tmp/failed; fi\n"
                + "  i=$((i+1))\n"
                + "done\ntouch /tmp/finished\nEOF\n"
                + "rm -f /tmp/done /tmp/failed /tmp/finished; (setsid sh /tmp/stream.sh </dev/null >/dev/null 2>&1 &)");
        Await.on("B's writes to start (blocks done)", () -> count("B", "/tmp/done")).within(Duration.ofSeconds(120))
                .every(Guests.POLL).until(n -> n >= 20);
        Path pidFile = viosRun().resolve("storage.pid");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        run("kill", "-KILL", Long.toString(pid));
        int atKill = count("B", "/tmp/done");
        assertThat(atKill).as("the stream was still writing when the server died").isLessThan(120);
        Guests.awaitState(d, "VIOS1", "Error", Duration.ofSeconds(30));
        assertThat(d.hmc("lsrefcode", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=VIOS1", "-F", "refcode")
                .stdout().strip()).isEqualTo("B200F008");
        ok(power("on", "VIOS1", "-f", "default"));
        Guests.awaitState(d, "VIOS1", "Running", Duration.ofSeconds(90));
        Await.on("B's write stream to finish (/tmp/finished)",
                () -> sh("B", "[ -e /tmp/finished ] && echo yes || echo no").strip()).within(Duration.ofSeconds(300))
                .every(Guests.POLL).detail(() -> "done " + count("B", "/tmp/done")).until("yes"::equals);
        assertThat(Guests.state(d, "B")).as("the client rode it out").isEqualTo("Running");
        List<Integer> done = numbers(sh("B", "cat /tmp/done"));
        List<Integer> failed = numbers(sh("B", "cat /tmp/failed 2>/dev/null || true"));
        assertThat(done.size() + failed.size()).isEqualTo(120);
        System.out.printf("storage server killed after %d acknowledged writes; %d completed, %d failed%n", atKill,
                done.size(), failed.size());
        assertThat(done).as("writes went on after the server came back").contains(120);
        try (FileChannel f = FileChannel.open(viosFile("pools/pool1/diskB"))) {
            for (int i : done) {
                ByteBuffer b = ByteBuffer.allocate(4096);
                f.read(b, i * 4096L);
                String expected = ("block-" + i + "\n").repeat(4096).substring(0, 4096);
                assertThat(new String(b.array(), StandardCharsets.ISO_8859_1)).as("block %d, acknowledged", i)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    @Order(6)
    void aBackingFileDeletedUnderAMappingRefusesItsClientAndTheOthersAreStillServed() throws Exception {
        ok(power("shutdown", "A", "--immed"));
        Guests.awaitState(d, "A", "Not Activated", Duration.ofSeconds(60));
        Files.delete(viosFile("pools/pool1/diskA2"));
        var r = power("on", "A", "-f", "default");
        assertThat(r.exit()).isNotZero();
        assertThat(r.stdout()).startsWith("HSCL").contains("virtual target device vtscsi2")
                .contains("Virtual I/O Server VIOS1").contains("rmvdev -vtd vtscsi2");
        assertThat(Guests.state(d, "A")).isEqualTo("Not Activated");
        assertThat(vios("lsmap -vadapter vhost0")).contains("vtscsi2").contains("Defined");
        // B still reads its own disk through the same server, past its page cache.
        assertThat(sh("B", "echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/sda bs=4096 skip=120 count=1 2>/dev/null"
                + " | head -c 10")).isEqualTo("block-120\n");
    }

    @Test
    @Order(7)
    void restartingTheViosStartsANewStorageServerAndItsClientCarriesOn() throws Exception {
        long before = Long.parseLong(Files.readString(viosRun().resolve("storage.pid")).strip());
        ok(power("restart", "VIOS1", "--immed"));
        Await.until("the old storage server to end", Duration.ofSeconds(30),
                () -> !ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false));
        Guests.awaitState(d, "VIOS1", "Running", Duration.ofSeconds(90));
        assertThat(Long.parseLong(Files.readString(viosRun().resolve("storage.pid")).strip())).isNotEqualTo(before);
        sh("B", "yes after-restart | head -c 4096 > /tmp/r && dd if=/tmp/r of=/dev/sda bs=4096 seek=200 count=1"
                + " conv=fsync 2>/dev/null");
        try (FileChannel f = FileChannel.open(viosFile("pools/pool1/diskB"))) {
            ByteBuffer b = ByteBuffer.allocate(14);
            f.read(b, 200 * 4096L);
            assertThat(new String(b.array(), StandardCharsets.ISO_8859_1)).isEqualTo("after-restart\n");
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    static int count(String lpar, String file) {
        Guests.Exec e = Guests.exec(d, lpar, "/bin/sh", "-c", "cat " + file + " 2>/dev/null | wc -l");
        return e.status() == 200 ? Integer.parseInt(e.stdout().strip()) : 0;
    }

    static List<Integer> numbers(String lines) {
        return lines.lines().filter(l -> !l.isBlank()).map(l -> Integer.parseInt(l.strip())).toList();
    }

    record ProcessResult(int exit, String out) {
    }

    static ProcessResult run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return new ProcessResult(p.waitFor(), out);
    }

    @AfterAll
    static void stop() throws Exception {
        if (d != null) {
            for (String n : List.of("A", "B", "VIOS1")) {
                power("shutdown", n, "--immed");
            }
            d.close();
        }
        if (iso != null) {
            Files.deleteIfExists(iso);
        }
    }
}
