package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Live Partition Mobility of a partition whose disk is a SAN LUN served by a VIOS (issue 14): sys1
 * and sys2 are two daemons whose {@code vios.san} is the same directory, each with a VIOS (its
 * storage server, no guest). One TCG client, mob, has hdisk1 of sys1's VIOS1 mapped whole. A
 * logical volume and a destination that cannot host the disk are refused with nothing changed; a
 * stopped migration leaves sys2 with no mapping; the migration moves the guest to sys2, where
 * VIOS2 serves the same LUN: what the guest wrote on sys1 is read there, what it writes there is in
 * the LUN's file, and sys1's VIOS keeps neither the mapping nor the server adapter. sys2 has two
 * VIOSes: {@code -i virtual_scsi_mappings=} picks VIOS3 (a VIOS that does not exist, does not run
 * or cannot reach the disk is refused, naming it), and mob's client adapter with no disk (slot 3)
 * pairs with the same VIOS on each side. sys2's daemon then restarts and takes mob back running, its
 * disk still the LUN. Suspended on sys2, mob moves back to sys1 with its saved
 * state, which stays in the SAN's reserved storage, and resumes there with its memory and processes
 * (a value in tmpfs, a counting process); a saved state the destination cannot reach is refused.
 * Snapshotted on sys1 (issue 19), mob moves live to sys2 with its snapshot and reverts to it there
 * (a tmpfs value and a counter on the disk back at the snapshot), then moves back inactive with it.
 */
