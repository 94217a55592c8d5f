package io.parvirt.vios;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.hmc.HmcResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * viosvrcmd end to end over a real store and real files (issue 6): exact VIOS output shapes, sparse
 * backing files, every refused input leaving state and files unchanged, and a restart.
 */
@Tag("unit")
class ViosCommandsTest {
    @TempDir
    Path dir;
    ViosRig r;

    @BeforeEach
    void setUp() {
        r = ViosRig.defined(dir);
    }

    @AfterEach
    void tearDown() {
        r.close();
    }

    /** pool1 of 10G; bd1 (2G) mapped on vhost0, bd2 (512M) on vhost1, an optical drive on vhost0 with a read-only medium. */
    void configure() {
        r.ok("mksp -fb pool1 -size 10G");
        r.ok("mkbdsp -sp pool1 2G -bd bd1 -vadapter vhost0");
        r.ok("mkbdsp -sp pool1 512M -bd bd2");
        assertThat(r.ok("mkvdev -vdev bd2 -vadapter vhost1")).isEqualTo("vtscsi1 Available\n");
        assertThat(r.ok("mkvdev -fbo -vadapter vhost0")).isEqualTo("vtopt0 Available\n");
        r.ok("mkrep -sp pool1 -size 1G");
        r.ok("mkvopt -name blank1 -size 100 -ro");
        r.ok("loadopt -disk blank1 -vtd vtopt0");
    }

    String loc() {
        return "UPVRT.KVM.12345AB";
    }

    @Test
    void lshwresListsTheVirtualScsiAdaptersOfEveryPartitionAsTheHmcDoes() {
        HmcResult all = r.hmc(List.of("lshwres", "-r", "virtualio", "-m", ViosRig.SYS, "--rsubtype", "scsi",
                "--level", "lpar"));
        assertThat(all.exitCode()).as(all.stdout()).isZero();
        assertThat(all.stdout()).isEqualTo(""
                + "lpar_name=vios1,lpar_id=2,slot_num=11,state=0,is_required=1,adapter_type=server,remote_lpar_id=5,"
                + "remote_lpar_name=lp1,remote_slot_num=2\n"
                + "lpar_name=vios1,lpar_id=2,slot_num=12,state=0,is_required=1,adapter_type=server,remote_lpar_id=6,"
                + "remote_lpar_name=lp2,remote_slot_num=2\n"
                + "lpar_name=vios1,lpar_id=2,slot_num=13,state=0,is_required=1,adapter_type=server,remote_lpar_id=any,"
                + "remote_lpar_name=any,remote_slot_num=any\n"
                + "lpar_name=lp1,lpar_id=5,slot_num=2,state=0,is_required=1,adapter_type=client,remote_lpar_id=2,"
                + "remote_lpar_name=vios1,remote_slot_num=11\n"
                + "lpar_name=lp2,lpar_id=6,slot_num=2,state=0,is_required=1,adapter_type=client,remote_lpar_id=2,"
                + "remote_lpar_name=vios1,remote_slot_num=12\n");
        HmcResult one = r.hmc(List.of("lshwres", "-r", "virtualio", "-m", ViosRig.SYS, "--rsubtype", "scsi",
                "--level", "lpar", "--filter", "lpar_names=vios1,slots=12", "-F", "slot_num,remote_lpar_name"));
        assertThat(one.stdout()).isEqualTo("12,lp2\n");
        HmcResult bad = r.hmc(List.of("lshwres", "-r", "virtualio", "-m", ViosRig.SYS, "--rsubtype", "scsi"));
        assertThat(bad.exitCode()).isNotZero();
    }

    @Test
    void lsmapOfAViosWithNoMappingsSaysNoTargetPerAdapterWithClientIdsInHex() {
        String head = "SVSA            Physloc                                      Client Partition ID\n"
                + "--------------- -------------------------------------------- ------------------\n";
        assertThat(r.ok("lsmap -all")).isEqualTo(head
                + "vhost0          " + String.format("%-44s", loc() + "-V2-C11") + " 0x00000005\n\n"
                + "NO VIRTUAL TARGET DEVICE FOUND\n\n" + head
                + "vhost1          " + String.format("%-44s", loc() + "-V2-C12") + " 0x00000006\n\n"
                + "NO VIRTUAL TARGET DEVICE FOUND\n\n" + head
                + "vhost2          " + String.format("%-44s", loc() + "-V2-C13") + " 0x00000000\n\n"
                + "NO VIRTUAL TARGET DEVICE FOUND\n\n");
    }

