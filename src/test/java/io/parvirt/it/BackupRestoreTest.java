package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 19: a running partition backed up on one managed system ({@code bklpar} while its guest
 * runs: a point-in-time copy made by its own QEMU's {@code blockdev-backup}) and restored on a
 * second one through the first, its HMC ({@code mksysconn}; {@code rstlpar -m sys2}: the archive is
 * streamed to sys2's daemon and restored there); the restored partition boots there and its disk
 * holds what the guest had written. One guest per system, one at a time.
 */
@Tag("guest")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupRestoreTest {
    static final String PW = "peer-pass-19";
    static RunningDaemon one;
    static RunningDaemon two;
    static String written;
    /** The disk at LUN 0 of the guest, as $DISK. */
    static final String DISK = "DISK=/dev/$(cd /sys/block; for b in sd*; do case $(readlink -f $b/device) in"
            + " *:0) echo $b;; esac; done); ";

    @BeforeAll
    static void start() {
        one = RunningDaemon.start();
        two = RunningDaemon.start("system.name=sys2\n");
        for (RunningDaemon d : new RunningDaemon[] {one, two}) {
            Guests.define(d, d.system(), "VIOS1", "vioserver", "\"virtual_scsi_adapters=2/server/any//any/1\"");
            Guests.vios(d, d.system(), "VIOS1", "mksp -fb pool1 -size 256M");
            ok(d, "chsysstate", "-m", d.system(), "-r", "lpar", "-o", "on", "-n", "VIOS1", "-f", "default");
        }
        // sys1's daemon is the HMC of both: sys2 is reached over its API (loopback: plain HTTP)
        ok(two, "mkhmcusr", "-u", "hscroot", "-a", "hmcsuperadmin", "--passwd", PW);
        ok(one, "mksysconn", "--ip", "127.0.0.1:" + two.port(), "-r", "sys", "-u", "hscroot", "--passwd", PW);
        Guests.define(one, "A", "aixlinux", "virtual_scsi_adapters=2/client//VIOS1/2/1");
        Guests.vios(one, "VIOS1", "mkbdsp -sp pool1 32M -bd diskA -vadapter vhost0");
        Guests.awaitState(one, "VIOS1", "Running", Duration.ofSeconds(90));
        ok(one, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "A", "-f", "default");
        Guests.awaitState(one, "A", "Running", Duration.ofSeconds(300));
    }

    @AfterAll
    static void stop() {
        for (RunningDaemon d : new RunningDaemon[] {one, two}) {
            if (d != null) {
                d.close();
            }
        }
    }

    static void ok(RunningDaemon d, String... argv) {
        RunningDaemon.Hmc r = d.hmc(argv);
        assertThat(r.exit()).as(String.join(" ", argv) + ": " + r.stdout()).isZero();
        assertThat(r.stdout()).as("silent success").isEmpty();
    }

    static String sh(RunningDaemon d, String script) {
        Guests.Exec e = Guests.exec(d, "A", "/bin/sh", "-c", script);
        assertThat(e.exit()).as(script + ": " + e.stdout() + e.stderr() + e.body()).isZero();
        return e.stdout();
    }

    @Test
    @Order(1)
    void aRunningPartitionIsBackedUpAsOfOneInstantWhileItKeepsRunning() {
        written = sh(one, DISK + "dd if=/dev/urandom of=$DISK bs=1M count=3 seek=5 conv=fsync 2>/dev/null"
                + " && md5sum < $DISK");
        ok(one, "bklpar", "-m", "sys1", "-p", "A", "-f", "a.bk");
        assertThat(Guests.state(one, "A")).isEqualTo("Running");
        // the guest still reads and writes its disk, and no copy job is left behind in its QEMU
        assertThat(sh(one, DISK + "md5sum < $DISK")).isEqualTo(written);
        assertThat(one.hmc("lslparjob", "-m", "sys1").stdout()).isEqualTo("No results were found.\n");
        sh(one, DISK + "dd if=/dev/zero of=$DISK bs=1M count=1 seek=5 conv=fsync 2>/dev/null");
    }

    @Test
    @Order(2)
    void theArchiveRestoresOnASecondSystemAndBootsWithTheDiskAsItWas() throws Exception {
        Path backups = one.home().root().resolve("backups");
        byte[] whole = Files.readAllBytes(backups.resolve("a.bk"));
        Files.write(backups.resolve("cut.bk"), java.util.Arrays.copyOf(whole, whole.length - 100));
        String before = two.hmc("lssyscfg", "-r", "lpar", "-m", "sys2", "-F", "name").stdout();
        String devices = Guests.vios(two, "sys2", "VIOS1", "lssp -bd -sp pool1");
        // a truncated archive is refused here with one line, before a byte is sent
        refused(one.hmc("rstlpar", "-m", "sys2", "-f", "cut.bk"), "HSCL1302", "truncated");
        // ... and by sys2 itself when one reaches it anyway (a damaged transfer): checked before anything is made
        var direct = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + two.port() + "/api/v1/backups/cut.bk/receive"))
                .header("Authorization", "Bearer " + two.token())
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(java.util.Arrays.copyOf(whole,
                        whole.length - 100))).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(direct.statusCode()).as(direct.body()).isEqualTo(400);
        assertThat(direct.body()).contains("HSCL1302").contains("truncated");
        // a name in use on sys2, and sys2's pool too full for the disk: one line each, from sys2
        refused(one.hmc("rstlpar", "-m", "sys2", "-f", "a.bk", "-n", "VIOS1"), "HSCL1308", "VIOS1");
        Guests.vios(two, "sys2", "VIOS1", "mkbdsp -sp pool1 240M -bd filler");
        refused(one.hmc("rstlpar", "-m", "sys2", "-f", "a.bk"), "HSCL130D", "pool1");
        Guests.vios(two, "sys2", "VIOS1", "rmbdsp -bd filler");
        assertThat(two.hmc("lssyscfg", "-r", "lpar", "-m", "sys2", "-F", "name").stdout()).isEqualTo(before);
        assertThat(Guests.vios(two, "sys2", "VIOS1", "lssp -bd -sp pool1")).isEqualTo(devices);
        assertThat(one.home().root().resolve("backups/a.bk")).hasBinaryContent(whole);

        ok(one, "rstlpar", "-m", "sys2", "-f", "a.bk");
        // the archive stays on sys1 only: sys2 keeps nothing of the transfer
        try (var left = Files.list(Files.createDirectories(two.home().root().resolve("backups")))) {
            assertThat(left.toList()).isEmpty();
        }
        assertThat(two.hmc("lslparjob", "-m", "sys2").stdout()).isEqualTo("No results were found.\n");
        ok(one, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "A");
        Guests.awaitState(two, "VIOS1", "Running", Duration.ofSeconds(90));
        ok(one, "chsysstate", "-m", "sys2", "-r", "lpar", "-o", "on", "-n", "A", "-f", "default");
        Guests.awaitState(two, "A", "Running", Duration.ofSeconds(300));
        Await.on("A's agent on the second system", () -> Guests.exec(two, "A", "/bin/true").exit())
                .within(Duration.ofSeconds(60)).every(Guests.POLL).until(e -> e == 0);
        assertThat(sh(two, DISK + "md5sum < $DISK")).isEqualTo(written);
    }

    static void refused(RunningDaemon.Hmc r, String code, String names) {
        assertThat(r.exit()).as(r.stdout()).isNotZero();
        assertThat(r.stdout()).startsWith(code + " ").contains(names).hasLineCount(1);
    }
}