@Tag("guest")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SanMobilityTest {
    static Path san;
    static RunningDaemon a;
    static RunningDaemon b;
    /** A third system on no SAN (its VIOSes would see none of sys1's LUNs); runs no partition. */
    static RunningDaemon c;
    /** The guest's only disk (LUN 0 of its adapter in slot 2). */
    static final String DISK = "DISK=/dev/$(cd /sys/block; for b in sd*; do echo $b; done | head -1); ";

    @BeforeAll
    static void start() throws Exception {
        san = Files.createTempDirectory("parvirt-san-");
        try (RandomAccessFile f = new RandomAccessFile(san.resolve("lun1").toFile(), "rw")) {
            f.setLength(64L << 20);
        }
        a = RunningDaemon.start("vios.san=" + san + "\n");
        b = RunningDaemon.start("system.name=sys2\nvios.san=" + san + "\n");
        c = RunningDaemon.start("system.name=sys3\n");
        sys1Targets();
        Guests.define(a, "VIOS1", "vioserver", "\"virtual_scsi_adapters=2/server/any//any/1,3/server/any//any/0\"");
        Guests.define(a, "mob", "aixlinux", "\"virtual_scsi_adapters=2/client//VIOS1/2/1,3/client//VIOS1/3/0\"");
        // sys2's VIOS has an adapter of its own (slot 2) for a partition of sys2's
        Guests.define(b, "sys2", "VIOS2", "vioserver", "virtual_scsi_adapters=2/server/any//any/1");
        Guests.define(b, "sys2", "VIOS3", "vioserver", "lpar_id=3");
        MobilityTest.ok(a.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "VIOS1", "-f", "default"));
        MobilityTest.awaitState(a, "sys1", "VIOS1", "Running", Duration.ofSeconds(90));
        Guests.vios(a, "VIOS1", "mkvdev -vdev hdisk1 -vadapter vhost0 -dev mobdisk");
    }

    /** sys1's mobility reaches sys2 and sys3 (the daemons of this JVM; b may have been restarted). */
    static void sys1Targets() {
        a.daemon().operations().mobility().targets(name -> name.equals("sys2")
                ? java.util.Optional.of(b.daemon().operations().mobilityTarget()) : name.equals("sys3")
                ? java.util.Optional.of(c.daemon().operations().mobilityTarget()) : java.util.Optional.empty());
    }

    @AfterAll
    static void stop() throws Exception {
        if (c != null) {
            c.close();
        }
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        if (san != null) {
            try (var s = Files.walk(san)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p); // the LUN, the reserved storage and what a failed check left in it
                }
            }
        }
    }

    static String listings() {
        return a.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name,lpar_id,state").stdout()
                + a.hmc("lssyscfg", "-r", "prof", "-m", "sys1", "-F", "lpar_name,virtual_scsi_adapters").stdout()
                + Guests.vios(a, "VIOS1", "lsmap -all -fmt :")
                + b.hmc("lssyscfg", "-r", "lpar", "-m", "sys2", "-F", "name,lpar_id,state").stdout()
                + b.hmc("lssyscfg", "-r", "prof", "-m", "sys2", "-F", "lpar_name,virtual_scsi_adapters").stdout()
                + Guests.vios(b, "sys2", "VIOS2", "lsmap -all -fmt :");
    }

    static RunningDaemon.Hmc migrlpar(String op) {
        return a.hmc("migrlpar", "-o", op, "-m", "sys1", "-t", "sys2", "-p", "mob");
    }

    /** The same, asking for the destination VIOSes ({@code -i virtual_scsi_mappings=MAPPINGS}). */
    static RunningDaemon.Hmc migrlpar(String op, String mappings) {
        return a.hmc("migrlpar", "-o", op, "-m", "sys1", "-t", "sys2", "-p", "mob", "-i",
                "\"virtual_scsi_mappings=" + mappings + "\"");
    }

    /** The refusal of a VIOS that virtual_scsi_mappings names for mob's adapter {@code slot}. */
    static String named(String vios, int slot, String why) {
        return "HSCLA319 The Virtual I/O Server " + vios + " that virtual_scsi_mappings names for virtual SCSI adapter "
                + slot + " of partition mob " + why + " on the destination managed system sys2.\n";
    }

    static String sh(RunningDaemon d, String script) {
        Guests.Exec e = Guests.exec(d, "mob", "/bin/sh", "-c", script);
        assertThat(e.exit()).as(script + ": " + e.stdout() + e.stderr() + e.body()).isZero();
        return e.stdout();
    }

    static String lunBytes(long offset, int length) throws Exception {
        byte[] buf = new byte[length];
        try (RandomAccessFile f = new RandomAccessFile(san.resolve("lun1").toFile(), "r")) {
            f.seek(offset);
            f.readFully(buf);
        }
        return new String(buf, StandardCharsets.US_ASCII);
    }

    @Test
    @Order(1)
    void aLogicalVolumeAndADestinationThatCannotHostTheDiskAreRefusedWithNothingChanged() {
        // mob is Not Activated: the inactive checks are the same for its devices
        Guests.vios(a, "VIOS1", "mkbdsp -sp rootvg 64M -bd lv01 -vadapter vhost0");
        String before = listings();
        var v = migrlpar("v");
        assertThat(v.exit()).isNotZero();
        assertThat(v.stdout().lines().toList()).anySatisfy(l -> assertThat(l).startsWith("HSCLA24E The virtual SCSI "
                + "device vtscsi0 (virtual SCSI client adapter 2, Virtual I/O Server VIOS1) of partition mob is "
                + "backed by logical volume lv01").contains("not accessible from the destination"))
                .allMatch(l -> l.startsWith("HSCLA24E ") || l.startsWith("HSCLA319 "));
        assertThat(listings()).isEqualTo(before);
        Guests.vios(a, "VIOS1", "rmbdsp -vtd vtscsi0");
        String clean = listings();

        // no VIOS runs on sys2
        var none = migrlpar("v");
        assertThat(none.stdout()).isEqualTo("HSCLA319 The virtual SCSI adapter 2 of partition mob cannot be hosted by "
                + "the Virtual I/O Server partitions of the destination managed system sys2: no Virtual I/O Server "
                + "runs there.\n");
        // the VIOS asked for: one that does not run, one that does not exist (by id, or by a name not its id's)
        assertThat(migrlpar("v", "2/VIOS2/1").stdout()).isEqualTo(named("VIOS2 (ID 1)", 2, "is not running"));
        assertThat(migrlpar("m", "2/VIOS9/9,3/VIOS3/1").stdout()).isEqualTo(named("VIOS9 (ID 9)", 2,
                "does not exist there") + named("VIOS3 (ID 1)", 3, "does not exist there"));
        assertThat(migrlpar("v", "2/VIOS2").stdout()).startsWith("HSCL").contains("slot/[vios_name]/vios_id[/vios_slot]");
        assertThat(migrlpar("v", "4/VIOS2/1").stdout()).contains("virtual_scsi_mappings entry for slot 4 names no "
                + "virtual SCSI client adapter of partition mob");
        // a system that does not see the LUN (not zoned to it)
        assertThat(a.hmc("migrlpar", "-o", "v", "-m", "sys1", "-t", "sys3", "-p", "mob").stdout()).isEqualTo("HSCLA319 "
                + "The virtual SCSI adapter 2 of partition mob cannot be hosted by the Virtual I/O Server partitions "
                + "of the destination managed system sys3: no Virtual I/O Server there sees LUN lun1.\n");
        assertThat(listings()).isEqualTo(clean);
        assertThat(c.hmc("lssyscfg", "-r", "lpar", "-m", "sys3", "-F", "name").stdout()).doesNotContain("mob");
        MobilityTest.ok(b.hmc("chsysstate", "-m", "sys2", "-r", "lpar", "-o", "on", "-n", "VIOS2", "-f", "default"));
        MobilityTest.awaitState(b, "sys2", "VIOS2", "Running", Duration.ofSeconds(90));
        // sys2's VIOS maps the LUN already (to its own adapter): it cannot take mob's disk
        Guests.vios(b, "sys2", "VIOS2", "mkvdev -vdev hdisk1 -vadapter vhost0");
        String mapped = listings();
        assertThat(migrlpar("v").stdout()).isEqualTo("HSCLA319 The virtual SCSI adapter 2 of partition mob cannot "
                + "be hosted by the Virtual I/O Server partitions of the destination managed system sys2: its physical "
                + "volume hdisk1 is already mapped there.\n");
        assertThat(migrlpar("v", "2//1").stdout()).isEqualTo(named("with ID 1", 2, "cannot reach the disks of that "
                + "adapter: its physical volume hdisk1 is already mapped there"));
        assertThat(a.hmc("lslparmigr", "-r", "virtualio", "-m", "sys1", "-t", "sys2", "--filter", "lpar_names=mob")
                .stdout()).startsWith("possible_virtual_scsi_mappings=3/VIOS2/1,"); // slot 3 has no disk
        assertThat(migrlpar("m").exit()).isNotZero();
        assertThat(listings()).isEqualTo(mapped);
        Guests.vios(b, "sys2", "VIOS2", "rmvdev -vdev hdisk1");

        var ok = migrlpar("v");
        assertThat(ok.exit()).as(ok.stdout()).isZero();
        assertThat(a.hmc("lslparmigr", "-r", "virtualio", "-m", "sys1", "-t", "sys2", "--filter", "lpar_names=mob")
                .stdout()).contains("possible_virtual_scsi_mappings=2/VIOS2/1,3/VIOS2/1")
                .contains("suggested_virtual_scsi_mappings=2/VIOS2/1,3/VIOS2/1");
        assertThat(migrlpar("v", "2/VIOS3/3").stdout()).isEqualTo(named("VIOS3 (ID 3)", 2, "is not running"));
        MobilityTest.ok(b.hmc("chsysstate", "-m", "sys2", "-r", "lpar", "-o", "on", "-n", "VIOS3", "-f", "default"));
        MobilityTest.awaitState(b, "sys2", "VIOS3", "Running", Duration.ofSeconds(90));
        String running = listings();
        var chosen = migrlpar("v", "2/VIOS3/3");
        assertThat(chosen.exit()).as(chosen.stdout()).isZero();
        assertThat(listings()).isEqualTo(running);
    }

    @Test
    @Order(2)
    void aStoppedMigrationLeavesTheDestinationWithoutMappingAndTheSourceServing() throws Exception {
        MobilityTest.ok(a.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-o", "on", "-n", "mob", "-f", "default"));
        MobilityTest.awaitState(a, "sys1", "mob", "Running", Duration.ofSeconds(240));
        Await.on("mob's guest agent", () -> Guests.exec(a, "mob", "/bin/true").status())
                .within(Duration.ofSeconds(120)).every(Guests.POLL).until(s -> s == 200);
        // the pattern, written past the guest's cache (O_DIRECT), before anything moves
        sh(a, DISK + "printf 'parvirt-san-one-%0496d' 0 > /tmp/one && dd if=/tmp/one of=$DISK bs=512 count=1 "
                + "oflag=direct conv=fsync 2>/dev/null");
        assertThat(lunBytes(0, 16)).isEqualTo("parvirt-san-one-");
        String before = listings();

        a.daemon().operations().mobility().bandwidth(MobilityTest.SLOW);
        CompletableFuture<RunningDaemon.Hmc> m = CompletableFuture.supplyAsync(() -> migrlpar("m"));
        Await.on("the migration to be in progress", () -> a.hmc("lslparmigr", "-r", "lpar", "-m", "sys1",
                "--filter", "lpar_names=mob").stdout()).within(Duration.ofSeconds(120)).every(Guests.POLL)
                .until(s -> s.contains("migration_state=Migration In Progress") && !s.contains("bytes_transmitted=0,"));
        // in flight, VIOS2 serves mob's disk on an adapter made for it
        assertThat(Guests.vios(b, "sys2", "VIOS2", "lsmap -all -field svsa clientid vtd backing -fmt :"))
                .contains(":0x00000002:mobdisk:hdisk1");
        MobilityTest.ok(a.hmc("migrlpar", "-o", "s", "-m", "sys1", "-p", "mob"));
        assertThat(m.get().stdout()).contains("was stopped");
        assertThat(listings()).isEqualTo(before);
        assertThat(sh(a, DISK + "dd if=$DISK bs=512 count=1 iflag=direct 2>/dev/null")).startsWith("parvirt-san-one-");
    }

    @Test
    @Order(3)
    void theGuestMovesWithItsDiskAndWritesToTheSameLunOnTheDestination() throws Exception {
        a.daemon().operations().mobility().bandwidth(10L << 30);
        // written past the guest's cache but not flushed by the guest: QEMU's switch-over flushes it
        sh(a, DISK + "printf 'parvirt-san-two-%0496d' 0 > /tmp/two && dd if=/tmp/two of=$DISK bs=512 count=1 "
                + "seek=1 oflag=direct 2>/dev/null");

        MobilityTest.ok(migrlpar("m", "2/VIOS3/3"));
        MobilityTest.awaitState(b, "sys2", "mob", "Running", Duration.ofSeconds(60));
        Await.on("mob's guest agent on sys2", () -> Guests.exec(b, "mob", "/bin/true").status())
                .within(Duration.ofSeconds(60)).every(Guests.POLL).until(s -> s == 200);
        assertThat(sh(b, DISK + "dd if=$DISK bs=1024 count=1 iflag=direct 2>/dev/null")).isEqualTo(
                lunBytes(0, 1024)).startsWith("parvirt-san-one-").contains("parvirt-san-two-");
        sh(b, DISK + "printf 'parvirt-san-3rd-%0496d' 0 > /tmp/three && dd if=/tmp/three of=$DISK bs=512 count=1 "
                + "seek=2048 oflag=direct conv=fsync 2>/dev/null");
        assertThat(lunBytes(1 << 20, 16)).isEqualTo("parvirt-san-3rd-");

        // sys2: VIOS3, as asked, serves it on a server adapter naming mob, whose profile names VIOS3; its
        // adapter with no disk (slot 3) pairs with VIOS3 too, not with the source's VIOS1 any more
        String slot = b.hmc("lssyscfg", "-r", "prof", "-m", "sys2", "--filter", "lpar_names=VIOS3", "-F",
                "virtual_scsi_adapters").stdout();
        assertThat(slot).contains("2/server/2/mob/2/").contains("3/server/2/mob/3/");
        assertThat(b.hmc("lssyscfg", "-r", "prof", "-m", "sys2", "--filter", "lpar_names=mob", "-F",
                "virtual_scsi_adapters").stdout()).contains("2/client/3/VIOS3/2/").contains("3/client/3/VIOS3/3/")
                .doesNotContain("VIOS1");
        assertThat(Guests.vios(b, "sys2", "VIOS3", "lsmap -all -field clientid vtd backing -fmt :"))
                .contains("0x00000002:mobdisk:hdisk1");
        assertThat(Guests.vios(b, "sys2", "VIOS2", "lsmap -all -fmt :")).doesNotContain("mobdisk");
        // sys1: neither the partition, nor its mapping, nor the server adapter that served it
        assertThat(a.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name").stdout()).isEqualTo("VIOS1\n");
        assertThat(a.hmc("lssyscfg", "-r", "prof", "-m", "sys1", "--filter", "lpar_names=VIOS1", "-F",
                "virtual_scsi_adapters").stdout()).doesNotContain("server");
        assertThat(Guests.vios(a, "VIOS1", "lsmap -all -fmt :")).doesNotContain("mobdisk");
        assertThat(Guests.vios(a, "VIOS1", "lspv -free -field name -fmt :")).isEqualTo("hdisk1\n");

        // sys2's daemon restarts after the move: it takes mob back running, its disk served by VIOS3 from the LUN
        io.parvirt.home.ParvirtHome home = b.home();
        b.daemon().stop();
        b = RunningDaemon.startAgain(home);
        sys1Targets();
        MobilityTest.awaitState(b, "sys2", "mob", "Running", Duration.ofSeconds(60));
        sh(b, DISK + "printf 'parvirt-san-4th-%0496d' 0 > /tmp/four && dd if=/tmp/four of=$DISK bs=512 count=1 "
                + "seek=4096 oflag=direct conv=fsync 2>/dev/null");
        assertThat(lunBytes(2 << 20, 16)).isEqualTo("parvirt-san-4th-");
        assertThat(Guests.vios(b, "sys2", "VIOS3", "lsmap -all -field clientid vtd backing -fmt :"))
                .contains("0x00000002:mobdisk:hdisk1");
    }

    @Test
    @Order(4)
    void aSuspendedPartitionMovesWithItsSavedStateOnTheSanAndResumesOnTheOtherSystem() throws Exception {
        long t0 = System.nanoTime();
        b.daemon().operations().mobility().targets(name -> name.equals("sys1")
                ? java.util.Optional.of(a.daemon().operations().mobilityTarget()) : name.equals("sys3")
                ? java.util.Optional.of(c.daemon().operations().mobilityTarget()) : java.util.Optional.empty());
        MobilityTest.ok(b.hmc("chsyscfg", "-r", "lpar", "-m", "sys2", "-i", "name=mob,suspend_capable=1"));
        String uuid = b.hmc("lssyscfg", "-r", "lpar", "-m", "sys2", "--filter", "lpar_names=mob", "-F", "uuid")
                .stdout().strip();
        // the witnesses: a value in the guest's memory (tmpfs) and a counting process, as in SuspendResumeTest
        sh(b, "mkdir -p /mnt/susp && mount -t tmpfs tmpfs /mnt/susp && echo moved-value-42 > /mnt/susp/v");
        String pid = sh(b, "(" + COUNTER + ") </dev/null >/dev/null 2>&1 & echo $!").strip();
        Await.on("the counter to count", () -> count(b)).within(Duration.ofSeconds(60)).every(Guests.POLL)
                .until(n -> n >= 2);
        String process = sh(b, "cut -d' ' -f1,2,22 /proc/" + pid + "/stat").strip();
        assertThat(process).startsWith(pid + " (sh) ");
        int before = count(b);

        MobilityTest.ok(b.hmc("chlparstate", "-o", "suspend", "-m", "sys2", "-p", "mob"));
        assertThat(MobilityTest.state(b, "sys2", "mob")).isEqualTo("Suspended");
        // its first disk is a SAN LUN: the saved state is in the SAN's reserved storage, which is no LUN
        Path saved = san.resolve(".parvirt-reserved").resolve("parvirt-suspend-" + uuid + ".state");
        assertThat(saved).isRegularFile();
        assertThat(Guests.vios(a, "VIOS1", "lspv -free -field name -fmt :")).isEqualTo("hdisk1\n");

        // refused, one line per rule, nothing changed: a state file gone from the SAN (both systems say so),
        // and a destination on no SAN (its VIOSes reach neither the disk nor the saved state)
        String suspended = listings();
        Path away = saved.resolveSibling("away");
        java.nio.file.Files.move(saved, away);
        var gone = b.hmc("migrlpar", "-o", "v", "-m", "sys2", "-t", "sys1", "-p", "mob");
        assertThat(gone.exit()).isNotZero();
        assertThat(b.hmc("migrlpar", "-o", "m", "-m", "sys2", "-t", "sys1", "-p", "mob").stdout())
                .as("-o m stops at the source's check").isEqualTo(gone.stdout().lines().findFirst().get() + "\n");
        assertThat(gone.stdout()).isEqualTo("HSCLA24E The saved state of suspended partition mob (parvirt-suspend-"
                + uuid + ".state) is missing from the SAN's reserved storage.\n"
                + "HSCLA24E The saved state of suspended partition mob (parvirt-suspend-" + uuid + ".state in the "
                + "SAN's reserved storage) is not reachable from the Virtual I/O Servers of the destination managed "
                + "system sys1: their SAN does not have it.\n");
        java.nio.file.Files.move(away, saved);
        assertThat(b.hmc("migrlpar", "-o", "v", "-m", "sys2", "-t", "sys3", "-p", "mob").stdout()).isEqualTo(
                "HSCLA319 The virtual SCSI adapter 2 of partition mob cannot be hosted by the Virtual I/O Server "
                + "partitions of the destination managed system sys3: no Virtual I/O Server there sees LUN lun1.\n"
                + "HSCLA24E The saved state of suspended partition mob (parvirt-suspend-" + uuid + ".state in the "
                + "SAN's reserved storage) is not reachable from the Virtual I/O Servers of the destination managed "
                + "system sys3: they are on no SAN.\n");
        assertThat(listings()).isEqualTo(suspended);
        assertThat(c.hmc("lssyscfg", "-r", "lpar", "-m", "sys3", "-F", "name").stdout()).doesNotContain("mob");

        var ok = b.hmc("migrlpar", "-o", "v", "-m", "sys2", "-t", "sys1", "-p", "mob");
        assertThat(ok.exit()).as(ok.stdout()).isZero();
        long m0 = System.nanoTime();
        MobilityTest.ok(b.hmc("migrlpar", "-o", "m", "-m", "sys2", "-t", "sys1", "-p", "mob"));
        long moveMs = (System.nanoTime() - m0) / 1_000_000;
        // Suspended on sys1 with its mapping there, from the same file; sys2 keeps nothing of it
        assertThat(MobilityTest.state(a, "sys1", "mob")).isEqualTo("Suspended");
        assertThat(saved).isRegularFile();
        assertThat(Guests.vios(a, "VIOS1", "lsmap -all -field clientid vtd backing -fmt :"))
                .contains("0x00000002:mobdisk:hdisk1");
        assertThat(b.hmc("lssyscfg", "-r", "lpar", "-m", "sys2", "-F", "name").stdout()).isEqualTo("VIOS2\nVIOS3\n");
        assertThat(b.home().root().resolve("suspended")).isEmptyDirectory();
        assertThat(Guests.vios(b, "sys2", "VIOS3", "lsmap -all -fmt :")).doesNotContain("mobdisk");
        assertThat(b.hmc("lslparmigr", "-r", "lpar", "-m", "sys2").stdout()).doesNotContain("mob");

        long r0 = System.nanoTime();
        MobilityTest.ok(a.hmc("chlparstate", "-o", "resume", "-m", "sys1", "-p", "mob"));
        long resumeMs = (System.nanoTime() - r0) / 1_000_000;
        assertThat(MobilityTest.state(a, "sys1", "mob")).isEqualTo("Running");
        assertThat(saved).as("the saved state is deleted once the guest runs again").doesNotExist();
        Await.on("mob's guest agent on sys1", () -> Guests.exec(a, "mob", "/bin/true").status())
                .within(Duration.ofSeconds(60)).every(Guests.POLL).until(st -> st == 200);
        assertThat(sh(a, "cat /mnt/susp/v").strip()).isEqualTo("moved-value-42");
        assertThat(sh(a, "cut -d' ' -f1,2,22 /proc/" + pid + "/stat").strip()).as("the counter is the same process")
                .isEqualTo(process);
        int after = count(a);
        assertThat(after).as("it counts on from where it was").isGreaterThanOrEqualTo(before);
        Await.on("the counter to go on", () -> count(a)).within(Duration.ofSeconds(60)).every(Guests.POLL)
                .until(n -> n > after);
        assertThat(sh(a, DISK + "dd if=$DISK bs=512 count=1 iflag=direct 2>/dev/null")).startsWith("parvirt-san-one-");
        System.out.printf("suspended mobility: move %d ms, resume on the other system %d ms, check %d s%n", moveMs,
                resumeMs, (System.nanoTime() - t0) / 1_000_000_000);
    }

    /** Writes {@code parvirt-count-N-} padded to one sector at 2 MiB of the disk, past the guest's cache, unflushed. */
    static String writeCount(int n) {
        return DISK + "printf 'parvirt-count-" + n + "-%0" + (512 - 16 - String.valueOf(n).length() + 1)
                + "d' 0 > /tmp/c && dd if=/tmp/c of=$DISK bs=512 count=1 seek=4096 oflag=direct 2>/dev/null";
    }

    static String readCount(RunningDaemon d) {
        return sh(d, DISK + "dd if=$DISK bs=512 count=1 skip=4096 iflag=direct 2>/dev/null").replaceAll("-0+$", "");
    }

    /** The systems whose processes hold files of the LUN's snapshot layers open (by their homes' paths). */
    static java.util.Set<String> layerHolders() throws Exception {
        java.util.Set<String> out = new java.util.TreeSet<>();
        String layers = san.resolve(".lun1.snap").toString();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                boolean holds = false;
                try (var fds = Files.list(proc.resolve("fd"))) {
                    for (Path fd : fds.toList()) {
                        try {
                            holds |= Files.readSymbolicLink(fd).toString().startsWith(layers);
                        } catch (java.io.IOException e) {
                            // closed meanwhile
                        }
                    }
                } catch (java.io.IOException e) {
                    continue; // ended, or not ours
                }
                if (holds) {
                    String cmd = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
                    out.add(cmd.contains(a.home().root().toString()) ? "sys1" : cmd.contains(b.home().root()
                            .toString()) ? "sys2" : "other: " + cmd);
                }
            }
        }
        return out;
    }

    /**
     * Issue 19: a snapshotted partition migrates live with its snapshots (their layers beside the
     * LUN and the memory file in the SAN's reserved storage stay where they are; the records move)
     * and reverts on the destination to the snapshot's disk and memory; the source keeps no record
     * and its VIOS no layer open. The disk's counter written after the snapshot is not flushed by
     * the guest: its block's layer bit reaches the layer's map only with the source's last flush,
     * after the destination's storage server opened the layers, which it reads again before the
     * guest runs there.
     */
    @Test
    @Order(5)
    void aSnapshottedPartitionMovesLiveWithItsSnapshotsAndRevertsToThemOnTheDestination() throws Exception {
        long t0 = System.nanoTime();
        String uuid = a.hmc("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=mob", "-F", "uuid")
                .stdout().strip();
        sh(a, "mkdir -p /mnt/snap && mount -t tmpfs tmpfs /mnt/snap && echo at-snapshot > /mnt/snap/v");
        sh(a, writeCount(1) + " conv=fsync");
        MobilityTest.ok(a.hmc("mklparsnap", "-m", "sys1", "-p", "mob", "-n", "before"));
        Path memory = san.resolve(".parvirt-reserved").resolve("parvirt-snap-" + uuid + "-before.mem");
        assertThat(memory).as("a memory snapshot of a SAN partition is in the SAN's reserved storage").isRegularFile();
        assertThat(san.resolve(".lun1.snap")).as("its layers beside the LUN").isDirectory();
        sh(a, "echo after-snapshot > /mnt/snap/v");
        sh(a, writeCount(2));
        assertThat(layerHolders()).containsExactly("sys1");

        MobilityTest.ok(migrlpar("m"));
        MobilityTest.awaitState(b, "sys2", "mob", "Running", Duration.ofSeconds(60));
        Await.on("mob's guest agent on sys2", () -> Guests.exec(b, "mob", "/bin/true").status())
                .within(Duration.ofSeconds(60)).every(Guests.POLL).until(st -> st == 200);
        assertThat(readCount(b)).as("the write after the snapshot, flushed only by the switch-over")
                .isEqualTo("parvirt-count-2");
        assertThat(b.hmc("lslparsnap", "-m", "sys2", "-p", "mob", "-F", "name,with_memory").stdout())
                .isEqualTo("before,1\n");
        assertThat(a.home().root().resolve("snapshots").resolve(uuid + ".json")).doesNotExist();
        assertThat(layerHolders()).as("only the destination's VIOS serves the layers").containsExactly("sys2");

        long r0 = System.nanoTime();
        MobilityTest.ok(b.hmc("rstlparsnap", "-m", "sys2", "-p", "mob", "-n", "before"));
        long revertMs = (System.nanoTime() - r0) / 1_000_000;
        assertThat(MobilityTest.state(b, "sys2", "mob")).isEqualTo("Running");
        Await.on("mob's guest agent after the revert", () -> Guests.exec(b, "mob", "/bin/true").status())
                .within(Duration.ofSeconds(60)).every(Guests.POLL).until(st -> st == 200);
        assertThat(sh(b, "cat /mnt/snap/v").strip()).isEqualTo("at-snapshot");
        assertThat(readCount(b)).isEqualTo("parvirt-count-1");
        assertThat(memory).as("the snapshot stays, with its memory").isRegularFile();

        // back to where the next check starts: Not Activated on sys2
        MobilityTest.ok(b.hmc("chsysstate", "-m", "sys2", "-r", "lpar", "-o", "shutdown", "--immed", "-n", "mob"));
        MobilityTest.awaitState(b, "sys2", "mob", "Not Activated", Duration.ofSeconds(60));
        System.out.printf("snapshotted mobility: revert on the destination %d ms, check %d s%n", revertMs,
                (System.nanoTime() - t0) / 1_000_000_000);
    }

    /** The guest's counter (written beside and renamed over, so a read never sees it empty). */
    private static final String COUNTER = "i=0; while true; do i=$((i+1)); echo $i > /mnt/susp/count.t; "
            + "mv /mnt/susp/count.t /mnt/susp/count; sleep 1; done";

    static int count(RunningDaemon d) {
        return Integer.parseInt(sh(d, "cat /mnt/susp/count").strip());
    }

    @Test
    @Order(6)
    void aNotActivatedPartitionMovesBackWithItsMappingAndNoStream() {
        MobilityTest.ok(b.hmc("migrlpar", "-o", "m", "-m", "sys2", "-t", "sys1", "-p", "mob"));
        // its snapshot moves with it (inactive mobility), the memory file staying on the SAN
        assertThat(a.hmc("lslparsnap", "-m", "sys1", "-p", "mob", "-F", "name,with_memory").stdout())
                .isEqualTo("before,1\n");
        assertThat(b.home().root().resolve("snapshots")).isEmptyDirectory();

        assertThat(MobilityTest.state(a, "sys1", "mob")).isEqualTo("Not Activated");
        assertThat(a.hmc("lssyscfg", "-r", "prof", "-m", "sys1", "--filter", "lpar_names=mob", "-F",
                "virtual_scsi_adapters").stdout()).contains("2/client/1/VIOS1/2/").contains("3/client/1/VIOS1/3/");
        assertThat(Guests.vios(a, "VIOS1", "lsmap -all -field clientid vtd backing -fmt :"))
                .isEqualTo("0x00000002:mobdisk:hdisk1\n0x00000002\n");
        // sys2 keeps its own adapter (slot 2, for any client) and nothing of mob's
        assertThat(b.hmc("lssyscfg", "-r", "prof", "-m", "sys2", "--filter", "lpar_names=VIOS2", "-F",
                "virtual_scsi_adapters").stdout()).contains("2/server/any//any/1").doesNotContain("mob");
        assertThat(Guests.vios(b, "sys2", "VIOS2", "lsmap -all -fmt :")).doesNotContain("mobdisk");
        assertThat(b.hmc("lssyscfg", "-r", "prof", "-m", "sys2", "--filter", "lpar_names=VIOS3", "-F",
                "virtual_scsi_adapters").stdout()).doesNotContain("mob");
        assertThat(b.hmc("lssyscfg", "-r", "lpar", "-m", "sys2", "-F", "name").stdout()).isEqualTo("VIOS2\nVIOS3\n");
    }
}
