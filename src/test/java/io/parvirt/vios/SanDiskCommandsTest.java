package io.parvirt.vios;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.HmcResult;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's SAN (vios.san): each file of the directory is a LUN every VIOS of the system sees as
 * a physical volume hdisk1.. in name order, with an identifier from its name; mkvdev maps a whole
 * LUN, once per system for one client; the export serves the LUN's file.
 */
@Tag("unit")
class SanDiskCommandsTest {
    @TempDir
    Path dir;
    @TempDir
    Path san;
    ViosRig r;

    @BeforeEach
    void setUp() throws Exception {
        lun("lunB", 64);
        lun("lunA", 32);
        Files.writeString(san.resolve(".hidden"), "not a LUN");
        Files.createDirectory(san.resolve("subdir"));
        r = ViosRig.defined(dir);
        r.vios.san(san);
        // a second VIOS (id 3) whose vhost0 serves lp2 in its slot 3
        HmcResult made = r.hmc(List.of("mksyscfg", "-r", "lpar", "-m", ViosRig.SYS, "-i", "name=vios2,lpar_id=3,"
                + "profile_name=default,lpar_env=vioserver," + ViosRig.COMMON
                + ",virtual_scsi_adapters=11/server/6/lp2/3/1"));
        assertThat(made.exitCode()).as(made.stdout()).isZero();
        HmcResult lp2 = r.hmc(List.of("chsyscfg", "-r", "prof", "-m", ViosRig.SYS, "-i", "name=default,lpar_name=lp2,"
                + "\"virtual_scsi_adapters=2/client//vios1/12/1,3/client//vios2/11/1\""));
        assertThat(lp2.exitCode()).as(lp2.stdout()).isZero();
    }