    @Test
    void lsmapShowsEachTargetWithItsLunBackingFileAndMirrored() {
        configure();
        Path pool = r.file("2/pools/pool1");
        assertThat(r.ok("lsmap -vadapter vhost0")).isEqualTo(
                "SVSA            Physloc                                      Client Partition ID\n"
                + "--------------- -------------------------------------------- ------------------\n"
                + "vhost0          " + String.format("%-44s", loc() + "-V2-C11") + " 0x00000005\n\n"
                + "VTD                   vtscsi0\n"
                + "Status                Available\n"
                + "LUN                   0x8100000000000000\n"
                + "Backing device        " + pool.resolve("bd1") + "\n"
                + "Physloc\n"
                + "Mirrored              false\n\n"
                + "VTD                   vtopt0\n"
                + "Status                Available\n"
                + "LUN                   0x8200000000000000\n"
                + "Backing device        " + r.file("2/repository/blank1") + "\n"
                + "Physloc\n"
                + "Mirrored              N/A\n\n");
        assertThat(r.ok("lsmap -all")).contains("VTD                   vtscsi1\n").contains("vhost2 ");
    }

    @Test
    void listingsHaveTheViosColumns() {
        configure();
        assertThat(r.ok("lssp")).isEqualTo(
                "Pool              Size(mb)  Free(mb)  Alloc Size(mb)   BDs Type\n"
                + "rootvg               32704     20416              64     0 LVPOOL\n"
                + "pool1                10240      6656               1     2 FBPOOL\n");
        assertThat(r.ok("lssp -bd -sp pool1")).isEqualTo(
                "Lv(bd) Name           Size(mb) VTD             SVSA            Status\n"
                + "bd1                       2048 vtscsi0         vhost0          Available\n"
                + "bd2                        512 vtscsi1         vhost1          Available\n");
        assertThat(r.ok("lsdev -virtual")).isEqualTo(
                "name             status      description\n"
                + "vhost0           Available   Virtual SCSI Server Adapter\n"
                + "vhost1           Available   Virtual SCSI Server Adapter\n"
                + "vhost2           Available   Virtual SCSI Server Adapter\n"
                + "vtopt0           Available   Virtual Target Device - File-backed Optical\n"
                + "vtscsi0          Available   Virtual Target Device - File-backed Disk\n"
                + "vtscsi1          Available   Virtual Target Device - File-backed Disk\n");
        assertThat(r.ok("lsvopt")).isEqualTo(
                "VTD             Media                                   Size(mb)\n"
                + "vtopt0          blank1                                  100\n");
        assertThat(r.ok("lsrep")).isEqualTo(
                "Size(mb) Free(mb) Parent Pool         Parent Size      Parent Free\n"
                + "    1024      924 pool1                     10240             6656\n\n"
                + "Name                                             File Size Optical         Access\n"
                + "blank1                                                 100 vtopt0          ro\n");
        r.ok("unloadopt -vtd vtopt0");
        assertThat(r.ok("lsvopt")).isEqualTo(
                "VTD             Media                                   Size(mb)\n"
                + "vtopt0          No Media                                n/a\n");
    }

    @Test
    void backingDevicesAreSparseFilesOfTheirFullSize() throws Exception {
        configure();
        Path bd1 = r.file("2/pools/pool1/bd1");
        assertThat(Files.size(bd1)).isEqualTo(2048L << 20);
        long blocks = Long.parseLong(new String(new ProcessBuilder("stat", "--format=%b", bd1.toString()).start()
                .getInputStream().readAllBytes()).strip());
        assertThat(blocks * 512).as("allocated bytes").isLessThan(1L << 20);
        r.ok("rmvdev -vtd vtscsi0");
        r.ok("rmbdsp -bd bd1");
        assertThat(bd1).doesNotExist();
        assertThat(r.ok("lssp")).contains("pool1                10240      8704 ");
    }

    @Test
    void mkvoptCopiesTheIsoIntoTheRepository() throws IOException {
        r.ok("mksp -fb pool1 -size 1G");
        r.ok("mkrep -sp pool1 -size 100M");
        Path iso = Files.write(dir.resolve("install.iso"), new byte[3 << 20]);
        Files.write(iso, "CD001".getBytes(), java.nio.file.StandardOpenOption.WRITE);
        r.ok("mkvopt -name install.iso -file " + iso + " -ro");
        assertThat(Files.readAllBytes(r.file("2/repository/install.iso"))).isEqualTo(Files.readAllBytes(iso));
        assertThat(r.ok("lsrep")).contains("install.iso                                              3 None"
                + "            ro\n").contains("     100       97 pool1");
    }

