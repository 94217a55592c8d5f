package io.parvirt.partition.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.HmcResult;
import io.parvirt.testing.InProcessSystem;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: {@code bklpar}, {@code rstlpar} and {@code cplpar} of a Not Activated partition on the
 * real store and files (two managed systems in this JVM, each with its own VIOS storage): the
 * archive is sparse and compressed, a restore or a clone gets the same disk contents on a new
 * mapping, and every bad input is refused with one line and nothing changed. The running case
 * (a point-in-time copy by the guest's QEMU) is {@code it.BackupRestoreTest}.
 */
@Tag("unit")
class PartitionBackupTest {
    static final String SYS = InProcessSystem.SYS;
    static final long MB = 1 << 20;

    @TempDir
    Path dir;
    InProcessSystem one;
    InProcessSystem two;
    byte[] block = new byte[3 * 4096];

    @BeforeEach
    void start() throws IOException {
        Files.createDirectories(dir.resolve("one"));
        Files.createDirectories(dir.resolve("two"));
        one = new InProcessSystem(dir.resolve("one"));
        two = new InProcessSystem(dir.resolve("two"));
        for (InProcessSystem s : List.of(one, two)) {
            define(s, "VIOS1", "vioserver", "\"virtual_scsi_adapters=2/server/any//any/1\"");
            s.ok("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "mksp -fb pool1 -size 512M");
        }
        define(one, "A", "aixlinux", "virtual_scsi_adapters=2/client//VIOS1/2/1");
        one.ok("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "mkbdsp -sp pool1 64M -bd diskA -vadapter vhost0");
        new Random(19).nextBytes(block);
        try (RandomAccessFile f = new RandomAccessFile(disk(one, "diskA").toFile(), "rw")) {
            f.seek(0);
            f.write(block);
            f.seek(40 * MB + 512);
            f.write(block);
        }
    }

    @AfterEach
    void stop() {
        one.close();
        two.close();
    }

    static void define(InProcessSystem s, String name, String env, String adapters) {
        s.ok("mksyscfg", "-r", "lpar", "-m", SYS, "-i", "name=" + name + ",profile_name=default,lpar_env=" + env
                + ",min_mem=256,desired_mem=256,max_mem=512,proc_mode=shared,min_proc_units=0.1,"
                + "desired_proc_units=0.1,max_proc_units=1.0,min_procs=1,desired_procs=1,max_procs=2,"
                + "sharing_mode=uncap,uncap_weight=128," + adapters);
    }

    Path disk(InProcessSystem s, String device) {
        return s.sys.definition().partitions().stream().filter(p -> p.name().equals("VIOS1")).findFirst()
                .map(v -> dirOf(s).resolve("vios/" + v.id() + "/pools/pool1/" + device)).orElseThrow();
    }

    Path dirOf(InProcessSystem s) {
        return dir.resolve(s == one ? "one" : "two");
    }

    /** Everything a refusal must leave as it was: partitions, profiles, mappings, pools, archives. */
    String state(InProcessSystem s) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String[] argv : List.of(new String[] {"lssyscfg", "-r", "lpar", "-m", SYS, "-F", "name,lpar_id,uuid"},
                new String[] {"lssyscfg", "-r", "prof", "-m", SYS},
                new String[] {"viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "lsmap -all"},
                new String[] {"viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "lssp"},
                new String[] {"viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "lssp -bd -sp pool1"})) {
            out.append(s.run(argv).stdout());
        }
        try (var files = Files.walk(dirOf(s))) {
            files.filter(p -> !p.toString().contains("parvirt.db")).map(Path::toString).sorted()
                    .forEach(p -> out.append(p).append('\n'));
        }
        return out.toString();
    }

    void refused(InProcessSystem s, String code, String text, String... argv) throws IOException {
        String before = state(s);
        HmcResult r = s.run(argv);
        assertThat(r.exitCode()).as(r.stdout()).isNotZero();
        assertThat(r.stdout()).startsWith(code).contains(text);
        assertThat(r.stdout().strip().lines().count()).isEqualTo(1);
        assertThat(state(s)).isEqualTo(before);
    }

    Path archive(InProcessSystem s, String name) {
        return dirOf(s).resolve("backups").resolve(name);
    }

    @Test
    void aBackupRestoresOnAnotherSystemUnderItsOwnNameWithTheSameDiskAndIdentity() throws IOException {
        one.ok("bklpar", "-m", SYS, "-p", "A", "-f", "a.bk");
        Path a = archive(one, "a.bk");
        // sparse and compressed: two written blocks of a 64 MB disk, random (incompressible) data
        assertThat(Files.size(a)).isLessThan(64 * 1024);
        Files.createDirectories(archive(two, "x").getParent());
        Files.copy(a, archive(two, "a.bk"));
        assertThat(two.run("rstlpar", "-m", SYS, "-f", "a.bk").stdout()).isEmpty();
        assertThat(two.run("lssyscfg", "-r", "lpar", "-m", SYS, "--filter", "lpar_names=A", "-F", "name,uuid")
                .stdout()).isEqualTo(one.run("lssyscfg", "-r", "lpar", "-m", SYS, "--filter", "lpar_names=A",
                        "-F", "name,uuid").stdout());
        assertThat(Files.readAllBytes(disk(two, "diskA"))).isEqualTo(Files.readAllBytes(disk(one, "diskA")));
        // the copy is as sparse as the source: two blocks allocated, not 64 MB
        assertThat(allocated(disk(two, "diskA"))).isLessThan(1 * MB);
        assertThat(two.run("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "lsmap -all").stdout())
                .contains("vtscsi0").contains("diskA");
    }

    /**
     * A partition's virtual optical drive is in its archive (the drive, and the medium it held by
     * name: media stay in their repository): restored on the other system, the client adapter is
     * kept and the drive made on its new server adapter with the medium loaded from that VIOS's
     * repository. A destination whose repository lacks the medium refuses the restore, one line,
     * nothing changed.
     */
    @Test
    void anOpticalDriveIsRestoredWithItsMediumFromTheDestinationsRepository() throws IOException {
        for (InProcessSystem s : List.of(one, two)) {
            s.ok("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "mkrep -sp pool1 -size 16M");
        }
        one.ok("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "mkvopt -name install1 -size 1M -ro");
        one.ok("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "mkvdev -fbo -vadapter vhost0 -dev cdA");
        one.ok("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "loadopt -disk install1 -vtd cdA");
        one.ok("bklpar", "-m", SYS, "-p", "A", "-f", "a.bk");
        Files.createDirectories(archive(two, "x").getParent());
        Files.copy(archive(one, "a.bk"), archive(two, "a.bk"));

        refused(two, "HSCL", "The virtual optical medium install1 of partition A is not in the virtual media "
                + "repository of the Virtual I/O Server VIOS1: add it there (mkvopt -name install1 -file FILE) before "
                + "the restore, or unload it (unloadopt) before the backup.", "rstlpar", "-m", SYS, "-f", "a.bk");

        two.ok("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "mkvopt -name install1 -size 1M -ro");
        two.ok("rstlpar", "-m", SYS, "-f", "a.bk");
        assertThat(two.run("lssyscfg", "-r", "prof", "-m", SYS, "--filter", "lpar_names=A", "-F",
                "virtual_scsi_adapters").stdout()).contains("2/client/1/VIOS1/");
        String map = two.run("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c",
                "lsmap -all -field clientid vtd backing -fmt :").stdout();
        assertThat(map).as("one client adapter, served by one new server adapter: the disk, then the drive")
                .contains("0x00000002:vtscsi0:").contains("/pools/pool1/diskA:cdA:").endsWith("/repository/install1\n");
        // a clone's drives are not copied (a read-write medium loads in one drive only): it has its disk alone
        one.ok("cplpar", "-m", SYS, "-p", "A", "-n", "B");
        assertThat(one.run("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "lsmap -all -field vtd backing -fmt :")
                .stdout().lines().filter(l -> l.contains("/repository/")).toList()).hasSize(1);
    }

    @Test
    void aRestoreUnderANewNameAndACloneGetTheirOwnIdentityAndMappingBesideTheSource() throws IOException {
        one.ok("bklpar", "-m", SYS, "-p", "A", "-f", "a.bk");
        one.ok("rstlpar", "-m", SYS, "-f", "a.bk", "-n", "A2", "--newid", "7");
        one.ok("cplpar", "-m", SYS, "-p", "A", "-n", "B");
        String rows = one.run("lssyscfg", "-r", "lpar", "-m", SYS, "-F", "name,lpar_id,uuid").stdout();
        assertThat(rows).contains("A2,7,").containsPattern("(?m)^B,\\d+,");
        assertThat(rows.lines().map(l -> l.substring(l.lastIndexOf(',') + 1)).distinct().count()).isEqualTo(4);
        byte[] source = Files.readAllBytes(disk(one, "diskA"));
        assertThat(Files.readAllBytes(disk(one, "diskA_1"))).isEqualTo(source);
        assertThat(Files.readAllBytes(disk(one, "diskA_2"))).isEqualTo(source);
        // each copy is served on a server adapter of its own that pairs with it
        String map = one.run("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "lsmap -all").stdout();
        assertThat(map).contains("vhost1").contains("vhost2").contains("diskA_1").contains("diskA_2");
        assertThat(one.run("lssyscfg", "-r", "prof", "-m", SYS, "--filter", "lpar_names=A2", "-F",
                "virtual_scsi_adapters").stdout()).contains("VIOS1/3");
    }

    @Test
    void aTruncatedOrDamagedArchiveIsRefusedBeforeAnythingIsCreated() throws IOException {
        one.ok("bklpar", "-m", SYS, "-p", "A", "-f", "a.bk");
        byte[] whole = Files.readAllBytes(archive(one, "a.bk"));
        Files.write(archive(one, "cut.bk"), Arrays.copyOf(whole, whole.length / 2));
        refused(one, "HSCL1302", "truncated", "rstlpar", "-m", SYS, "-f", "cut.bk", "-n", "C");
        byte[] bad = whole.clone();
        bad[bad.length / 3] ^= 0x40;
        Files.write(archive(one, "bad.bk"), bad);
        refused(one, "HSCL1302", "damaged", "rstlpar", "-m", SYS, "-f", "bad.bk", "-n", "C");
        Files.writeString(archive(one, "junk.bk"), "not an archive\n");
        refused(one, "HSCL1302", "not a parvirt partition backup", "rstlpar", "-m", SYS, "-f", "junk.bk", "-n", "C");
        refused(one, "HSCL1302", "was not found", "rstlpar", "-m", SYS, "-f", "none.bk", "-n", "C");
        refused(one, "HSCL1302", "not valid", "rstlpar", "-m", SYS, "-f", "../x", "-n", "C");
    }

    @Test
    void badInputsAreRefusedWithOneLineAndNothingChanged() throws IOException {
        one.ok("bklpar", "-m", SYS, "-p", "A", "-f", "a.bk");
        refused(one, "HSCL1308", "already in use", "rstlpar", "-m", SYS, "-f", "a.bk");
        refused(one, "HSCL1308", "already in use", "cplpar", "-m", SYS, "-p", "A", "-n", "VIOS1");
        refused(one, "HSCL1308", "already in use", "rstlpar", "-m", SYS, "-f", "a.bk", "-n", "C", "--newid", "1");
        refused(one, "HSCL8012", "nosuch", "bklpar", "-m", SYS, "-p", "nosuch", "-f", "n.bk");
        refused(one, "HSCL8012", "nosuch", "cplpar", "-m", SYS, "-p", "nosuch", "-n", "C");
        refused(one, "HSCL1308", "already exists", "bklpar", "-m", SYS, "-p", "A", "-f", "a.bk");
        refused(one, "HSCL130B", "Virtual I/O Server", "cplpar", "-m", SYS, "-p", "VIOS1", "-n", "C");
        // a full pool: 512 MB, diskA 64, a filler of 400 leaves 48 for a 64 MB copy
        one.ok("viosvrcmd", "-m", SYS, "-p", "VIOS1", "-c", "mkbdsp -sp pool1 400M -bd filler");
        refused(one, "HSCL130D", "pool1", "rstlpar", "-m", SYS, "-f", "a.bk", "-n", "C");
        refused(one, "HSCL130D", "pool1", "cplpar", "-m", SYS, "-p", "A", "-n", "C");
        refused(one, "HSCL1302", "no partition job 99", "rmlparjob", "-m", SYS, "--id", "99");
        assertThat(one.run("lslparjob", "-m", SYS).stdout()).isEqualTo("No results were found.\n");
    }

    /** Bytes the file system holds for {@code f} ({@code stat}'s blocks of 512). */
    static long allocated(Path f) throws IOException {
        Process p = new ProcessBuilder("stat", "-c", "%b", f.toString()).start();
        return Long.parseLong(new String(p.getInputStream().readAllBytes()).strip()) * 512;
    }
}