    void lun(String name, int mb) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(san.resolve(name).toFile(), "rw")) {
            f.setLength((long) mb << 20);
        }
    }

    @AfterEach
    void tearDown() {
        r.close();
    }

    HmcResult vios2(String command) {
        return r.hmc(List.of("viosvrcmd", "-m", ViosRig.SYS, "-p", "vios2", "-c", command));
    }

    @Test
    void everyLunIsAPhysicalVolumeInNameOrderWithAnIdentifierFromItsName() {
        San.Lun a = r.vios.san().lun("lunA").orElseThrow();
        String boot = r.ok("lspv -fmt :").lines().findFirst().orElseThrow();
        assertThat(r.ok("lspv -fmt :")).isEqualTo(boot + "\nhdisk1:" + a.pvid() + ":None: \nhdisk2:"
                + r.vios.san().lun("lunB").orElseThrow().pvid() + ":None: \n");
        assertThat(r.ok("lspv -size -field name size -fmt :")).isEqualTo("hdisk0:32768\nhdisk1:32\nhdisk2:64\n");
        assertThat(r.ok("lspv -free -field name size -fmt :")).isEqualTo("hdisk1:32\nhdisk2:64\n");
        assertThat(r.ok("chkdev -dev hdisk1 -field name identifier -fmt :")).isEqualTo("hdisk1:" + a.identifier()
                + "\n");
        assertThat(a.identifier()).matches("3E2136[0-9A-F]{32}PVRT03parvirtsan");
        assertThat(r.ok("chkdev -dev hdisk2")).contains("PHYS2VIRT_CAPABLE:   YES");
        assertThat(r.ok("lsdev -type disk -field name -fmt :")).isEqualTo("hdisk0\nhdisk1\nhdisk2\n");
        // the same LUN on another VIOS of the system: the same disk, the same identifier
        assertThat(vios2("chkdev -dev hdisk1 -field identifier -fmt :").stdout()).isEqualTo(a.identifier() + "\n");
        assertThat(r.vios("chkdev -dev hdisk3").stdout()).isEqualTo(ViosRig.REFUSED
                + "chkdev: Device hdisk3 is not a physical volume.\n");
    }

    @Test
    void aLunSnapshotIsRefusedWhenTheSansFileSystemCannotHoldItsLayer() throws Exception {
        Path small = Files.createDirectories(dir.resolve("small-san"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", small.toString())
                .redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)
                && p.exitValue() == 0, "mounting a tmpfs needs root");
        try {
            try (RandomAccessFile f = new RandomAccessFile(small.resolve("lunC").toFile(), "rw")) {
                f.setLength(64L << 20);
                f.write(new byte[16 << 20]); // 16 MB of data on a 24 MB file system: 8 MB usable
            }
            r.vios.san(small);
            r.ok("mkvdev -vdev hdisk1 -vadapter vhost1 -dev lp2lun");
            DiskSnapshots snaps = new DiskSnapshots(r.vios, id -> java.util.Optional.empty());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> snaps.take(6, "lp2", "a", 1))
                    .isInstanceOf(io.parvirt.model.ModelException.class)
                    .hasMessageMatching("The file system of the SAN has [0-9] MB usable; a snapshot layer of disk "
                            + "lp2lun of partition lp2 needs 16 MB of data\\.");
            assertThat(small.resolve(".lunC.snap")).as("nothing made").doesNotExist();
            assertThat(snaps.list(6, "lp2")).isEmpty();
        } finally {
            r.vios.san(san);
            new ProcessBuilder("umount", "-l", small.toString()).inheritIO().start().waitFor(30,
                    java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void aWholeLunIsMappedToOneClientAndServedFromItsFile() {
        assertThat(r.ok("mkvdev -vdev hdisk2 -vadapter vhost1 -dev lp2disk")).isEqualTo("lp2disk Available\n");
        assertThat(r.ok("lsmap -vadapter vhost1 -field vtd status backing -fmt :")).isEqualTo(
                "lp2disk:Available:hdisk2\n");
        assertThat(r.ok("lsdev -dev lp2disk -attr aix_tdev")).isEqualTo("value\n\nhdisk2\n");
        assertThat(r.ok("lspv -free -field name -fmt :")).isEqualTo("hdisk1\n");
        assertThat(r.vios.mappedDevicesOf(6)).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(MappedDevice.Kind.PV);
            assertThat(d.file()).isEqualTo(san.resolve("lunB"));
        });
        assertThat(r.vios.exportsOf(2)).singleElement().satisfies(e -> {
            assertThat(e.file()).isEqualTo(san.resolve("lunB"));
            assertThat(e.readOnly()).isFalse();
        });

        // not twice on this VIOS, not on another VIOS of the system for another client, not hdisk0
        var other = r.hmc(List.of("chsyscfg", "-r", "prof", "-m", ViosRig.SYS, "-i", "name=default,lpar_name=vios2,"
                + "virtual_scsi_adapters=11/server/5/lp1/3/1"));
        assertThat(other.exitCode()).as(other.stdout()).isZero();
        assertThat(r.hmc(List.of("chsyscfg", "-r", "prof", "-m", ViosRig.SYS, "-i", "name=default,lpar_name=lp1,"
                + "\"virtual_scsi_adapters=2/client/2/vios1/11/1,3/client//vios2/11/1\"")).exitCode()).isZero();
        String before = r.ok("lsmap -all -fmt :") + vios2("lsmap -all -fmt :").stdout();
        assertThat(r.vios("mkvdev -vdev hdisk2 -vadapter vhost0").stdout()).startsWith(ViosRig.REFUSED
                + "mkvdev: The physical volume hdisk2 (LUN lunB) is already mapped by lp2disk on vios1;");
        assertThat(vios2("mkvdev -vdev hdisk2 -vadapter vhost0").stdout()).contains("already mapped by lp2disk on "
                + "vios1 to another partition");
        assertThat(r.vios("mkvdev -vdev hdisk0 -vadapter vhost0").stdout()).contains("rootvg");
        assertThat(r.vios("mkvdev -vdev hdisk7 -vadapter vhost0").stdout()).contains("hdisk7 is not a physical "
                + "volume");
        assertThat(r.ok("lsmap -all -fmt :") + vios2("lsmap -all -fmt :").stdout()).isEqualTo(before);

        // the same client through a second VIOS (redundant paths) may map it too
        var back = r.hmc(List.of("chsyscfg", "-r", "prof", "-m", ViosRig.SYS, "-i", "name=default,lpar_name=vios2,"
                + "virtual_scsi_adapters=11/server/6/lp2/3/1"));
        assertThat(back.exitCode()).as(back.stdout()).isZero();
        assertThat(vios2("mkvdev -vdev hdisk2 -vadapter vhost0").exitCode()).isZero();

        // rmvdev by the physical volume unmaps; the LUN's file stays
        assertThat(r.ok("rmvdev -vdev hdisk2")).isEmpty();
        assertThat(r.ok("lsmap -vadapter vhost1")).contains("NO VIRTUAL TARGET DEVICE FOUND");
        assertThat(Files.exists(san.resolve("lunB"))).isTrue();
    }

    @Test
    void aMappingSurvivesARestartAndFollowsItsLunWhenDisksRenumber() throws Exception {
        r.ok("mkvdev -vdev hdisk2 -vadapter vhost1");
        r.close();
        lun("lun0", 16); // sorts first: lunB becomes hdisk3
        r = new ViosRig(dir);
        r.vios.san(san);
        assertThat(r.ok("lsmap -vadapter vhost1 -field vtd backing -fmt :")).isEqualTo("vtscsi0:hdisk3\n");
        assertThat(r.vios.exportsOf(2)).singleElement().extracting(e -> e.file()).isEqualTo(san.resolve("lunB"));
        Files.delete(san.resolve("lunB"));
        // a LUN gone from the SAN leaves its mapping Defined, named by its LUN
        assertThat(r.ok("lsmap -vadapter vhost1 -field vtd status backing -fmt :")).isEqualTo(
                "vtscsi0:Defined:lunB\n");
    }
}