    @Test
    void mappedDevicesOfAClientGiveSlotLunFileKindAndReadOnly() {
        configure();
        assertThat(r.vios.mappedDevicesOf(5)).containsExactly(
                new MappedDevice(2, "vtscsi0", 2, 0x8100000000000000L, r.file("2/pools/pool1/bd1"),
                        MappedDevice.Kind.DISK, false),
                new MappedDevice(2, "vtopt0", 2, 0x8200000000000000L, r.file("2/repository/blank1"),
                        MappedDevice.Kind.OPTICAL, true));
        assertThat(r.vios.mappedDevicesOf(6)).extracting(MappedDevice::vtd).containsExactly("vtscsi1");
        assertThat(r.vios.mappedDevicesOf(2)).isEmpty();
    }

    @Test
    void aRestartedDaemonShowsTheSameState() {
        configure();
        List<String> listings = List.of("lsmap -all", "lssp", "lssp -bd -sp pool1", "lsdev -virtual", "lsvopt", "lsrep");
        List<String> before = listings.stream().map(r::ok).toList();
        var devices = r.vios.mappedDevicesOf(5);
        r.close();
        r = new ViosRig(dir);
        assertThat(listings.stream().map(r::ok).toList()).isEqualTo(before);
        assertThat(r.vios.mappedDevicesOf(5)).isEqualTo(devices);
        r.ok("rmvdev -vdev bd2");
        assertThat(r.ok("mkvdev -vdev bd2 -vadapter vhost1 -dev disk2")).isEqualTo("disk2 Available\n");
    }

    @Test
    void aBackingFileDeletedUnderAMappingShowsTheDeviceDefined() throws IOException {
        configure();
        Files.delete(r.file("2/pools/pool1/bd2"));
        assertThat(r.ok("lsmap -vadapter vhost1")).contains("VTD                   vtscsi1\nStatus                Defined\n");
        assertThat(r.ok("lsdev -virtual")).contains("vtscsi1          Defined     Virtual Target Device - File-backed Disk\n");
        assertThat(r.ok("lssp -bd -sp pool1")).contains("bd2                        512 vtscsi1         vhost1          Defined\n");
        assertThat(r.ok("lssp")).contains("pool1                10240      6656 ");
    }

    @Test
    void chspMovesTheDefaultPoolThatMkbdspUsesWithoutSp() {
        r.ok("mksp -fb pool1 -size 1G");
        r.ok("mksp -fb pool2 -size 1G");
        r.ok("mkbdsp 100M -bd a1");
        assertThat(r.ok("lssp -bd -sp rootvg")).contains("a1                         128 "); // rootvg is the default
        r.ok("chsp -default pool2");
        r.ok("mkbdsp 100M -bd a2");
        assertThat(r.ok("lssp -bd -sp pool2")).contains("a2 ").doesNotContain("a1 ");
        assertThat(r.vios("rmsp pool2").exitCode()).isEqualTo(1);
        r.ok("rmbdsp -bd a2 -sp pool2");
        r.ok("rmsp pool2");
        assertThat(r.file("2/pools/pool2")).doesNotExist();
    }

    @Test
    void rmbdspOfAVtdRemovesTheMappingAndTheDeviceUnlessSavebd() {
        configure();
        r.ok("rmbdsp -vtd vtscsi1 -savebd");
        assertThat(r.ok("lssp -bd -sp pool1")).contains("bd2                        512 ").doesNotContain("vtscsi1");
        assertThat(r.file("2/pools/pool1/bd2")).exists();
        r.ok("rmbdsp -vtd vtscsi0");
        assertThat(r.ok("lssp -bd -sp pool1")).doesNotContain("bd1");
        assertThat(r.file("2/pools/pool1/bd1")).doesNotExist();
    }

    @Test
    void viosvrcmdRefusesAPartitionThatIsNotAViosOrDoesNotExist() {
        HmcResult lp = r.hmc(List.of("viosvrcmd", "-m", "sys1", "-p", "lp1", "-c", "lsmap -all"));
        assertThat(lp.exitCode()).isEqualTo(1);
        assertThat(lp.stdout()).startsWith("HSCL130C The partition lp1 is not a Virtual I/O Server partition");
        HmcResult none = r.hmc(List.of("viosvrcmd", "-m", "sys1", "-p", "nope", "-c", "lsmap -all"));
        assertThat(none.stdout()).startsWith("HSCL8012 ");
        assertThat(none.exitCode()).isEqualTo(1);
        HmcResult byId = r.hmc(List.of("viosvrcmd", "-m", "sys1", "--id", "2", "-c", "lsdev -virtual"));
        assertThat(byId.exitCode()).isZero();
        assertThat(byId.stdout()).contains("vhost2");
        HmcResult noC = r.hmc(List.of("viosvrcmd", "-m", "sys1", "-p", "vios1"));
        assertThat(noC.stdout()).contains("are -c.");
    }
}
