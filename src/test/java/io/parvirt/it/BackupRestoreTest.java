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
 * second one ({@code rstlpar}, another daemon with its own home and VIOS); the restored partition
 * boots there and its disk holds what the guest had written. One guest per system, one at a time.
 */
@Tag("guest")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupRestoreTest {
    static RunningDaemon one;
    static RunningDaemon two;
    static String written;
    /** The disk at LUN 0 of the guest, as $DISK. */
    static final String DISK = "DISK=/dev/$(cd /sys/block; for b in sd*; do case $(readlink -f $b/device) in"
            + " *:0) echo $b;; esac; done); ";

    @BeforeAll
    static void start() {
        one = RunningDaemon.start();
        two = RunningDaemon.start();
        for (RunningDaemon d : new RunningDaemon[] {one, two}) {
            Guests.define(d, "VIOS1", "vioserver", "\"virtual_scsi_adapters=2/server/any//any/1\"");
            Guests.vios(d, "VIOS1", "mksp -fb pool1 -size 256M");
            ok(d, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "VIOS1", "-f", "default");
        }
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
        Path backups = two.home().root().resolve("backups");
        Files.createDirectories(backups);
        Files.copy(one.home().root().resolve("backups/a.bk"), backups.resolve("a.bk"));
        // a truncated copy is refused with one line before anything is made
        byte[] whole = Files.readAllBytes(backups.resolve("a.bk"));
        Files.write(backups.resolve("cut.bk"), java.util.Arrays.copyOf(whole, whole.length - 100));
        String before = two.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name").stdout();
        RunningDaemon.Hmc cut = two.hmc("rstlpar", "-m", "sys1", "-f", "cut.bk");
        assertThat(cut.exit()).isNotZero();
        assertThat(cut.stdout()).startsWith("HSCL1302").contains("truncated").hasLineCount(1);
        assertThat(two.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name").stdout()).isEqualTo(before);

        ok(two, "rstlpar", "-m", "sys1", "-f", "a.bk");
        ok(one, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "A");
        Guests.awaitState(two, "VIOS1", "Running", Duration.ofSeconds(90));
        ok(two, "chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "A", "-f", "default");
        Guests.awaitState(two, "A", "Running", Duration.ofSeconds(300));
        Await.on("A's agent on the second system", () -> Guests.exec(two, "A", "/bin/true").exit())
                .within(Duration.ofSeconds(60)).every(Guests.POLL).until(e -> e == 0);
        assertThat(sh(two, DISK + "md5sum < $DISK")).isEqualTo(written);
    }
}
